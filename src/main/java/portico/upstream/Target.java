package portico.upstream;

import io.netty.channel.EventLoop;
import io.netty.channel.pool.ChannelPool;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import portico.config.TargetConfig;

/**
 * One upstream address at run time, with one connection pool per event loop: a client
 * connection and the upstream connections it uses share a loop, so bytes never hop threads.
 */
public final class Target {
    private final TargetConfig config;
    private final String authority;
    private final ConcurrentHashMap<EventLoop, ChannelPool> pools = new ConcurrentHashMap<>();
    private final Function<EventLoop, ChannelPool> poolFactory;

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

    void close() {
        pools.values().forEach(ChannelPool::close);
        pools.clear();
    }

    @Override
    public String toString() {
        return authority;
    }
}
