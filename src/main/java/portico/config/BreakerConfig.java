package portico.config;

import java.time.Duration;
import java.util.List;

/**
 * {@code circuit_breaker}: when the service's failures pass a rate, calls are refused at once (503)
 * for a while instead of piling onto it. A resilience4j circuit breaker with a time-based window.
 *
 * @param failureRate   {@code failure_rate}: opens at this fraction of failed calls in the window; default 50%
 * @param minCalls      {@code min_calls}: no verdict before this many calls in the window; default 10
 * @param window        the sliding window, whole seconds from 1s to 1h; default 30s
 * @param openFor       {@code open_for}: how long it stays open before trial calls; default 30s
 * @param halfOpenCalls {@code half_open_calls}: trial calls that decide between closed and open; default 3
 * @param slowCall      {@code slow_call}: a call taking longer (to its response head) is slow; null: none are
 * @param slowCallRate  {@code slow_call_rate}: opens at this fraction of slow calls; default 50%
 * @param failures      what counts as a failure, as written: {@code 5xx}, {@code 4xx}, a status,
 *                      {@code connect_error}, {@code reset}, {@code timeout}; default
 *                      {@code [5xx, connect_error, reset, timeout]}
 */
public record BreakerConfig(double failureRate, int minCalls, Duration window, Duration openFor, int halfOpenCalls,
                            Duration slowCall, double slowCallRate, List<String> failures) {
    public static final List<String> DEFAULT_FAILURES = List.of("5xx", "connect_error", "reset", "timeout");

    public BreakerConfig {
        failures = List.copyOf(failures);
    }
}
