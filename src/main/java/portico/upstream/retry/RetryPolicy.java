package portico.upstream.retry;

import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import java.util.random.RandomGenerator;
import portico.config.RetryConfig;
import portico.upstream.OutcomeFilter;
import portico.upstream.TimeSource;

/** A service's {@code retries}: immutable settings plus the shared {@link RetryBudget}. Thread-safe. */
public final class RetryPolicy {
    private final RetryConfig config;
    private final OutcomeFilter on;
    private final RetryBudget budget;
    private final Backoff backoff;
    /** Whether any retry can happen after a request went out: only then is a body worth keeping. */
    private final boolean resendsEver;

    public RetryPolicy(RetryConfig config, TimeSource time, RandomGenerator random) {
        this.config = config;
        this.on = OutcomeFilter.of(config.on());
        this.budget = new RetryBudget(config.budget(), config.minPerSecond(), time);
        this.backoff = new Backoff(config.backoff(), config.maxBackoff(), random);
        this.resendsEver = config.attempts() > 0 && config.on().stream().anyMatch(t -> !t.equals("connect_error"));
    }

    /**
     * Starts the retry bookkeeping of one request and counts it for the budget.
     *
     * @param routeNonIdempotent a route's {@code retries.non_idempotent}, or null to use the service's
     */
    public RetryState begin(HttpMethod method, HttpHeaders headers, Boolean routeNonIdempotent) {
        budget.onRequest();
        boolean nonIdempotent = routeNonIdempotent != null ? routeNonIdempotent : config.nonIdempotent();
        boolean resendable = nonIdempotent || idempotent(method) || headers.contains("Idempotency-Key");
        return new RetryState(config.attempts(), on, resendable, resendsEver && resendable, config.maxBody(), budget, backoff);
    }

    /** RFC 9110 section 9.2.2. */
    public static boolean idempotent(HttpMethod m) {
        return m.equals(HttpMethod.GET) || m.equals(HttpMethod.HEAD) || m.equals(HttpMethod.OPTIONS)
                || m.equals(HttpMethod.TRACE) || m.equals(HttpMethod.PUT) || m.equals(HttpMethod.DELETE);
    }
}
