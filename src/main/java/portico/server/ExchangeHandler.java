package portico.server;

import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.NetUtil;
import io.netty.util.ReferenceCountUtil;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayDeque;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import portico.error.ErrorKind;
import portico.error.GatewayException;
import portico.error.ProblemResponse;
import portico.http.Exchange;
import portico.http.HeaderNames;
import portico.http.RequestIds;
import portico.http.ServerCodec;
import portico.route.BadPathException;
import portico.route.PathNormalizer;
import portico.route.Preflights;
import portico.route.RequestFacts;
import portico.route.RouteMatch;
import portico.runtime.Revision;
import portico.upstream.Service;

/**
 * One client connection: reads a request head, routes it, and hands the exchange to a
 * {@link Relay}; one exchange at a time, reading the next head only after the answer is written
 * (reads are on demand, so pipelined requests wait in the socket, in order). Also owns the
 * connection's clocks: the head timeout (408) and the keep-alive idle timeout.
 */
final class ExchangeHandler extends ChannelInboundHandlerAdapter {
    private static final Logger log = LoggerFactory.getLogger(ExchangeHandler.class);
    /** After an early error, how much of an unwanted request body is read and dropped before closing. */
    private static final long DISCARD_LIMIT = 1024 * 1024;

    private enum State { AWAIT_HEAD, ROUTING, RELAYING, DISCARDING, CLOSED }

    private final GatewayServer server;
    private final boolean tls;
    private ChannelHandlerContext ctx;
    private State state = State.AWAIT_HEAD;
    private boolean bytesSinceLastExchange;
    /** The decoder in front of this handler; it knows whether part of the next head has arrived. */
    private ServerCodec codec;
    /** The head timeout, the keep-alive idle timeout and the discard window: one at a time. */
    private ConnectionTimer timer;
    /** Lent to each exchange's Relay for timeouts.response. */
    private ConnectionTimer responseTimer;
    private boolean firstExchange = true;
    private Relay relay;
    /** The TCP peer and its text, fixed for the connection's life. */
    private InetAddress peer;
    private String peerText;
    private long discarded;
    private final ArrayDeque<Object> queued = new ArrayDeque<>(2);
    private final Runnable onHeadTimer = () -> onTimer(true);
    private final Runnable onIdleTimer = () -> onTimer(false);

    ExchangeHandler(GatewayServer server, boolean tls) {
        this.server = server;
        this.tls = tls;
    }

    /** Called by the handler in front of the HTTP decoder whenever raw bytes arrive. */
    void onBytes() {
        if (state == State.AWAIT_HEAD && !bytesSinceLastExchange) {
            bytesSinceLastExchange = true;
            // From the first byte of a head, the client has header_timeout to finish it (slowloris).
            arm(server.limits().headerTimeout().toMillis(), true);
        }
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
        this.codec = ctx.pipeline().get(ServerCodec.class);
        this.timer = new ConnectionTimer(ctx.executor());
        this.responseTimer = new ConnectionTimer(ctx.executor());
    }

    String peerText() {
        return peerText;
    }

    ConnectionTimer responseTimer() {
        return responseTimer;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        awaitHead();
        ctx.fireChannelActive();
    }

    private void awaitHead() {
        state = State.AWAIT_HEAD;
        bytesSinceLastExchange = false;
        relay = null;
        if (server.draining() && !firstExchange) {
            ctx.close();
            return;
        }
        if (queued.isEmpty() && codec != null && codec.headStarted()) {
            // Part of the next head came with or during the last exchange: its clock runs from now.
            bytesSinceLastExchange = true;
            arm(server.limits().headerTimeout().toMillis(), true);
        } else {
            // A new connection must start its request within header_timeout; an idle keep-alive one is kept longer.
            long idle = firstExchange ? server.limits().headerTimeout().toMillis() : server.limits().keepAliveTimeout().toMillis();
            arm(idle, false);
        }
        if (queued.isEmpty()) {
            ctx.read();
            return;
        }
        dispatch(queued.poll());
        // Its body parts, up to the next pipelined head (a nested awaitHead may have taken them already).
        while (!queued.isEmpty() && !(queued.peek() instanceof HttpRequest)
                && (state == State.ROUTING || state == State.RELAYING)) {
            dispatch(queued.poll());
        }
    }

    private void arm(long millis, boolean headStarted) {
        timer.arm(TimeUnit.MILLISECONDS.toNanos(millis), headStarted ? onHeadTimer : onIdleTimer);
    }

    private void cancelTimer() {
        timer.disarm();
    }

