package portico.plugin.ratelimit;

import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisNoScriptException;
import io.lettuce.core.RedisURI;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.SocketOptions;
import io.lettuce.core.TimeoutOptions;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.codec.StringCodec;
import io.lettuce.core.resource.ClientResources;
import io.lettuce.core.resource.Delay;
import io.netty.channel.EventLoop;
import io.netty.util.concurrent.ScheduledFuture;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import portico.plugin.PluginContext;

/**
 * The one Redis connection of a gateway ({@code cluster.redis}), shared by every rate limit with
 * {@code store: redis} through {@link portico.plugin.SharedResources} and closed with the gateway.
 * Lettuce multiplexes all commands over it, asynchronously, so concurrent checks pipeline on the
 * wire. Each call runs ratelimit.lua by EVALSHA and falls back to EVAL when Redis lost its script
 * cache (a restart). Each call has its own short timeout on the caller's event loop ({@code ?timeout=}
 * in the URL, default 100ms) and completes there. An outage (3 failed calls in a row, or no connection)
 * is logged once when it starts and once when Redis answers again; meanwhile the rate limits follow on_store_error.
 */
final class RedisLink implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(RedisLink.class);
    /** Holds on a loaded machine (a healthy local Redis was seen at 44ms there), and is still short next to a request. */
    static final Duration DEFAULT_TIMEOUT = Duration.ofMillis(100);
    /** Failed calls in a row that make an outage: one slow call on a busy box is not one. */
    static final int OUTAGE_AFTER = 3;
    private static final long RECONNECT_EVERY_NANOS = TimeUnit.MILLISECONDS.toNanos(200);
    /** In a take's arguments: the slot {@link #send} fills with the call's deadline on the Redis clock. */
    static final String DEADLINE = "deadline";
    /** A clock step on the Redis host larger than this makes the node forget what it knew of that clock. */
    private static final long CLOCK_STEP_MICROS = 1_000_000;
    private static final String REFUSED = "Redis refused ";
    private static final String SCRIPT = script();
    private static final String SHA = sha1(SCRIPT);

    private final String shown;
    private final RedisURI uri;
    private final long timeoutNanos;
    private final ClientResources resources;
    private final RedisClient client;
    private final AtomicBoolean down = new AtomicBoolean();
    private final AtomicLong failures = new AtomicLong();
    private final java.util.concurrent.atomic.AtomicInteger inARow = new java.util.concurrent.atomic.AtomicInteger();
    private final AtomicLong lastAttempt = new AtomicLong(System.nanoTime() - RECONNECT_EVERY_NANOS);
    /**
     * The Redis clock minus this node's monotonic clock, in microseconds, as seen in replies (the
     * largest, which is the closest from below: a reply's time is read before it travels back), or
     * Long.MIN_VALUE before the first reply.
     */
    private final AtomicLong serverOffset = new AtomicLong(Long.MIN_VALUE);
    private volatile StatefulRedisConnection<String, String> connection;
    private volatile String lastMisconfigured;
    private volatile boolean closed;
    private volatile CompletableFuture<StatefulRedisConnection<String, String>> attempt;

    private RedisLink(String url) {
        this.shown = redacted(url);
        this.timeoutNanos = timeout(url).toNanos();
        this.uri = RedisURI.create(url);
        // One I/O thread is plenty for one connection; reconnects back off to at most a second so
        // that the end of an outage is noticed quickly.
        resources = ClientResources.builder()
                .ioThreadPoolSize(1)
                .computationThreadPoolSize(1)
                .reconnectDelay(Delay.exponential(Duration.ofMillis(20), Duration.ofSeconds(1), 2, TimeUnit.MILLISECONDS))
                .build();
        client = RedisClient.create(resources, uri);
        client.setOptions(ClientOptions.builder()
                .autoReconnect(true)
                // While disconnected, fail at once (on_store_error decides) instead of queueing.
                .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
                .requestQueueSize(10_000)
                .socketOptions(SocketOptions.builder().connectTimeout(Duration.ofSeconds(1)).keepAlive(true).build())
                // A backstop only: each call has its own, much shorter, timeout (see #run).
                .timeoutOptions(TimeoutOptions.enabled(Duration.ofSeconds(2)))
                .build());
        connect();
    }

    /** The gateway's link to {@code url}, created on first use. */
    static RedisLink shared(PluginContext ctx) {
        String url = ctx.config().cluster().redis();
        if (url == null) throw new IllegalStateException("store: redis needs cluster.redis");
        return ctx.shared().get("redis:" + url, () -> new RedisLink(url));
    }

    /** Calls made while Redis was unreachable or too slow, since start. */
    long failures() {
        return failures.get();
    }

    boolean isDown() {
        return down.get();
    }

    /**
     * Runs ratelimit.lua; completes on {@code loop}, with {@link StoreUnavailable} when Redis is not
     * connected, fails, or does not answer within the timeout.
     */
    CompletableFuture<List<Object>> run(String[] keys, String[] args, EventLoop loop) {
        CompletableFuture<List<Object>> out = new CompletableFuture<>();
        StatefulRedisConnection<String, String> c = connection;
        CompletableFuture<StatefulRedisConnection<String, String>> pending = c == null ? connect() : null;
        if (c == null && pending == null || c != null && !c.isOpen()) {
            failed(out, new StoreUnavailable("not connected to Redis at " + shown, null));
            return out;
        }
        if (c != null) {
            send(c, keys, args, out, timer(out, loop), loop);
        } else {
            // The first calls after start wait for the connection being made (bounded by the
            // connect timeout), and only then start their own timeout: a gateway that has just
            // started does not refuse its first requests while the connection is being made.
            pending.whenComplete((made, err) -> {
                if (err != null) finish(out, null, null, err, loop);
                else send(made, keys, args, out, timer(out, loop), loop);
            });
        }
        return out;
    }

    private ScheduledFuture<?> timer(CompletableFuture<List<Object>> out, EventLoop loop) {
        return loop.schedule(() -> failed(out, new StoreUnavailable(
                "Redis at " + shown + " did not answer within " + TimeUnit.NANOSECONDS.toMillis(timeoutNanos) + "ms", null)),
                timeoutNanos, TimeUnit.NANOSECONDS);
    }

    private void send(StatefulRedisConnection<String, String> c, String[] keys, String[] given,
                      CompletableFuture<List<Object>> out, ScheduledFuture<?> timer, EventLoop loop) {
        String[] args = withDeadline(given);
        c.async().<List<Object>>evalsha(SHA, ScriptOutputType.MULTI, keys, args).whenComplete((reply, err) -> {
            if (unwrap(err) instanceof RedisNoScriptException) {
                c.async().<List<Object>>eval(SCRIPT, ScriptOutputType.MULTI, keys, args)
                        .whenComplete((again, err2) -> finish(out, timer, again, err2, loop));
            } else {
                finish(out, timer, reply, err, loop);
            }
        });
    }

    /**
     * A call that has timed out on this node may still be queued in Redis (a paused or overloaded
     * server runs it later); the deadline makes the script do nothing then, so that what the
     * request was told (503, or let through uncounted) stays true. Before the first reply the
     * node does not know Redis' clock and sends none.
     */
    private String[] withDeadline(String[] given) {
        if (given.length < 3 || !DEADLINE.equals(given[2])) return given;
        String[] args = given.clone();
        long offset = serverOffset.get();
        args[2] = offset == Long.MIN_VALUE ? "0"
                : Long.toString(System.nanoTime() / 1000 + offset + TimeUnit.NANOSECONDS.toMicros(timeoutNanos));
        return args;
    }

    private void learnClock(List<Object> reply) {
        if (reply == null || reply.isEmpty() || !(reply.get(reply.size() - 1) instanceof Long server)) return;
        long seen = server - System.nanoTime() / 1000;
        serverOffset.accumulateAndGet(seen, (known, now) ->
                known == Long.MIN_VALUE || now > known || known - now > CLOCK_STEP_MICROS ? now : known);
    }

    private void finish(CompletableFuture<List<Object>> out, ScheduledFuture<?> timer, List<Object> reply, Throwable err,
                        EventLoop loop) {
        if (err == null) learnClock(reply);
        loop.execute(() -> {
            if (timer != null) timer.cancel(false);
            if (out.isDone()) return;  // timed out already
            if (err == null && !reply.isEmpty() && Long.valueOf(-1).equals(reply.get(0))) {
                failed(out, new StoreUnavailable("Redis at " + shown + " ran a call after its deadline ("
                        + TimeUnit.NANOSECONDS.toMillis(timeoutNanos) + "ms); it did nothing", null));
            } else if (err == null) {
                answered();
                out.complete(reply);
            } else {
                failed(out, new StoreUnavailable("Redis at " + shown + " failed: " + unwrap(err).getMessage(), unwrap(err)));
            }
        });
    }

    private void failed(CompletableFuture<?> out, StoreUnavailable e) {
        if (!out.completeExceptionally(e)) return;
        failures.incrementAndGet();
        if (inARow.incrementAndGet() >= OUTAGE_AFTER && down.compareAndSet(false, true)) {
            log.warn("rate_limit: {}; limits with store: redis follow their on_store_error until it answers again", e.getMessage());
        }
    }

    private void answered() {
        inARow.set(0);
        if (down.compareAndSet(true, false)) {
            log.info("rate_limit: Redis at {} answers again ({} calls failed so far)", shown, failures.get());
        }
    }

    /**
     * Connects in the background (at most every 200ms while Redis is unreachable); Lettuce reconnects
     * by itself once a connection was made. Returns the attempt in flight, or null when throttled.
     */
    private CompletableFuture<StatefulRedisConnection<String, String>> connect() {
        CompletableFuture<StatefulRedisConnection<String, String>> inFlight = attempt;
        if (inFlight != null) return inFlight;
        long now = System.nanoTime();
        long last = lastAttempt.get();
        if (closed || now - last < RECONNECT_EVERY_NANOS || !lastAttempt.compareAndSet(last, now)) return attempt;
        CompletableFuture<StatefulRedisConnection<String, String>> made = new CompletableFuture<>();
        attempt = made;
        client.connectAsync(StringCodec.UTF8, uri).whenComplete((c, err) -> {
            if (err != null) {
                String why = why(unwrap(err));
                // Once per outage, and again only when Redis says the config is wrong (the first
                // attempt may have failed for another reason, such as a slow connect).
                boolean misconfigured = why.startsWith(REFUSED) && !why.equals(lastMisconfigured);
                if (down.compareAndSet(false, true) || misconfigured) {
                    if (misconfigured) lastMisconfigured = why;
                    log.warn("rate_limit: cannot connect to Redis at {} ({}); limits with store: redis follow their "
                            + "on_store_error until it answers", shown, why);
                }
                attempt = null;
                made.completeExceptionally(err);
                return;
            }
            if (closed) {
                c.closeAsync();
            } else {
                connection = c;
                c.async().scriptLoad(SCRIPT);
            }
            attempt = null;
            made.complete(c);
        });
        return made;
    }

    @Override
    public void close() {
        closed = true;
        StatefulRedisConnection<String, String> c = connection;
        if (c != null) c.close();
        client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
        resources.shutdown(0, 2, TimeUnit.SECONDS);
    }

    @Override
    public String toString() {
        return "Redis at " + shown;
    }

    /** What a failed connect means for the user: a refused password and a missing database read alike otherwise. */
    private String why(Throwable e) {
        StringBuilder all = new StringBuilder();
        for (Throwable t = e; t != null; t = t.getCause()) all.append(t.getMessage()).append(' ');
        String text = all.toString();
        Throwable root = e;
        while (root.getCause() != null) root = root.getCause();
        String said = e.getMessage() + (root != e ? ": " + root.getMessage() : "");
        if (text.contains("WRONGPASS") || text.contains("invalid password") || text.contains("NOAUTH")) {
            return REFUSED + "the user or password of cluster.redis: " + said;
        }
        if (text.contains("DB index is out of range")) {
            return REFUSED + "database " + uri.getDatabase() + " (the number after the port in cluster.redis): " + said;
        }
        return said;
    }

    private static Throwable unwrap(Throwable e) {
        while (e instanceof CompletionException && e.getCause() != null) e = e.getCause();
        return e;
    }

    /** {@code ?timeout=5ms} in cluster.redis; Lettuce reads the same parameter for its own timeouts. */
    static Duration timeout(String url) {
        String query = URI.create(url).getRawQuery();
        if (query != null) {
            for (String pair : query.split("&")) {
                if (pair.startsWith("timeout=")) return portico.config.Units.duration(pair.substring(8));
            }
        }
        return DEFAULT_TIMEOUT;
    }

    private static String redacted(String url) {
        URI u = URI.create(url);
        return u.getScheme() + "://" + u.getHost() + (u.getPort() > 0 ? ":" + u.getPort() : "");
    }

    private static String script() {
        try (InputStream in = RedisLink.class.getResourceAsStream("/portico/ratelimit.lua")) {
            if (in == null) throw new IllegalStateException("ratelimit.lua is missing from the jar");
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String sha1(String text) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-1").digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JVM has SHA-1", e);
        }
    }
}
