package portico.config;

import java.time.Duration;
import java.util.List;

/**
 * {@code retries}: when a failed attempt is tried again (CONTRACT section 5: {@code attempts} counts
 * retries after the first try).
 *
 * @param attempts      retries after the first try, 0..10; default 1
 * @param on            conditions, as written: {@code connect_error}, {@code reset}, {@code timeout},
 *                      a status such as {@code 503} or a class such as {@code 5xx}; default
 *                      {@code [connect_error, reset, 502, 503, 504]}, or only {@code [connect_error]}
 *                      when the service has no {@code retries} key at all
 * @param maxBody       {@code max_body}: a request body up to this many bytes is kept (in memory, per
 *                      request) so that it can be sent again; a larger one streams and is not retried
 *                      once sent. Default 64KB, at most 16MB
 * @param nonIdempotent {@code non_idempotent}: also resend POST and PATCH without an
 *                      {@code Idempotency-Key}; default false (a route may say otherwise)
 * @param backoff       the first retry waits up to this long (jittered), doubling per retry; default 25ms
 * @param maxBackoff    {@code max_backoff}: the longest wait between tries; default 250ms
 * @param budget        retries may add at most this fraction of the service's requests over the last
 *                      10 s; default 20%
 * @param minPerSecond  {@code min_per_second}: retries always allowed per second whatever the budget
 *                      (so that a quiet service can still retry); default 3
 */
public record RetryConfig(int attempts, List<String> on, long maxBody, boolean nonIdempotent, Duration backoff,
                          Duration maxBackoff, double budget, int minPerSecond) {
    public static final List<String> DEFAULT_ON = List.of("connect_error", "reset", "502", "503", "504");
    /** A service without a {@code retries} key: a connect that failed sent nothing, so it is tried once more. */
    public static final RetryConfig UNCONFIGURED = new RetryConfig(1, List.of("connect_error"), 64 * 1024, false,
            Duration.ofMillis(25), Duration.ofMillis(250), 0.2, 3);

    public RetryConfig {
        on = List.copyOf(on);
    }
}