    private void onTimer(boolean headStarted) {
        if (state == State.DISCARDING) {
            close();
            return;
        }
        if (state != State.AWAIT_HEAD) return;
        if (headStarted) {
            state = State.CLOSED;
            GatewayException e = new GatewayException(ErrorKind.REQUEST_TIMEOUT, "the request head took longer than limits.header_timeout");
            // No head, so no incoming id to keep; every response still carries one (CONTRACT section 3).
            FullHttpResponse res = ProblemResponse.of(ctx.alloc(), e, RequestIds.generate());
            res.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
            ctx.writeAndFlush(res).addListener(ChannelFutureListener.CLOSE);
        } else {
            ctx.close();
        }
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if ((state == State.ROUTING || state == State.RELAYING) && (msg instanceof HttpRequest || !queued.isEmpty())) {
            // A pipelined request: it waits, in order, until the current exchange is answered.
            queued.add(msg);
            return;
        }
        dispatch(msg);
    }

    private void dispatch(Object msg) {
        if (msg instanceof HttpRequest req) {
            onHead(req);
            if (msg instanceof HttpContent c) onContent(c);  // a FullHttpRequest is head and body at once
            return;
        }
        if (msg instanceof HttpContent c) {
            onContent(c);
            return;
        }
        ReferenceCountUtil.release(msg);
    }

    private void onContent(HttpContent c) {
        switch (state) {
            case ROUTING, RELAYING -> {
                if (c.decoderResult().isFailure()) {
                    c.release();
                    relay.clientBodyFailed(FramingGuard.fromDecoderFailure(c.decoderResult().cause()));
                    return;
                }
                relay.clientContent(c);
            }
            case DISCARDING -> {
                discarded += c.content().readableBytes();
                boolean last = c instanceof LastHttpContent;
                c.release();
                if (last || discarded > DISCARD_LIMIT) close();
            }
            default -> c.release();
        }
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        if (state == State.RELAYING || state == State.ROUTING) {
            relay.clientReadComplete();
        } else if (state == State.DISCARDING) {
            ctx.read();
        }
    }

    private void onHead(HttpRequest req) {
        cancelTimer();
        if (state != State.AWAIT_HEAD) {
            // Cannot happen with on-demand reads; refuse rather than interleave two exchanges.
            ReferenceCountUtil.release(req);
            close();
            return;
        }
        firstExchange = false;
        server.exchangeStarted();
        Revision revision = server.revision();
        if (peer == null) {
            peer = ((InetSocketAddress) ctx.channel().remoteAddress()).getAddress();
            peerText = NetUtil.toAddressString(peer);
        }
        String incomingId = req.headers().get(HeaderNames.X_REQUEST_ID);
        String requestId = RequestIds.acceptable(incomingId) ? incomingId : RequestIds.generate();
        String clientIp = revision.clientAddress().resolve(peer, peerText, req.headers());

        GatewayException refused = FramingGuard.check(req);
        String uri = req.uri();
        int q = uri.indexOf('?');
        String rawPath = q < 0 ? uri : uri.substring(0, q);
        String rawQuery = q < 0 ? null : uri.substring(q + 1);
        String path = null;
        if (refused == null) {
            try {
                path = PathNormalizer.normalize(rawPath);
            } catch (BadPathException e) {
                refused = new GatewayException(ErrorKind.MALFORMED, e.getMessage());
            }
        }
        if (refused != null) {
            refuse(refused, requestId);
            return;
        }
        Exchange ex = new Exchange(req, ctx.channel().eventLoop(), requestId, clientIp, System.nanoTime(),
                path, rawQuery);
        state = State.ROUTING;
        relay = new Relay(this, ctx, ex, revision, server, tls, peer);
        if (uri.length() > revision.config().limits().maxUriBytes()) {
            // The decoder's line limit leaves room for the method and version, so it is only a
            // backstop; this is the exact limit. The head parsed, so the connection may go on.
            relay.failBeforeUpstream(new GatewayException(ErrorKind.URI_TOO_LONG, "the request target of " + uri.length()
                    + " bytes is longer than limits.max_uri_bytes"), false);
            return;
        }
        long declared = HttpUtil.getContentLength(req, -1L);
        // Forwarded in its plain spelling ("005" becomes "5"): some parsers read a leading zero as octal.
        if (declared >= 0) req.headers().set(HttpHeaderNames.CONTENT_LENGTH, declared);
        if (declared > server.limits().maxBodyBytes()) {
            relay.failBeforeUpstream(new GatewayException(ErrorKind.BODY_TOO_LARGE,
                    "the request body of " + declared + " bytes is larger than limits.max_body_bytes"), false);
            return;
        }
        RequestFacts facts = new RequestFacts(req.method().name(), host(req), path, req.headers(), query(rawQuery));
        RouteMatch match = revision.routes().match(facts);
        String preflightBy = Preflights.routeBy(revision.routes(), facts, match, r -> revision.chain(r).runs("cors"));
        if (preflightBy != null) match = revision.routes().match(Preflights.as(facts, preflightBy));
        if (match instanceof RouteMatch.Found found) {
            Service service = revision.service(found.route());  // null for an aggregate route
            ex.routed(found.route().name(), service == null ? null : service.name());
            relay.start(found, service);
        } else if (match instanceof RouteMatch.MethodNotAllowed mna) {
            GatewayException e = new GatewayException(ErrorKind.METHOD_NOT_ALLOWED,
                    "no route accepts " + req.method() + " for " + path);
            e.header(HttpHeaderNames.ALLOW, String.join(", ", mna.allowed()));
            relay.failBeforeUpstream(e, false);
        } else {
            relay.failBeforeUpstream(new GatewayException(ErrorKind.NO_ROUTE, "no route for " + req.method() + " " + path), false);
        }
    }

