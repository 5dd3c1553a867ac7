package portico.upstream.breaker;

import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import io.github.resilience4j.circuitbreaker.event.CircuitBreakerOnStateTransitionEvent;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import portico.config.BreakerConfig;
import portico.config.Units;
import portico.upstream.Outcome;
import portico.upstream.OutcomeFilter;
import portico.upstream.TimeSource;
import portico.upstream.health.ServiceHealth;

/**
 * A service's circuit breaker: resilience4j's state machine with a time-based window, fed with
 * Portico's outcomes. Open to half-open happens lazily, on the first call after {@code open_for}
 * (no scheduler thread), by the injected clock. Each transition is logged once. Thread-safe.
 */
public final class ServiceBreaker {
    private static final Logger log = LoggerFactory.getLogger(ServiceBreaker.class);
    /** What resilience4j is told a failure was; stackless, since it is only a marker. */
    private static final Exception FAILURE = new Exception("failure", null, false, false) { };

    private final String service;
    private final BreakerConfig config;
    private final OutcomeFilter failures;
    private final TimeSource time;
    private final CircuitBreaker breaker;
    private volatile long openUntilNanos;

    public ServiceBreaker(String service, BreakerConfig config, TimeSource time) {
        this.service = service;
        this.config = config;
        this.failures = OutcomeFilter.of(config.failures());
        this.time = time;
        CircuitBreakerConfig.Builder b = CircuitBreakerConfig.custom()
                .failureRateThreshold((float) (config.failureRate() * 100))
                // The synchronized window, not LOCK_FREE: in 2.4.0 the lock-free one reads the system
                // clock, not this one, and the breaker's time must be injectable.
                .slidingWindow((int) config.window().toSeconds(), config.minCalls(), CircuitBreakerConfig.SlidingWindowType.TIME_BASED)
                .waitDurationInOpenState(config.openFor())
                .permittedNumberOfCallsInHalfOpenState(config.halfOpenCalls())
                .automaticTransitionFromOpenToHalfOpenEnabled(false)
                .writableStackTraceEnabled(false)
                .clock(time.clock())
                .currentTimestampFunction(clock -> time.nanoTime(), TimeUnit.NANOSECONDS);
        if (config.slowCall() != null) {
            b.slowCallDurationThreshold(config.slowCall()).slowCallRateThreshold((float) (config.slowCallRate() * 100));
        } else {
            // No slow-call rule: a threshold no call reaches, and a rate that is never exceeded.
            b.slowCallDurationThreshold(Duration.ofDays(365)).slowCallRateThreshold(100);
        }
        breaker = CircuitBreaker.of(service, b.build());
        breaker.getEventPublisher().onStateTransition(this::logTransition);
    }

    /** Whether a call may go out now; a true answer must be followed by exactly one {@link #record}. */
    public boolean tryAcquire() {
        return breaker.tryAcquirePermission();
    }

    /**
     * How a permitted call ended. {@link Outcome#CANCELLED} gives the permission back without a
     * verdict; the others count as failure or success per {@code failures}, and as slow per
     * {@code slow_call} from {@code nanos}.
     */
    public void record(Outcome outcome, long nanos) {
        if (outcome.kind() == Outcome.Kind.CANCELLED) {
            breaker.releasePermission();
        } else if (failures.matches(outcome)) {
            breaker.onError(nanos, TimeUnit.NANOSECONDS, FAILURE);
        } else {
            breaker.onSuccess(nanos, TimeUnit.NANOSECONDS);
        }
    }

    /** Whole seconds until trial calls are let through, at least 1: the {@code Retry-After} of a refusal. */
    public long retryAfterSeconds() {
        long left = openUntilNanos - time.nanoTime();
        return Math.max(1, (left + 999_999_999L) / 1_000_000_000L);
    }

    public ServiceHealth.Circuit state() {
        return switch (breaker.getState()) {
            case OPEN, FORCED_OPEN -> ServiceHealth.Circuit.OPEN;
            case HALF_OPEN -> ServiceHealth.Circuit.HALF_OPEN;
            default -> ServiceHealth.Circuit.CLOSED;
        };
    }

    private void logTransition(CircuitBreakerOnStateTransitionEvent e) {
        CircuitBreaker.Metrics m = breaker.getMetrics();
        switch (e.getStateTransition().getToState()) {
            case OPEN -> {
                openUntilNanos = time.nanoTime() + config.openFor().toNanos();
                if (e.getStateTransition().getFromState() == CircuitBreaker.State.HALF_OPEN) {
                    log.warn("circuit of service '{}' is open again: the trial calls failed; refusing calls for {}", service,
                            Units.format(config.openFor()));
                } else {
                    log.warn("circuit of service '{}' is open: {} of the last {} calls failed and {} were slow; refusing calls for {}",
                            service, percent(m.getFailureRate()), m.getNumberOfBufferedCalls(), percent(m.getSlowCallRate()),
                            Units.format(config.openFor()));
                }
            }
            case HALF_OPEN -> log.info("circuit of service '{}' is half-open: letting {} trial calls through", service,
                    config.halfOpenCalls());
            case CLOSED -> log.info("circuit of service '{}' is closed: the trial calls succeeded", service);
            default -> log.info("circuit of service '{}': {}", service, e.getStateTransition());
        }
    }

    private static String percent(float rate) {
        return rate < 0 ? "0%" : Math.round(rate) + "%";
    }
}
