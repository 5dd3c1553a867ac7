package portico.upstream;

import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletionStage;
import java.util.random.RandomGenerator;
import portico.config.BalanceConfig;
import portico.config.FallbackConfig;
import portico.config.ResilienceConfig;
import portico.config.ServiceConfig;
import portico.config.Timeouts;
import portico.error.ErrorKind;
import portico.error.GatewayException;
import portico.upstream.balance.Balancer;
import portico.upstream.balance.HashRing;
import portico.upstream.balance.LeastRequests;
import portico.upstream.balance.PowerOfTwoChoices;
import portico.upstream.balance.SmoothWeightedRoundRobin;
import portico.upstream.breaker.ServiceBreaker;
import portico.upstream.health.HealthChecker;
import portico.upstream.health.HealthTracker;
import portico.upstream.health.ServiceHealth;
import portico.upstream.retry.RetryPolicy;
import portico.upstream.retry.RetryState;

/**
 * An upstream service at run time: its targets, how one is chosen, and what protects it (retries,
 * circuit breaker, active and passive health, fallback). Shared by all event loops; every method
 * is thread-safe and none blocks.
 *
 * <p>Two ways to use it, with the same bookkeeping:
 * <ul>
 *   <li>Streaming (the relay): {@link #retries} once per request, then per attempt
 *       {@link #select} a target, send over {@code target.pool(loop)}, and {@link #record} how the
 *       attempt ended; retry as {@link RetryState#next} says.
 *   <li>Buffered (health checks, aggregation): {@link #call}, which does all of the above.
 * </ul>
 *
 * <p>Active health checks start when the service is created and stop at {@link UpstreamClient#close(java.util.Map)};
 * whoever replaces a revision's services must close the old ones.
 */
public final class Service {
    private final ServiceConfig config;
    private final List<Target> targets;
    private final TimeSource time;
    private final Balancer<Target> balancer;
    private final HealthTracker health;
    private final ServiceBreaker breaker;
    private final RetryPolicy retries;
    private final HealthChecker checker;

    /** @param loops where active health checks run; null for none (tests of selection alone) */
    Service(ServiceConfig config, List<Target> targets, TimeSource time, RandomGenerator random, EventLoopGroup loops) {
        ResilienceConfig r = config.resilience();
        this.config = config;
        this.targets = List.copyOf(targets);
        this.time = time;
        this.balancer = balancer(r.balance(), this.targets, random);
        this.health = new HealthTracker(config.name(), this.targets, r.outlierDetection(), r.healthCheck());
        this.breaker = r.circuitBreaker() == null ? null : new ServiceBreaker(config.name(), r.circuitBreaker(), time);
        this.retries = new RetryPolicy(r.retries(), time, random);
        this.checker = r.healthCheck() == null || loops == null ? null : new HealthChecker(config.name(), this.targets,
                r.healthCheck(), health, loops, time, random, config.timeouts().idle().toMillis());
    }

    private static Balancer<Target> balancer(BalanceConfig b, List<Target> all, RandomGenerator random) {
        return switch (b.strategy()) {
            case ROUND_ROBIN -> new SmoothWeightedRoundRobin<>(Target::weight);
            case LEAST_REQUESTS -> new LeastRequests<>(Target::inFlight, Target::weight);
            case RANDOM -> new PowerOfTwoChoices<>(Target::inFlight, random::nextInt);
            case HASH_HEADER, HASH_IP -> new HashRing<>(all, t -> t.config().url(), Target::weight);
        };
    }

    public String name() {
        return config.name();
    }

    public ServiceConfig config() {
        return config;
    }

    public Timeouts timeouts() {
        return config.timeouts();
    }

    public List<Target> targets() {
        return targets;
    }

    TimeSource time() {
        return time;
    }

    /**
     * Chooses the target of one attempt: a usable one (neither failing its health checks nor
     * ejected), not in {@code tried} when another is usable, by the service's {@code balance}; and
     * takes a circuit-breaker permission. The attempt must then be {@link #record recorded}.
     *
     * @param balanceKey the key for hash balancing (see {@link #balanceKey}); null spreads round robin
     * @param tried      targets this request already tried (empty for the first attempt)
     * @throws GatewayException {@code NO_HEALTHY_TARGET} (503) when no target is usable, or
     *                          {@code CIRCUIT_OPEN} (503) while the breaker refuses calls; both carry
     *                          {@code Retry-After} in whole seconds
     */
    public Attempt select(String balanceKey, Set<Target> tried) {
        long now = time.nanoTime();
        List<Target> usable = health.usable(now);
        if (usable.isEmpty()) {
            throw new GatewayException(ErrorKind.NO_HEALTHY_TARGET, "service '" + name() + "' has no healthy target")
                    .header(HttpHeaderNames.RETRY_AFTER, health.retryAfterSeconds(now));
        }
        boolean permitted = false;
        if (breaker != null) {
            if (!breaker.tryAcquire()) {
                throw new GatewayException(ErrorKind.CIRCUIT_OPEN, "circuit of service '" + name() + "' is open")
                        .header(HttpHeaderNames.RETRY_AFTER, breaker.retryAfterSeconds());
            }
            permitted = true;
        }
        List<Target> candidates = usable;
        if (!tried.isEmpty() && usable.size() > 1) {
            List<Target> fresh = new ArrayList<>(usable.size());
            for (Target t : usable) if (!tried.contains(t)) fresh.add(t);
            if (!fresh.isEmpty()) candidates = fresh;
        }
        Target t = candidates.size() == 1 ? candidates.get(0) : balancer.pick(candidates, balanceKey);
        t.started();
        return new Attempt(t, now, permitted);
    }