    /**
     * Framing is in doubt, so nothing after this head can be trusted: answer and close. No Relay:
     * it would read the very headers that were refused (a Content-Length of "5, 5" throws there).
     */
    private void refuse(GatewayException e, String requestId) {
        state = State.CLOSED;  // dispatch() then releases the body part of a refused FullHttpRequest
        server.exchangeEnded();
        FullHttpResponse res = ProblemResponse.of(ctx.alloc(), e, requestId);
        res.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
        ctx.writeAndFlush(res).addListener(ChannelFutureListener.CLOSE);
    }

    private static String host(HttpRequest req) {
        String h = req.headers().get(HttpHeaderNames.HOST);
        if (h == null) return null;
        int end = h.length();
        if (h.startsWith("[")) {
            int close = h.indexOf(']');
            return close < 0 ? h.toLowerCase(Locale.ROOT) : h.substring(0, close + 1).toLowerCase(Locale.ROOT);
        }
        int colon = h.indexOf(':');
        if (colon >= 0) end = colon;
        if (end > 0 && h.charAt(end - 1) == '.') end--;
        return h.substring(0, end).toLowerCase(Locale.ROOT);
    }

    private static Map<String, java.util.List<String>> query(String rawQuery) {
        if (rawQuery == null || rawQuery.isEmpty()) return Map.of();
        return new io.netty.handler.codec.http.QueryStringDecoder(rawQuery, false).parameters();
    }

    /** The relay finished the exchange; the connection goes on only if both sides agreed to keep it. */
    void exchangeDone(boolean keepAlive) {
        server.exchangeEnded();
        if (state == State.CLOSED) return;
        if (keepAlive && !server.draining() && ctx.channel().isActive()) {
            awaitHead();
        } else {
            state = State.CLOSED;
            ctx.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
        }
    }

    /** After an early answer, drop what is left of the request body for a while, then close. */
    void discardRestThenClose() {
        server.exchangeEnded();
        state = State.DISCARDING;
        discarded = 0;
        arm(2000, false);
        ctx.read();
    }

    /** Graceful shutdown: a connection between exchanges closes now; a busy one closes after its answer. */
    void closeIfIdle() {
        if (state == State.AWAIT_HEAD && !bytesSinceLastExchange) close();
    }

    void close() {
        if (state != State.CLOSED) {
            state = State.CLOSED;
            ctx.close();
        }
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        if (relay != null && (state == State.RELAYING || state == State.ROUTING)) relay.clientWritabilityChanged(ctx.channel().isWritable());
        ctx.fireChannelWritabilityChanged();
    }

    void relaying() {
        if (state == State.ROUTING) state = State.RELAYING;
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        timer.stop();
        responseTimer.stop();
        for (Object m; (m = queued.poll()) != null; ) ReferenceCountUtil.release(m);
        State was = state;
        state = State.CLOSED;
        if (relay != null && (was == State.ROUTING || was == State.RELAYING)) relay.clientClosed();
        ctx.fireChannelInactive();
    }

    /**
     * The peer's doing (a reset, a bad TLS record) closes the connection quietly; anything else
     * thrown while an exchange runs is the gateway's own failure, and the relay still answers it
     * (see Relay#crashed). Memory that ran out is always logged.
     */
    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        boolean peer = cause instanceof java.io.IOException || cause.getCause() instanceof java.io.IOException;
        if (!peer && relay != null && (state == State.ROUTING || state == State.RELAYING)) {
            relay.crashed(cause);
            return;
        }
        if (cause instanceof Error) log.error("client connection failed", cause);
        else log.debug("client connection failed: {}", cause.toString());
        ctx.close();
    }

    static FullHttpResponse continueResponse() {
        return new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.CONTINUE, Unpooled.EMPTY_BUFFER);
    }

    static boolean clientKeepAlive(HttpRequest req) {
        return HttpUtil.isKeepAlive(req);
    }

    static HttpHeaders headers(HttpRequest req) {
        return req.headers();
    }
}
