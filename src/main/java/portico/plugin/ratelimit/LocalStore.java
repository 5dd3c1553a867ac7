package portico.plugin.ratelimit;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.netty.channel.EventLoop;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import portico.plugin.PluginContext;

/**
 * {@code store: local}: counters in this node's memory, one bounded Caffeine cache per limit.
 * A key idle for as long as its state matters expires; past {@code maxKeys} the cache evicts by
 * frequency (W-TinyLFU), so a flood of one-off keys (random X-Forwarded-For through a trusted proxy,
 * random header values) neither grows memory nor pushes out the counters of clients that keep
 * coming back. The counters themselves are lock-free ({@link Cell}); nothing on this path locks.
 */
final class LocalStore implements LimitStore {
    /** Per limit; about 150 bytes a key, so some 15 MB for a full one. */
    static final long MAX_KEYS = 100_000;

    private final Meter[] meters;
    private final Cache<String, Cell>[] cells;
    private final PluginContext.Ticker ticker;
    /**
     * Added to the ticker to get nanoseconds since the epoch: windows then start at the wall clock's
     * aligned instants (a 10s window at :00, :10, ...), as they do in Redis and on every node, while
     * time still moves monotonically (a clock step while running does not reset counts).
     */
    private final long epochOffset;

    LocalStore(List<RateLimitConfig.Limit> limits, PluginContext.Ticker ticker) {
        this(limits, ticker, java.time.Clock.systemUTC(), MAX_KEYS);
    }

    LocalStore(List<RateLimitConfig.Limit> limits, PluginContext.Ticker ticker, long maxKeys) {
        this(limits, ticker, java.time.Clock.systemUTC(), maxKeys);
    }

    @SuppressWarnings("unchecked")
    LocalStore(List<RateLimitConfig.Limit> limits, PluginContext.Ticker ticker, java.time.Clock clock, long maxKeys) {
        this.ticker = ticker;
        java.time.Instant wall = clock.instant();
        this.epochOffset = wall.getEpochSecond() * 1_000_000_000L + wall.getNano() - ticker.nanos();
        meters = new Meter[limits.size()];
        cells = new Cache[limits.size()];
        for (int i = 0; i < meters.length; i++) {
            meters[i] = limits.get(i).meter();
            cells[i] = Caffeine.newBuilder()
                    .maximumSize(maxKeys)
                    .expireAfterAccess(Duration.ofNanos(meters[i].idleAfter()))
                    .ticker(ticker::nanos)
                    .build();
        }
    }

    @Override
    public CompletionStage<Outcome> take(String[] keys, EventLoop loop) {
        return CompletableFuture.completedFuture(take(keys));
    }

    Outcome take(String[] keys) {
        long now = ticker.nanos() + epochOffset;
        Decision[] decisions = new Decision[meters.length];
        boolean allowed = true;
        for (int i = 0; i < meters.length; i++) {
            decisions[i] = meters[i].take(cells[i].get(keys[i], k -> new Cell()), now, 1);
            allowed &= decisions[i].allowed();
        }
        if (!allowed) {
            // All or none: a request refused by one limit must not use up another.
            for (int i = 0; i < meters.length; i++) {
                Decision d = decisions[i];
                if (!d.allowed()) continue;
                meters[i].refund(cells[i].get(keys[i], k -> new Cell()), now, d.window(), d.granted());
                decisions[i] = new Decision(0, d.remaining() + d.granted(), d.reset(), 0, d.window());
            }
        }
        return new Outcome(decisions, allowed, null);
    }

    @Override
    public void refund(String[] keys, Outcome taken, EventLoop loop) {
        long now = ticker.nanos() + epochOffset;
        for (int i = 0; i < meters.length; i++) {
            Cell cell = cells[i].getIfPresent(keys[i]);
            Decision d = taken.decisions()[i];
            if (cell != null) meters[i].refund(cell, now, d.window(), d.granted());
        }
    }

    /** Keys held by the limit at {@code index} (after pending evictions ran), for tests of the bound. */
    long size(int index) {
        cells[index].cleanUp();
        return cells[index].estimatedSize();
    }
}
