package portico.upstream;

import io.netty.channel.EventLoop;
import io.netty.channel.pool.ChannelPool;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import portico.config.TargetConfig;
import portico.upstream.health.TargetHealth;

/**
 * One upstream address at run time, with one connection pool per event loop: a client
 * connection and the upstream connections it uses share a loop, so bytes never hop threads.
 * Also its health and how many attempts at it await an answer (for {@code least_requests}).
 */
public final class Target {
    private final TargetConfig config;
    private final String authority;
    private final ConcurrentHashMap<EventLoop, ChannelPool> pools = new ConcurrentHashMap<>();
    private final Function<EventLoop, ChannelPool> poolFactory;
    private final AtomicInteger inFlight = new AtomicInteger();
    private final TargetHealth health = new TargetHealth();

    Target(TargetConfig config, Function<EventLoop, ChannelPool> poolFactory) {
        this.config = config;
        this.poolFactory = poolFactory;
        this.authority = config.authority();
    }

    /** The Host header value for this target, computed once (see {@link TargetConfig#authority()}). */
    public String authority() {
        return authority;
    }

    public TargetConfig config() {
        return config;
    }

    public ChannelPool pool(EventLoop loop) {
        ChannelPool pool = pools.get(loop);
        return pool != null ? pool : pools.computeIfAbsent(loop, poolFactory);
    }

    /** Attempts selected for this target and not yet recorded. */
    public int inFlight() {
        return inFlight.get();
    }

    void started() {
        inFlight.incrementAndGet();
    }

    void ended() {
        inFlight.decrementAndGet();
    }

    public TargetHealth health() {
        return health;
    }

    int weight() {
        return config.weight();
    }

    void close() {
        pools.values().forEach(ChannelPool::close);
        pools.clear();
    }

    @Override
    public String toString() {
        return authority;
    }
}
