package portico.upstream;

import io.netty.channel.EventLoop;
import io.netty.util.concurrent.ScheduledFuture;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import portico.error.ErrorKind;
import portico.error.GatewayException;
import portico.upstream.retry.RetryState;

/**
 * {@link Service#call}: attempts of a buffered request through select, breaker, retries and
 * record, each attempt a {@link BufferedExchange}. Lives on one event loop from start to end.
 */
final class ServiceCall implements BufferedExchange.Listener {
    private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(ServiceCall.class);
    private final Service service;
    private final EventLoop loop;
    private final UpstreamRequest req;
    private final String balanceKey;
    final CompletableFuture<UpstreamResponse> result = new CompletableFuture<>();
    private RetryState retry;
    private Attempt attempt;
    private BufferedExchange exchange;
    private long deadline;
    private ScheduledFuture<?> deadlineTimer;
    private ScheduledFuture<?> backoffTimer;
    private boolean done;

    ServiceCall(Service service, EventLoop loop, UpstreamRequest req) {
        this.service = service;
        this.loop = loop;
        this.req = req;
        this.balanceKey = service.balanceKey(req.headers(), req.clientIp());
    }

    void start() {
        // A caller that gives up (its client went away) cancels the result: the attempt in flight goes, with its connection.
        result.whenComplete((r, e) -> {
            if (!result.isCancelled()) return;
            if (loop.inEventLoop()) cancel();
            else loop.execute(this::cancel);
        });
        retry = service.retries(req.method(), req.headers(), null);
        if (req.timeout() != null) {
            deadline = service.time().nanoTime() + req.timeout().toNanos();
            deadlineTimer = loop.schedule(this::onDeadline, req.timeout().toNanos(), TimeUnit.NANOSECONDS);
        }
        attempt();
    }

    /** Runs on the loop, often from a timer, where a thrown exception would be lost and the call never complete. */
    private void attempt() {
        try {
            tryOnce();
        } catch (RuntimeException e) {
            log.error("a call to service '{}' failed inside the gateway", service.name(), e);
            if (exchange != null) exchange.cancel();
            if (attempt != null) service.record(attempt, Outcome.CANCELLED);
            finish(null, new GatewayException(ErrorKind.INTERNAL, "the gateway failed on this call; see its log"));
        }
    }

    private void tryOnce() {
        backoffTimer = null;
        if (done) return;
        try {
            attempt = service.select(balanceKey, retry.tried());
        } catch (GatewayException e) {
            finish(null, e);
            return;
        }
        Target target = attempt.target();
        retry.tried(target);
        long response = service.timeouts().response().toNanos();
        String limit = "timeouts.response";
        if (req.timeout() != null) {
            long left = deadline - service.time().nanoTime();
            if (left < response) {
                response = Math.max(1, left);
                limit = "the call's timeout";
            }
        }
        exchange = new BufferedExchange(service.name(), target, loop, req.method(), req.pathAndQuery(), req.headers(), req.body(),
                req.maxResponseBytes(), response, limit, service.timeouts().idle().toMillis(), this);
        exchange.start();
    }

    @Override
    public boolean onHead(int status) {
        Outcome o = Outcome.response(status);
        service.record(attempt, o);
        long delay = retry.next(o, true);
        if (delay < 0) return true;
        retryAfter(delay);
        return false;
    }

    @Override
    public void onResponse(UpstreamResponse response) {
        finish(response, null);
    }

    @Override
    public void onFailure(Failure failure) {
        service.record(attempt, failure.outcome());
        long delay = retry.next(failure.outcome(), true);
        if (delay < 0) {
            finish(null, failure.error());
            return;
        }
        retryAfter(delay);
    }

    private void retryAfter(long delayNanos) {
        exchange = null;
        if (delayNanos == 0) loop.execute(this::attempt);
        else backoffTimer = loop.schedule(this::attempt, delayNanos, TimeUnit.NANOSECONDS);
    }

    private void onDeadline() {
        deadlineTimer = null;
        if (done) return;
        if (exchange != null) exchange.cancel();
        if (attempt != null) service.record(attempt, Outcome.RESPONSE_TIMEOUT);
        String who = attempt != null ? Failure.who(service.name(), attempt.target()) : "service '" + service.name() + "'";
        finish(null, new GatewayException(ErrorKind.UPSTREAM_TIMEOUT, who + " did not answer within the call's timeout ("
                + req.timeout().toMillis() + "ms)"));
    }

    private void cancel() {
        if (done) return;
        done = true;
        if (deadlineTimer != null) deadlineTimer.cancel(false);
        if (backoffTimer != null) backoffTimer.cancel(false);
        if (exchange != null) exchange.cancel();
        if (attempt != null) service.record(attempt, Outcome.CANCELLED);
    }

    private void finish(UpstreamResponse response, GatewayException error) {
        if (done) return;
        done = true;
        if (deadlineTimer != null) deadlineTimer.cancel(false);
        if (backoffTimer != null) backoffTimer.cancel(false);
        if (error != null) result.completeExceptionally(error);
        else result.complete(response);
    }
}
