package portico.plugin.ratelimit;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpResponse;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import portico.error.ErrorKind;
import portico.error.GatewayException;
import portico.http.Exchange;
import portico.plugin.Phase;
import portico.plugin.Plugin;
import portico.plugin.PluginContext;
import portico.plugin.PluginFactory;
import portico.plugin.Verdict;

/**
 * {@code rate_limit}: refuses a request with 429 (problem+json, {@code Retry-After}) when a limit of
 * its block has no permit left for the request's key, and tells every client where it stands in
 * the RateLimit headers, on every answer of a limited route (upstream's or gateway's).
 *
 * <p>{@code count: failures} reserves a permit in onRequest, like {@code count: all}, and gives it
 * back in onResponse when the status is below 400. Counting only after the answer would let any
 * number of concurrent attempts through while none of them has failed yet (a brute-force client
 * simply sends its guesses in parallel); reserving first caps failures at the limit whatever the
 * concurrency, at the price that slow successful requests hold a permit while they are in flight.
 * An exchange that ends with no answer (the client went away) keeps its permit.
 */
public final class RateLimitPlugin implements Plugin {
    public static final PluginFactory<RateLimitConfig> FACTORY =
            PluginFactory.of("rate_limit", Phase.RATE_LIMIT, RateLimitConfig::parse, RateLimitPlugin::create);

    /** Attached to an exchange whose check the store could not answer. */
    private static final Object STORE_FAILED = new Object();

    private final RateLimitConfig config;
    private final List<RateLimitConfig.Limit> limits;
    private final LimitStore store;
    private final RateLimitHeaders headers;

    /** What onRequest decided, for onResponse. */
    private record Taken(String[] keys, Outcome outcome) {}

    RateLimitPlugin(RateLimitConfig config, LimitStore store) {
        this.config = config;
        this.limits = config.limits();
        this.store = store;
        this.headers = new RateLimitHeaders(limits, config.legacyHeaders());
    }

    static RateLimitPlugin create(RateLimitConfig config, PluginContext ctx) {
        LimitStore store = config.redis()
                ? new RedisStore(RedisLink.shared(ctx), config, ctx.ticker())
                : new LocalStore(config.limits(), ctx.ticker(), ctx.clock(), LocalStore.MAX_KEYS);
        return new RateLimitPlugin(config, store);
    }

    LimitStore store() {
        return store;
    }

    @Override
    public CompletionStage<Verdict> onRequest(Exchange ex) {
        String[] keys = new String[limits.size()];
        for (int i = 0; i < keys.length; i++) keys[i] = KeyPart.of(limits.get(i).key(), ex);
        CompletableFuture<Outcome> taken = store.take(keys, ex.eventLoop()).toCompletableFuture();
        if (taken.isDone() && !taken.isCompletedExceptionally()) return decide(ex, keys, taken.getNow(null));
        // The Redis store completes on the exchange's loop (RedisLink#run).
        return taken.handle((outcome, err) -> err == null ? decide(ex, keys, outcome) : storeFailed(ex, err))
                .thenCompose(v -> v);
    }

    private CompletionStage<Verdict> decide(Exchange ex, String[] keys, Outcome outcome) {
        ex.attach(this, new Taken(keys, outcome));
        if (outcome.allowed()) return Verdict.PROCEED;
        long retry = RateLimitHeaders.seconds(outcome.retry());
        GatewayException e = new GatewayException(ErrorKind.RATE_LIMITED, refusedBy(outcome) + "; retry in " + retry + "s");
        e.header(HttpHeaderNames.RETRY_AFTER, Math.max(1, retry));
        headers.write(e.headers(), outcome, 0);
        return CompletableFuture.failedStage(e);
    }

    private String refusedBy(Outcome outcome) {
        StringBuilder names = new StringBuilder();
        for (int i = 0; i < limits.size(); i++) {
            if (outcome.decisions()[i].retry() <= 0) continue;  // this limit had room; another refused
            if (names.length() > 0) names.append(", ");
            names.append(limits.get(i).name());
        }
        return "rate limit " + names + " exceeded";
    }

    private CompletionStage<Verdict> storeFailed(Exchange ex, Throwable err) {
        Throwable cause = err instanceof CompletionException && err.getCause() != null ? err.getCause() : err;
        if (!(cause instanceof StoreUnavailable)) return CompletableFuture.failedStage(cause);
        ex.attach(this, STORE_FAILED);
        if (!config.denyOnStoreError()) return Verdict.PROCEED;
        return CompletableFuture.failedStage(new GatewayException(ErrorKind.RATE_LIMIT_UNAVAILABLE,
                "the rate limit store cannot answer and on_store_error is deny").header(HttpHeaderNames.RETRY_AFTER, 1));
    }

    @Override
    public void onResponse(Exchange ex, HttpResponse head) {
        if (!(ex.attachment(this) instanceof Taken taken)) return;  // no check, or the store failed: nothing known
        int returned = 0;
        if (config.countFailures() && taken.outcome().allowed() && ex.status() < 400) {
            store.refund(taken.keys(), taken.outcome(), ex.eventLoop());
            returned = 1;
        }
        headers.write(head.headers(), taken.outcome(), returned);
    }
}
