package portico.plugin.jwt;

import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.PublicKey;
import java.time.Duration;
import java.util.IdentityHashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import portico.plugin.PluginContext;

/**
 * The signing keys published at one {@code jwks_url}, fetched without blocking (the JDK's HTTP
 * client, asynchronously) and shared by every jwt plugin and config revision that names the URL.
 * A set older than {@code jwks_refresh} is fetched again in the background while the old one keeps
 * serving; a token with an unknown {@code kid} may trigger a fetch, but fetches start at most once
 * per {@code jwks_min_interval} whatever the tokens say, so forged kids cannot hammer the issuer.
 * A failed fetch keeps the last good set. Completions arrive on the client's threads: callers
 * resume on their event loop.
 */
final class JwksCache implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(JwksCache.class);
    static final Duration FETCH_TIMEOUT = Duration.ofSeconds(5);
    static final int MAX_BYTES = 512 * 1024;

    /** A fetched set with its keys already converted for verification. */
    record Keys(JWKSet set, Map<JWK, PublicKey> javaKeys) {
        static final Keys NONE = new Keys(new JWKSet(), Map.of());
    }

    private final URI url;
    private final PluginContext.Ticker ticker;
    private final long refreshNanos;
    private final long minIntervalNanos;
    private final ExecutorService threads;
    private final HttpClient http;
    private final AtomicReference<CompletableFuture<Keys>> inFlight = new AtomicReference<>();
    private final AtomicLong attemptedAt;
    private volatile Keys keys;  // null until the first successful fetch
    private volatile long fetchedAt;
    private volatile boolean failing;

    JwksCache(URI url, PluginContext.Ticker ticker, Duration refresh, Duration minInterval) {
        this.url = url;
        this.ticker = ticker;
        this.refreshNanos = refresh.toNanos();
        this.minIntervalNanos = minInterval.toNanos();
        this.attemptedAt = new AtomicLong(ticker.nanos() - minIntervalNanos - 1);  // the first fetch may start at once
        AtomicInteger n = new AtomicInteger();
        this.threads = Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "portico-jwks-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        this.http = HttpClient.newBuilder().executor(threads).connectTimeout(FETCH_TIMEOUT)
                .followRedirects(HttpClient.Redirect.NORMAL).build();
    }

    static String sharedKey(URI url, Duration refresh, Duration minInterval) {
        return "jwks " + url + " " + refresh + " " + minInterval;
    }

    /** The keys to verify with: the cached set (a stale one is refreshed behind it), or the first fetch. */
    CompletionStage<Keys> current() {
        Keys k = keys;
        if (k == null) return fetchIfDue();
        if (ticker.nanos() - fetchedAt >= refreshNanos) fetchIfDue();
        return CompletableFuture.completedFuture(k);
    }

    /** For a kid the cached set lacks: a fresh set if a fetch is due, else the cached one. */
    CompletionStage<Keys> refreshed() {
        return fetchIfDue();
    }

    private CompletionStage<Keys> fetchIfDue() {
        CompletableFuture<Keys> running = inFlight.get();
        if (running != null) return running;
        long now = ticker.nanos();
        long last = attemptedAt.get();
        if (now - last < minIntervalNanos || !attemptedAt.compareAndSet(last, now)) {
            running = inFlight.get();
            return running != null ? running : CompletableFuture.completedFuture(orNone());
        }
        CompletableFuture<Keys> f = new CompletableFuture<>();
        inFlight.set(f);
        HttpRequest req = HttpRequest.newBuilder(url).timeout(FETCH_TIMEOUT).header("Accept", "application/json").GET().build();
        http.sendAsync(req, limited()).whenComplete((res, err) -> {
            Keys result = accept(res, err);
            inFlight.set(null);
            f.complete(result);
        });
        return f;
    }

    private Keys orNone() {
        Keys k = keys;
        return k == null ? Keys.NONE : k;
    }

    /** Refuses a body over {@link #MAX_BYTES} by its Content-Length before reading it. */
    private static HttpResponse.BodyHandler<String> limited() {
        return info -> {
            long declared = info.headers().firstValueAsLong("content-length").orElse(-1);
            if (declared > MAX_BYTES) return HttpResponse.BodySubscribers.replacing(null);
            return HttpResponse.BodySubscribers.ofString(StandardCharsets.UTF_8);
        };
    }

    private Keys accept(HttpResponse<String> res, Throwable err) {
        String problem;
        if (err != null) {
            problem = err.getCause() != null ? err.getCause().toString() : err.toString();
        } else if (res.statusCode() != 200) {
            problem = "status " + res.statusCode();
        } else if (res.body() == null || res.body().length() > MAX_BYTES) {
            problem = "the key set is larger than " + MAX_BYTES + " bytes";
        } else {
            try {
                JWKSet set = JWKSet.parse(res.body()).toPublicJWKSet();
                Map<JWK, PublicKey> java = new IdentityHashMap<>();
                for (JWK jwk : set.getKeys()) {
                    PublicKey k = PublicKeys.fromJwk(jwk);
                    if (k != null) java.put(jwk, k);
                }
                if (java.isEmpty()) {
                    problem = "the set has no RSA, EC or Ed25519 key";
                } else {
                    Keys fresh = new Keys(set, java);
                    keys = fresh;
                    fetchedAt = ticker.nanos();
                    if (failing) log.info("jwks_url {}: fetched {} keys again", url, java.size());
                    failing = false;
                    return fresh;
                }
            } catch (java.text.ParseException e) {
                problem = "not a JWK set: " + e.getMessage();
            }
        }
        if (!failing) {
            Keys old = keys;
            log.warn("jwks_url {}: fetch failed ({}); {}", url, problem,
                    old == null ? "no keys yet, tokens it signs are refused" : "keeping the " + old.javaKeys().size() + " keys fetched before");
        }
        failing = true;
        return orNone();
    }

    @Override
    public void close() {
        threads.shutdownNow();
    }

    @Override
    public String toString() {
        return "JwksCache[" + url + "]";
    }
}
