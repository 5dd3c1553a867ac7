package portico.upstream;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelOption;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.pool.AbstractChannelPoolHandler;
import io.netty.channel.pool.ChannelHealthChecker;
import io.netty.channel.pool.ChannelPool;
import io.netty.channel.pool.FixedChannelPool;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.timeout.IdleStateHandler;
import io.netty.resolver.AddressResolverGroup;
import io.netty.resolver.ResolvedAddressTypes;
import io.netty.resolver.dns.DnsAddressResolverGroup;
import io.netty.resolver.dns.DnsNameResolverBuilder;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.random.RandomGenerator;
import javax.net.ssl.SSLException;
import portico.config.ServiceConfig;
import portico.config.TargetConfig;
import portico.config.Timeouts;
import portico.net.Transport;

/**
 * Creates the runtime {@link Service}s (with their balancers, breakers, retry budgets and health
 * checks) and their connection pools. Pools are Netty's
 * {@link FixedChannelPool}: bounded, LIFO (warm connections first), health-checked on acquire and
 * release. Names are resolved by Netty's asynchronous DNS resolver, never on an event loop.
 */
public final class UpstreamClient implements AutoCloseable {
    /** Connections per target per event loop; past it, acquirers wait up to the connect timeout. */
    static final int MAX_CONNECTIONS_PER_LOOP = 1024;
    static final int MAX_PENDING_ACQUIRES = 8192;
    /** The largest response head (status line and headers) read from an upstream. */
    static final int MAX_RESPONSE_HEAD_BYTES = 64 * 1024;

    private final Transport transport;
    private final AddressResolverGroup<InetSocketAddress> resolver;
    private final SslContext tls;
    private final EventLoopGroup loops;
    private final TimeSource time;
    private final RandomGenerator random;

    /**
     * @param loops  the event loops that serve clients; active health checks run on them
     * @param time   for breakers, ejections and the retry budget ({@link TimeSource#SYSTEM} outside tests)
     * @param random for balancing, jitter and probe spreading
     */
    public UpstreamClient(Transport transport, EventLoopGroup loops, TimeSource time, RandomGenerator random) {
        this.transport = transport;
        this.loops = loops;
        this.time = time;
        this.random = random;
        this.resolver = new DnsAddressResolverGroup(new DnsNameResolverBuilder()
                .datagramChannelType(transport.datagramChannel())
                .socketChannelType(transport.socketChannel())
                .resolvedAddressTypes(ResolvedAddressTypes.IPV4_PREFERRED));
        try {
            this.tls = SslContextBuilder.forClient().build();
        } catch (SSLException e) {
            throw new IllegalStateException("cannot set up TLS for upstreams", e);
        }
    }

    public Map<String, Service> services(Map<String, ServiceConfig> configs) {
        Map<String, Service> out = new LinkedHashMap<>();
        for (ServiceConfig sc : configs.values()) {
            List<Target> targets = new ArrayList<>();
            for (TargetConfig tc : sc.targets()) {
                targets.add(new Target(tc, loop -> newPool(tc, sc.timeouts(), loop)));
            }
            out.put(sc.name(), new Service(sc, targets, time, random, loops));
        }
        return out;
    }

    /** Stops the services' health checks and closes their pools. */
    public static void close(Map<String, Service> services) {
        services.values().forEach(Service::close);
    }

    private ChannelPool newPool(TargetConfig target, Timeouts timeouts, EventLoop loop) {
        Bootstrap b = new Bootstrap()
                .group(loop)
                .channel(transport.socketChannel())
                .resolver(resolver)
                .remoteAddress(InetSocketAddress.createUnresolved(target.host(), target.port()))
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) Math.min(Integer.MAX_VALUE, timeouts.connect().toMillis()))
                .option(ChannelOption.AUTO_READ, false)
                .option(ChannelOption.TCP_NODELAY, true);
        long idleMillis = timeouts.idle().toMillis();
        AbstractChannelPoolHandler handler = new AbstractChannelPoolHandler() {
            @Override
            public void channelCreated(Channel ch) {
                ChannelPipeline p = ch.pipeline();
                if (target.tls()) p.addLast(tls.newHandler(ch.alloc(), target.host(), target.port()));
                p.addLast(new HttpClientCodec(new HttpDecoderConfig().setMaxHeaderSize(MAX_RESPONSE_HEAD_BYTES), false, false));
                p.addLast(new IdleStateHandler(0, 0, idleMillis, TimeUnit.MILLISECONDS));
                p.addLast(new UpstreamHandler());
            }
        };
        return new FixedChannelPool(b, handler, ChannelHealthChecker.ACTIVE, FixedChannelPool.AcquireTimeoutAction.FAIL,
                Math.max(1, timeouts.connect().toMillis()), MAX_CONNECTIONS_PER_LOOP, MAX_PENDING_ACQUIRES, true, true);
    }

    private static final io.netty.util.AttributeKey<Boolean> USED = io.netty.util.AttributeKey.valueOf("portico.upstream.used");

    /**
     * Marks a connection as carrying a request.
     *
     * @return whether it carried one before: only a reused connection can be one the upstream is
     *         closing just as the request arrives
     */
    public static boolean markUsed(Channel ch) {
        return Boolean.TRUE.equals(ch.attr(USED).getAndSet(Boolean.TRUE));
    }

    public static void bind(Channel ch, UpstreamListener listener) {
        UpstreamHandler.bind(ch, listener);
    }

    /** Gives a connection back for reuse; a read is kept pending so that a close by the peer is seen at once. */
    public static void release(Target target, Channel ch) {
        UpstreamHandler.unbind(ch);
        if (ch.isActive()) ch.read();
        target.pool((EventLoop) ch.eventLoop()).release(ch);
    }

    /** Closes a connection that cannot be reused and gives its pool slot back. */
    public static void discard(Target target, Channel ch) {
        UpstreamHandler.unbind(ch);
        ch.close();
        target.pool((EventLoop) ch.eventLoop()).release(ch);
    }

    @Override
    public void close() {
        resolver.close();
    }
}
