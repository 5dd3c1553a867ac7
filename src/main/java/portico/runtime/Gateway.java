package portico.runtime;

import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import java.net.InetSocketAddress;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.random.RandomGenerator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import portico.config.GatewayConfig;
import portico.net.Transport;
import portico.plugin.PluginContext;
import portico.plugin.RoutePlugins;
import portico.plugin.SharedResources;
import portico.route.RouteTable;
import portico.server.GatewayServer;
import portico.server.ListenException;
import portico.upstream.Service;
import portico.upstream.TimeSource;
import portico.upstream.UpstreamClient;

/**
 * A running gateway: event loops, upstream client, data-plane listeners and the current
 * revision. {@code portico run}, the demo and the tests all start it through {@link #start}.
 */
public final class Gateway implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Gateway.class);

    private final EventLoopGroup workers;
    private final UpstreamClient upstreams;
    private final GatewayServer server;
    private final List<InetSocketAddress> addresses;
    private final AtomicLong revisions = new AtomicLong();
    private final Duration grace;
    private final SharedResources shared = new SharedResources();
    private final Clock clock;
    private final PluginContext.Ticker ticker;

    private Gateway(GatewayConfig config, Clock clock, PluginContext.Ticker ticker, RandomGenerator random) throws Exception {
        this.clock = clock;
        this.ticker = ticker;
        // Plugins and resilience (breakers, ejections, retry budgets) read the same time.
        TimeSource time = TimeSource.of(clock, ticker::nanos);
        Transport transport = Transport.best();
        // One loop per core: each client connection and its upstream connections share one.
        workers = new MultiThreadIoEventLoopGroup(Runtime.getRuntime().availableProcessors(), transport.ioHandlerFactory());
        upstreams = new UpstreamClient(transport, workers, time, random);
        grace = config.shutdownGrace();
        try {
            server = new GatewayServer(transport, workers, compile(config));
            addresses = server.bind(config.listen());
        } catch (Exception e) {
            close();
            throw e;
        }
        for (InetSocketAddress a : addresses) {
            // [::]:8080, not 0:0:0:0:0:0:0:0:8080
            String address = ListenException.address(io.netty.util.NetUtil.toAddressString(a.getAddress()), a.getPort());
            log.info("listening on {} ({}, {}, {})", address, transport.name(), count(config.routes().size(), "route"),
                    count(config.services().size(), "service"));
        }
    }

    private static String count(int n, String noun) {
        return n + " " + noun + (n == 1 ? "" : "s");
    }

    /** Starts a gateway for a config that has passed validation. */
    public static Gateway start(GatewayConfig config) throws Exception {
        return new Gateway(config, Clock.systemUTC(), PluginContext.Ticker.SYSTEM, TimeSource.THREAD_LOCAL_RANDOM);
    }

    /** As {@link #start(GatewayConfig)}, with the clocks that plugins read (tests move them by hand). */
    public static Gateway start(GatewayConfig config, Clock clock, PluginContext.Ticker ticker) throws Exception {
        return new Gateway(config, clock, ticker, TimeSource.THREAD_LOCAL_RANDOM);
    }

    /**
     * As {@link #start(GatewayConfig)}, with the time (for plugins and resilience alike) and the
     * randomness (balancing, jitter) injected.
     */
    public static Gateway start(GatewayConfig config, TimeSource time, RandomGenerator random) throws Exception {
        return new Gateway(config, time.clock(), time::nanoTime, random);
    }

    private Revision compile(GatewayConfig config) {
        RouteTable routes = RouteTable.compile(config.routes());
        Map<String, Service> services = upstreams.services(config.services());
        RoutePlugins plugins = RoutePlugins.compile(config, new PluginContext(clock, ticker, config, workers, shared));
        return new Revision(revisions.incrementAndGet(), config, routes, services, plugins);
    }

    public List<InetSocketAddress> addresses() {
        return addresses;
    }

    /** The first listener's port; tests bind to port 0 and ask. */
    public int port() {
        return addresses.get(0).getPort();
    }

    public Revision revision() {
        return server.revision();
    }

    public int inFlight() {
        return server.inFlight();
    }

    /** Client connections open now, counted against {@code limits.max_connections}. */
    public int openConnections() {
        return server.openConnections();
    }

    /** Refuses new connections, finishes in-flight exchanges within the grace period, then stops. */
    public boolean shutdown() throws InterruptedException {
        boolean clean = server.drain(grace);
        close();
        return clean;
    }

    @Override
    public void close() {
        if (server != null) {
            server.close();
            UpstreamClient.close(server.revision().services());
            server.revision().plugins().close();
        }
        shared.close();
        upstreams.close();
        workers.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
    }
}
