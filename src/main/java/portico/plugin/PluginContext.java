package portico.plugin;

import io.netty.channel.EventLoopGroup;
import java.time.Clock;
import java.util.Map;
import portico.config.ConsumerConfig;
import portico.config.GatewayConfig;

/**
 * What a plugin may use besides its own settings, when it is created for a config revision.
 *
 * @param clock     the wall clock, injected so that tests do not sleep
 * @param ticker    a monotonic nanosecond source (System::nanoTime in production), injected likewise
 * @param config    the whole revision's config (consumers, cluster.redis, trusted proxies)
 * @param loops     the gateway's event loops, for timers and asynchronous clients; never block them
 * @param shared    resources that outlive a revision (a Redis connection, a JWKS cache), closed with the gateway
 */
public record PluginContext(Clock clock, Ticker ticker, GatewayConfig config, EventLoopGroup loops, SharedResources shared) {

    /** A monotonic clock in nanoseconds. */
    @FunctionalInterface
    public interface Ticker {
        Ticker SYSTEM = System::nanoTime;

        long nanos();
    }

    public Map<String, ConsumerConfig> consumers() {
        return config.consumers();
    }
}
