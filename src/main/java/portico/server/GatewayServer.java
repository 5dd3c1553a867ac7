package portico.server;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.util.concurrent.GlobalEventExecutor;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import portico.config.Limits;
import portico.config.ListenerConfig;
import portico.http.ServerCodec;
import portico.net.Transport;
import portico.runtime.Revision;

/**
 * The data plane: listeners, the event loops shared with the upstream client, the current
 * {@link Revision}, and the accounting that graceful shutdown needs (open connections,
 * in-flight exchanges).
 */
public final class GatewayServer implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(GatewayServer.class);

    private final Transport transport;
    private final EventLoopGroup workers;
    private final EventLoopGroup boss;
    private final AtomicReference<Revision> revision;
    private final ChannelGroup connections = new DefaultChannelGroup("portico-clients", GlobalEventExecutor.INSTANCE);
    private final AtomicInteger open = new AtomicInteger();
    private final AtomicInteger inFlight = new AtomicInteger();
    private final List<Channel> listeners = new ArrayList<>();
    private volatile boolean draining;

    public GatewayServer(Transport transport, EventLoopGroup workers, Revision initial) {
        this.transport = transport;
        this.workers = workers;
        this.boss = new MultiThreadIoEventLoopGroup(1, transport.ioHandlerFactory());
        this.revision = new AtomicReference<>(initial);
    }

    /**
     * Binds every configured address; on any failure nothing stays bound.
     *
     * @throws ListenException naming the address that could not be bound, and why
     */
    public List<InetSocketAddress> bind(List<ListenerConfig> addresses) throws Exception {
        List<InetSocketAddress> bound = new ArrayList<>();
        try {
            for (ListenerConfig l : addresses) {
                SslContext ssl = l.tls() == null ? null
                        : SslContextBuilder.forServer(l.tls().cert().toFile(), l.tls().key().toFile()).build();
                Channel ch;
                try {
                    ch = new ServerBootstrap()
                            .group(boss, workers)
                            .channel(transport.serverChannel())
                            .option(ChannelOption.SO_BACKLOG, 1024)
                            .childOption(ChannelOption.AUTO_READ, false)
                            .childOption(ChannelOption.TCP_NODELAY, true)
                            .childHandler(new Initializer(ssl))
                            .bind(l.host(), l.port()).sync().channel();
                } catch (Exception e) {
                    // sync() rethrows the bind's IOException undeclared (BindException on NIO, NativeIoException on epoll)
                    if (e instanceof java.io.IOException) throw new ListenException(ListenException.address(l.host(), l.port()), e);
                    throw e;
                }
                listeners.add(ch);
                bound.add((InetSocketAddress) ch.localAddress());
            }
        } catch (Exception e) {
            listeners.forEach(Channel::close);
            listeners.clear();
            throw e;
        }
        return bound;
    }

    public Revision revision() {
        return revision.get();
    }

    /** Atomically replaces the config that new exchanges see; running exchanges keep theirs. */
    public Revision swap(Revision next) {
        return revision.getAndSet(next);
    }

    Limits limits() {
        return revision.get().config().limits();
    }

    boolean draining() {
        return draining;
    }

    void exchangeStarted() {
        inFlight.incrementAndGet();
    }

    void exchangeEnded() {
        inFlight.decrementAndGet();
    }

    public int inFlight() {
        return inFlight.get();
    }

    public int openConnections() {
        return open.get();
    }

    /**
     * Stops accepting, lets in-flight exchanges finish (their answers carry
     * {@code Connection: close}), closes idle keep-alive connections, and waits up to
     * {@code grace} for the rest. Called from a non-event-loop thread (the shutdown hook).
     *
     * @return true when everything finished within the grace period
     */
    public boolean drain(Duration grace) throws InterruptedException {
        draining = true;
        for (Channel l : listeners) l.close().sync();
        // Idle connections (waiting for a head) close now; busy ones close after their answer.
        for (Channel c : connections) {
            c.eventLoop().execute(() -> {
                ExchangeHandler h = c.pipeline().get(ExchangeHandler.class);
                if (h != null) h.closeIfIdle();
            });
        }
        long deadline = System.nanoTime() + grace.toNanos();
        while (inFlight.get() > 0 && System.nanoTime() < deadline) {
            Thread.sleep(20);  // shutdown thread only: polling a counter is simpler than a latch per exchange
        }
        boolean clean = inFlight.get() == 0;
        if (!clean) log.warn("shutdown grace of {} ran out with {} requests in flight", grace, inFlight.get());
        connections.close().awaitUninterruptibly(2, TimeUnit.SECONDS);
        return clean;
    }

    @Override
    public void close() {
        listeners.forEach(Channel::close);
        connections.close().awaitUninterruptibly(2, TimeUnit.SECONDS);
        boss.shutdownGracefully(0, 1, TimeUnit.SECONDS);
    }

    private final class Initializer extends ChannelInitializer<SocketChannel> {
        private final SslContext ssl;

        Initializer(SslContext ssl) {
            this.ssl = ssl;
        }

        @Override
        protected void initChannel(SocketChannel ch) {
            Limits limits = limits();
            if (open.incrementAndGet() > limits.maxConnections() || draining) {
                open.decrementAndGet();
                ch.close();
                return;
            }
            ch.closeFuture().addListener(f -> open.decrementAndGet());
            connections.add(ch);
            ChannelPipeline p = ch.pipeline();
            if (ssl != null) p.addLast("tls", ssl.newHandler(ch.alloc()));
            ExchangeHandler exchange = new ExchangeHandler(GatewayServer.this, ssl != null);
            p.addLast("watch", new ChannelInboundHandlerAdapter() {
                @Override
                public void channelRead(ChannelHandlerContext ctx, Object msg) {
                    exchange.onBytes();
                    ctx.fireChannelRead(msg);
                }
            });
            // The request line limit is the URI limit plus room for the method and version (the
            // exact URI limit is ExchangeHandler's). ServerCodec, not HttpServerCodec: it also
            // refuses obs-fold and sloppy request lines, which Netty's decoder lets through.
            p.addLast("codec", new ServerCodec(new HttpDecoderConfig()
                    .setMaxInitialLineLength((int) limits.maxUriBytes() + 32)
                    .setMaxHeaderSize((int) limits.maxHeaderBytes())
                    .setMaxChunkSize(64 * 1024)
                    .setStrictLineParsing(true)
                    .setUseRfc9112TransferEncoding(true)
                    .setAllowDuplicateContentLengths(false)));
            p.addLast("exchange", exchange);
        }
    }
}