    /**
     * How an attempt ended: feeds the circuit breaker, passive health and the in-flight count. Call
     * it once the response head arrived (with {@link Outcome#response}) or the attempt failed;
     * {@link Outcome#CANCELLED} when the caller gave up for its own reasons. Later calls for the same
     * attempt are ignored, so a final safety-net call is harmless.
     */
    public void record(Attempt attempt, Outcome outcome) {
        if (!attempt.markRecorded()) return;
        attempt.target().ended();
        long now = time.nanoTime();
        if (attempt.permitted()) breaker.record(outcome, now - attempt.startNanos());
        health.record(attempt.target(), outcome, now);
    }

    /**
     * Starts the retry bookkeeping of one request (and counts it for the retry budget).
     *
     * @param routeNonIdempotent the route's {@code retries.non_idempotent}, or null for the service's
     */
    public RetryState retries(HttpMethod method, HttpHeaders headers, Boolean routeNonIdempotent) {
        return retries.begin(method, headers, routeNonIdempotent);
    }

    /** The key {@code balance: hash(...)} hashes for a request: the header's value or the client address; else null. */
    public String balanceKey(HttpHeaders headers, String clientIp) {
        BalanceConfig b = config.resilience().balance();
        return switch (b.strategy()) {
            case HASH_HEADER -> headers.get(b.header());
            case HASH_IP -> clientIp;
            default -> null;
        };
    }

    /**
     * One buffered request to this service, with everything the streaming path has: balancing,
     * health, circuit breaker, retries (same {@code retries} rules: resending needs an idempotent
     * method or an {@code Idempotency-Key} header unless {@code non_idempotent}; the body is always
     * replayable since it is in memory), and each attempt recorded. Connections come from the same
     * pools as proxied requests.
     *
     * <p>May be called from any thread; the work runs on {@code loop}, and the stage completes there,
     * so callers on that loop may touch their exchange in its callbacks. It completes with the
     * response of any status (a 503 that was not retried is a response, not a failure), or fails with
     * a {@link GatewayException}: {@code BAD_UPSTREAM} (502: refused, reset, malformed, or a body over
     * {@code maxResponseBytes}), {@code UPSTREAM_TIMEOUT} (504: a service timeout or the request's own
     * {@code timeout}), {@code CIRCUIT_OPEN} or {@code NO_HEALTHY_TARGET} (503, with
     * {@code Retry-After}). The service's {@code fallback} is not applied: see {@link #fallback()}.
     * Cancelling the stage ({@code toCompletableFuture().cancel(false)}) gives the call up: the
     * attempt in flight is recorded as cancelled and its connection closed.
     */
    public CompletionStage<UpstreamResponse> call(EventLoop loop, UpstreamRequest req) {
        ServiceCall c = new ServiceCall(this, loop, req);
        if (loop.inEventLoop()) {
            c.start();
        } else {
            try {
                loop.execute(c::start);
            } catch (java.util.concurrent.RejectedExecutionException e) {
                return GatewayException.failed(ErrorKind.SHUTTING_DOWN, "the gateway is shutting down");
            }
        }
        return c.result;
    }

    /** The service's {@code fallback}, for callers that answer on its behalf (the relay applies it itself). */
    public Optional<FallbackConfig> fallback() {
        return Optional.ofNullable(config.resilience().fallback());
    }

    /**
     * The fallback answer for a refusal of {@link #select}, or null when there is none: only
     * {@code CIRCUIT_OPEN} and {@code NO_HEALTHY_TARGET} are answered by a fallback.
     */
    public FullHttpResponse fallbackResponse(GatewayException refusal, String requestId) {
        FallbackConfig f = config.resilience().fallback();
        if (f == null) return null;
        if (refusal.kind() != ErrorKind.CIRCUIT_OPEN && refusal.kind() != ErrorKind.NO_HEALTHY_TARGET) return null;
        return FallbackResponse.of(name(), f, requestId);
    }

    /** A snapshot of targets' and circuit's state, for the admin API and tests. */
    public ServiceHealth health() {
        return new ServiceHealth(name(), breaker == null ? ServiceHealth.Circuit.NONE : breaker.state(),
                health.snapshot(time.nanoTime()));
    }

    void close() {
        if (checker != null) checker.close();
        for (Target t : targets) t.close();
    }
}
