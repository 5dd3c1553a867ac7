package portico.server;

import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.NetUtil;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.ScheduledFuture;
import java.net.InetAddress;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.DefaultLastHttpContent;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import portico.aggregate.AggregateAnswer;
import portico.aggregate.AggregateDestination;
import portico.error.ErrorKind;
import portico.error.GatewayException;
import portico.error.ProblemResponse;
import portico.http.Exchange;
import portico.http.HopByHop;
import portico.plugin.BodyTransform;
import portico.plugin.Plugin;
import portico.plugin.PluginChain;
import portico.plugin.Verdict;
import portico.route.RouteMatch;
import portico.runtime.Revision;
import portico.upstream.Attempt;
import portico.upstream.Failure;
import portico.upstream.Outcome;
import portico.upstream.Service;
import portico.upstream.Target;
import portico.upstream.UpstreamClient;
import portico.upstream.UpstreamListener;
import portico.upstream.retry.ReplayBuffer;
import portico.upstream.retry.RetryPolicy;
import portico.upstream.retry.RetryState;

/**
 * Moves one exchange between the client connection and a pooled upstream connection, both on the
 * same event loop. Bodies stream in both directions with backpressure: a side is read only while
 * the other side is writable, so memory stays bounded whatever the body size. Every way an
 * exchange can end passes through {@link #finish}, exactly once.
 */
final class Relay implements UpstreamListener {
    private static final Logger log = LoggerFactory.getLogger(Relay.class);

    private final ExchangeHandler owner;
    private final ChannelHandlerContext client;
    private final Exchange ex;
    private final Revision revision;
    private final GatewayServer server;
    private final boolean tls;
    private final InetAddress peer;
    private final ArrayDeque<HttpContent> pending = new ArrayDeque<>(4);
    private final boolean clientKeepAlive;
    /** False for a request without a body: its decoder's empty terminator is ignored and one is written per attempt. */
    private final boolean bodyExpected;

    private Service service;
    private Target target;
    private Channel upstream;
    private HttpRequest upstreamHead;
    private boolean preserveHost;
    private boolean expectContinue;
    private boolean requestComplete;
    private boolean requestSent;
    private boolean responseStarted;
    private boolean skippingInformational;
    private boolean upstreamKeepAlive;
    private boolean closeDelimited;
    private boolean finished;
    /** Set once the exchange was handed back to the connection (exactly once, see #end). */
    private boolean ended;
    private boolean reusedConnection;
    private boolean retriedStale;
    private long bodyBytes;
    private ScheduledFuture<?> responseTimer;
    // Resilience: one attempt per target tried; see #connect and #attemptFailed.
    private Boolean routeNonIdempotent;
    private RetryState retry;
    private ReplayBuffer replay;
    private Attempt attempt;
    private String balanceKey;
    private ScheduledFuture<?> backoffTimer;

    // Body transforms and aggregation: see the sections of those names below.
    private AggregateDestination aggregate;
    /** The aggregate's answer while its parts are called; cancelled when the exchange ends first. */
    private CompletableFuture<AggregateAnswer> aggregating;
    /** Non-null while the request body is held for a plugin's body transform. */
    private List<BodyTransform> requestTransforms;
    private long requestHoldLimit;
    private ScheduledFuture<?> requestHoldTimer;
    /** Non-null while the response body is held for a plugin's body transform. */
    private List<BodyTransform> responseTransforms;
    private long responseHoldLimit;
    private DefaultHttpResponse heldHead;
    private boolean heldChunked;
    private final ArrayDeque<HttpContent> heldResponse = new ArrayDeque<>(4);
    private long heldResponseBytes;

    Relay(ExchangeHandler owner, ChannelHandlerContext client, Exchange ex, Revision revision, GatewayServer server,
          boolean tls, InetAddress peer) {
        this.owner = owner;
        this.client = client;
        this.ex = ex;
        this.revision = revision;
        this.server = server;
        this.tls = tls;
        this.peer = peer;
        this.clientKeepAlive = HttpUtil.isKeepAlive(ex.request());
        HttpRequest req = ex.request();
        this.bodyExpected = HttpUtil.isTransferEncodingChunked(req) || HttpUtil.getContentLength(req, 0L) > 0;
        this.requestComplete = !bodyExpected;
    }

    // ---- request direction ----------------------------------------------------------------

    void start(RouteMatch.Found match, Service service) {
        this.service = service;
        if (service == null) aggregate = revision.aggregate(match.route());
        this.preserveHost = match.route().preserveHost();
        HttpRequest req = ex.request();
        expectContinue = HttpUtil.is100ContinueExpected(req);
        routeNonIdempotent = match.route().retryNonIdempotent();
        ex.captures(match.captures());
        ex.upstreamTarget(upstreamUri(match));
        ex.upstreamHeaders(upstreamHeaders(match));
        CompletableFuture<Verdict> verdict = revision.chain(match.route()).onRequest(ex).toCompletableFuture();
        if (verdict.isDone()) {
            // A plugin that refused at once (cors, acl, ip_restriction) hands back an already failed stage.
            Verdict v = null;
            Throwable err = null;
            try {
                v = verdict.getNow(null);
            } catch (CompletionException | java.util.concurrent.CancellationException e) {
                err = e;
            }
            afterPlugins(v, err);
        } else {
            // An asynchronous plugin (JWKS, Redis) may complete on another thread; the exchange is the loop's.
            verdict.whenComplete((v, err) -> {
                if (ex.eventLoop().inEventLoop()) guarded(() -> afterPlugins(v, err));
                else ex.eventLoop().execute(() -> guarded(() -> afterPlugins(v, err)));
            });
        }
    }

    /**
     * An asynchronous step (plugins, aggregation) failed: an expected GatewayException is answered as
     * such; anything else is a bug, logged with its stack and answered 500 without its message.
     */
    private void failFromStage(Throwable err, String what) {
        Throwable cause = err instanceof CompletionException && err.getCause() != null ? err.getCause() : err;
        if (cause instanceof GatewayException ge) {
            failBeforeResponse(ge);
        } else {
            log.error("{} on {} {}", what, ex.request().method(), ex.path(), cause);
            failBeforeResponse(new GatewayException(ErrorKind.INTERNAL, what + "; see the gateway log"));
        }
    }

    private void afterPlugins(Verdict verdict, Throwable err) {
        if (finished) return;
        if (err != null) {
            failFromStage(err, "a plugin failed");
            return;
        }
        if (verdict instanceof Verdict.Respond r) {
            respondLocally(r);
            return;
        }
        if (aggregate != null) {
            serveAggregate();
            return;
        }
        long declared = HttpUtil.getContentLength(ex.request(), -1L);
        if (declared > ex.maxRequestBody()) {
            failBeforeResponse(tooLarge(declared), false);
            return;
        }
        upstreamHead = new DefaultHttpRequest(HttpVersion.HTTP_1_1, ex.request().method(), ex.upstreamTarget(), ex.upstreamHeaders());
        if (holdRequestBody()) return;
        connect();
    }

    private GatewayException tooLarge(long bytes) {
        String size = bytes < 0 ? "the request body is larger than " : "the request body of " + bytes + " bytes is larger than ";
        return new GatewayException(ErrorKind.BODY_TOO_LARGE, ex.maxRequestBody() < server.limits().maxBodyBytes()
                ? size + "the request_size limit (" + ex.maxRequestBody() + " bytes)"  // the route's, service's or consumer's
                : size + "limits.max_body_bytes");
    }

    private String upstreamUri(RouteMatch.Found match) {
        String path = match.route().stripPrefix() ? match.remainder() : ex.path();
        StringBuilder uri = new StringBuilder(64);
        // The base path is per target; it is added when the target is known (see #onAcquired).
        uri.append(path);
        if (ex.rawQuery() != null) uri.append('?').append(ex.rawQuery());
        return uri.toString();
    }

    private HttpHeaders upstreamHeaders(RouteMatch.Found match) {
        HttpRequest req = ex.request();
        HttpHeaders h = req.headers().copy();
        boolean chunked = HttpUtil.isTransferEncodingChunked(req);
        HopByHop.strip(h);
        stripIdentityHeaders(h);
        if (chunked) h.set(HttpHeaderNames.TRANSFER_ENCODING, HttpHeaderValues.CHUNKED);
        // The gateway answers 100-continue itself once it is ready for the body (see #onAcquired).
        h.remove(HttpHeaderNames.EXPECT);
        boolean trusted = revision.clientAddress().isTrusted(peer);
        String peerText = NetUtil.toAddressString(peer);
        String incomingFor = String.join(", ", h.getAll("X-Forwarded-For"));
        if (trusted && !incomingFor.isEmpty()) {
            h.set("X-Forwarded-For", incomingFor + ", " + peerText);
        } else {
            h.set("X-Forwarded-For", peerText);
        }
        String host = req.headers().get(HttpHeaderNames.HOST);
        if (!trusted || !h.contains("X-Forwarded-Proto")) h.set("X-Forwarded-Proto", tls ? "https" : "http");
        if (!trusted || !h.contains("X-Forwarded-Host")) {
            if (host != null) h.set("X-Forwarded-Host", host);
            else h.remove("X-Forwarded-Host");
        }
        if (!trusted) {
            // An untrusted peer's own forwarding claims are discarded (CONTRACT section 5).
            h.remove("Forwarded");
            h.remove("X-Real-IP");
            h.remove("X-Forwarded-Prefix");
            h.remove("X-Forwarded-Port");
        }
        if (match.route().stripPrefix() && !match.matchedPrefix().isEmpty() && !match.matchedPrefix().equals("/")) {
            h.set("X-Forwarded-Prefix", match.matchedPrefix());
        }
        h.set("X-Request-Id", ex.requestId());
        return h;
    }

    /**
     * Identity headers are the gateway's to set (CONTRACT section 5): a client-sent
     * {@code X-Consumer-Name} or {@code X-User-Id}, in any spelling, never reaches a service.
     */
    private void stripIdentityHeaders(HttpHeaders h) {
        java.util.List<String> drop = null;
        for (String name : h.names()) {
            if (revision.plugins().isIdentityHeader(name)) {
                if (drop == null) drop = new java.util.ArrayList<>(2);
                drop.add(name);
            }
        }
        if (drop != null) drop.forEach(h::remove);
    }

    /** Starts an attempt: a target from the service (balancing, health, breaker), then a connection to it. */
    private void connect() {
        backoffTimer = null;
        if (finished) return;
        if (retry == null) {
            HttpRequest req = ex.request();
            // The headers as they go upstream: after plugins, so hash(header:X-User-Id) sees the
            // authenticated user's id, never a client's own claim.
            HttpHeaders sent = upstreamHead.headers();
            retry = service.retries(req.method(), sent, routeNonIdempotent);
            // A body whose declared length is past max_body could never be replayed: hold none of it.
            if (bodyExpected && retry.keepsBody() && HttpUtil.getContentLength(req, -1L) <= retry.maxBody()) {
                replay = new ReplayBuffer(retry.maxBody());
            }
            balanceKey = service.balanceKey(sent, ex.clientIp());
        }
        try {
            attempt = service.select(balanceKey, retry.tried());
        } catch (GatewayException e) {
            failBeforeResponse(e);  // circuit open or no healthy target: a fallback, if the service has one
            return;
        }
        target = attempt.target();
        retry.tried(target);
        ex.target(target.toString());
        acquire();
    }

    private void acquire() {
        Target t = target;
        Future<Channel> acquired;
        try {
            acquired = t.pool(ex.eventLoop()).acquire();
        } catch (RuntimeException e) {
            // A connect that cannot even start (a bad address) sent nothing: a connect failure, 502.
            attemptFailed(Failure.connect(service.name(), t, e));
            return;
        }
        if (acquired.isDone()) onAcquired(t, acquired);
        else acquired.addListener(f -> guarded(() -> onAcquired(t, acquired)));
    }

    private void onAcquired(Target t, Future<Channel> f) {
        if (finished || t != target) {
            if (f.isSuccess()) UpstreamClient.release(t, f.getNow());
            return;
        }
        if (!f.isSuccess()) {
            attemptFailed(Failure.connect(service.name(), target, f.cause()));
            return;
        }
        upstream = f.getNow();
        reusedConnection = UpstreamClient.markUsed(upstream);
        UpstreamClient.bind(upstream, this);
        HttpHeaders h = upstreamHead.headers();
        String base = target.config().basePath();
        HttpRequest head = upstreamHead;
        if (!base.isEmpty()) {
            head = new DefaultHttpRequest(HttpVersion.HTTP_1_1, upstreamHead.method(), base + upstreamHead.uri(), h);
        }
        if (!preserveHost) h.set(HttpHeaderNames.HOST, target.config().authority());
        else if (ex.request().headers().contains(HttpHeaderNames.HOST)) h.set(HttpHeaderNames.HOST, ex.request().headers().get(HttpHeaderNames.HOST));
        upstream.write(head);
        if (expectContinue && !requestComplete) {
            expectContinue = false;
            client.writeAndFlush(ExchangeHandler.continueResponse());
        }
        boolean wroteLast = false;
        if (replay != null) {
            // A retry: what earlier attempts sent of the body goes first (nothing on the first attempt).
            replay.writeTo(upstream);
            wroteLast = replay.hasLast();
        }
        for (HttpContent c; (c = pending.poll()) != null; ) {
            wroteLast |= c instanceof LastHttpContent;
            if (replay != null) replay.add(c);
            upstream.write(c);
        }
        if (requestComplete && !wroteLast) upstream.write(LastHttpContent.EMPTY_LAST_CONTENT);
        upstream.flush();
        if (requestComplete) {
            onRequestSent();
        } else {
            owner.relaying();
            if (upstream.isWritable()) client.read();
        }
        // Read at once: an upstream may answer (e.g. 413) before it has the whole body.
        upstream.read();
    }

    void clientContent(HttpContent c) {
        if (!bodyExpected || finished) {
            c.release();
            return;
        }
        int n = c.content().readableBytes();
        bodyBytes += n;
        ex.addRequestBytes(n);
        boolean last = c instanceof LastHttpContent;
        if (bodyBytes > server.limits().maxBodyBytes() || bodyBytes > ex.maxRequestBody()) {
            c.release();
            clientBodyFailed(tooLarge(-1));
            return;
        }
        if (last) requestComplete = true;
        if (upstream == null) {
            pending.add(c);
            if (requestTransforms != null) onHeldRequestContent();
            return;
        }
        if (replay != null) replay.add(c);
        upstream.write(c);
        if (last) {
            upstream.flush();
            onRequestSent();
        }
    }

    void clientReadComplete() {
        if (requestTransforms != null && !finished) {
            if (!requestComplete) client.read();  // nothing upstream yet: the held body is read as fast as it comes
            return;
        }
        if (upstream == null || finished) return;
        upstream.flush();
        if (!requestComplete && upstream.isWritable()) client.read();
    }

    private void onRequestSent() {
        requestSent = true;
        if (!responseStarted && responseTimer == null) {
            long millis = service.timeouts().response().toMillis();
            responseTimer = client.executor().schedule(() -> guarded(this::onResponseTimeout), millis, TimeUnit.MILLISECONDS);
        }
    }

    private void onResponseTimeout() {
        responseTimer = null;
        if (finished || responseStarted) return;
        attemptFailed(Failure.responseTimeout(service.name(), target, service.timeouts().response().toMillis(), "timeouts.response"));
    }

    /** A chunk that does not parse, or a body over the limit: nothing more of this request can be forwarded. */
    void clientBodyFailed(GatewayException e) {
        if (finished) return;
        if (responseStarted) {
            abort("client body failed after the response began: " + e.getMessage());
        } else {
            failBeforeResponse(e, true);
        }
    }

    @Override
    public void onUpstreamWritabilityChanged(boolean writable) {
        if (writable && !requestComplete && !finished) client.read();
    }

    // ---- response direction ---------------------------------------------------------------

    @Override
    public void onUpstreamMessage(HttpObject msg) {
        if (finished) {
            io.netty.util.ReferenceCountUtil.release(msg);
            return;
        }
        if (msg instanceof HttpResponse r && r.decoderResult().isFailure()) {
            // Netty hands an unreadable head over as a full message: its body part belongs to this
            // failed attempt, not to the retry that attemptFailed may already have started.
            io.netty.util.ReferenceCountUtil.release(msg);
            attemptFailed(Failure.badResponse(service.name(), target, r, r.decoderResult().cause()));
            return;
        }
        if (msg instanceof HttpResponse r) {
            onResponseHead(r);
        }
        if (msg instanceof HttpContent c) {
            onResponseContent(c);
        }
    }

    private void onResponseHead(HttpResponse r) {
        int code = r.status().code();
        if (code >= 100 && code < 200) {
            // Informational answers are the gateway's business with the upstream, not the client's.
            skippingInformational = true;
            return;
        }
        if (retriedOnStatus(code)) return;
        cancelResponseTimer();
        responseStarted = true;
        ex.status(code);
        HttpHeaders h = r.headers();
        boolean chunked = HttpUtil.isTransferEncodingChunked(r);
        upstreamKeepAlive = HttpUtil.isKeepAlive(r);
        HopByHop.strip(h);
        h.set("X-Request-Id", ex.requestId());
        DefaultHttpResponse head = new DefaultHttpResponse(HttpVersion.HTTP_1_1, r.status(), h);
        PluginChain.onResponse(ex, head);
        boolean isHead = ex.request().method().equals(HttpMethod.HEAD);
        boolean bodyless = isHead || code == 204 || code == 304;
        if (!bodyless && holdResponseBody(head, chunked)) return;
        if (isHead && responseTransforms(head) != null) {
            // A GET would be sent transformed, at a length only its body can tell; RFC 9110 section
            // 9.3.2 lets a HEAD answer leave out what only the body determines, never say it wrong.
            head.headers().remove(HttpHeaderNames.CONTENT_LENGTH);
        }
        writeResponseHead(head, bodyless, chunked);
    }

    /** Frames the head for the client (length, chunked or close-delimited; keep-alive) and writes it. */
    private void writeResponseHead(DefaultHttpResponse head, boolean bodyless, boolean chunked) {
        HttpHeaders h = head.headers();
        boolean hasLength = h.contains(HttpHeaderNames.CONTENT_LENGTH);
        boolean http10 = ex.request().protocolVersion().equals(HttpVersion.HTTP_1_0);
        if (!bodyless && !hasLength) {
            if (http10) closeDelimited = true;  // HTTP/1.0 has no chunked: the close ends the body
            else h.set(HttpHeaderNames.TRANSFER_ENCODING, HttpHeaderValues.CHUNKED);
        } else if (chunked && !http10) {
            h.set(HttpHeaderNames.TRANSFER_ENCODING, HttpHeaderValues.CHUNKED);
        }
        if (!clientKeepAlive || closeDelimited || server.draining() || !requestComplete) {
            h.set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
        } else if (http10) {
            h.set(HttpHeaderNames.CONNECTION, HttpHeaderValues.KEEP_ALIVE);
        }
        client.write(head);
    }

    private void onResponseContent(HttpContent c) {
        if (skippingInformational) {
            c.release();
            if (c instanceof LastHttpContent) skippingInformational = false;
            return;
        }
        if (c.decoderResult().isFailure()) {
            c.release();
            if (!responseStarted) {
                attemptFailed(Failure.badBody(service.name(), target));
            } else {
                abort(Outcome.BAD_RESPONSE.reason() + ": malformed response body from " + target);
            }
            return;
        }
        if (!responseStarted) {
            c.release();
            return;
        }
        if (responseTransforms != null && holdResponseContent(c)) return;
        ex.addResponseBytes(c.content().readableBytes());
        if (c instanceof LastHttpContent) {
            client.writeAndFlush(c);
            finish(true);
        } else {
            client.write(c);
        }
    }

    @Override
    public void onUpstreamReadComplete() {
        if (finished) return;
        client.flush();
        if (!responseStarted || client.channel().isWritable()) upstream.read();
    }

    void clientWritabilityChanged(boolean writable) {
        if (writable && upstream != null && responseStarted && !finished) upstream.read();
    }

    @Override
    public void onUpstreamIdle() {
        if (finished) return;
        if (!requestComplete && upstream != null && upstream.isWritable()) {
            // Nothing came from the client for timeouts.idle while its body was streaming.
            failBeforeResponseOrAbort(new GatewayException(ErrorKind.REQUEST_TIMEOUT, "the request body stalled"));
        } else if (!requestComplete && upstream != null) {
            // The upstream stopped reading the body: the response timer has not started (it runs
            // from the end of the request), so without this the exchange would wait for ever.
            Failure f = Failure.idle(service.name(), target, "read none of the request body", service.timeouts().idle().toMillis());
            if (responseStarted) abort(f.error().getMessage());
            else attemptFailed(f);
        } else if (responseStarted) {
            // Backpressure stops reading the upstream while the client is not reading: say whose silence it was.
            abort(client.channel().isWritable()
                    ? Outcome.IDLE_TIMEOUT.reason() + ": no bytes from " + target + " for timeouts.idle while streaming the response"
                    : "client_idle: the client read none of the response for timeouts.idle");
        }
        // Otherwise we are waiting for the response head: timeouts.response governs that.
    }

    @Override
    public void onUpstreamClosed(Throwable cause) {
        Channel gone = upstream;
        upstream = null;
        if (gone != null) UpstreamClient.discard(target, gone);
        if (finished) return;
        if (!responseStarted) {
            // A pooled connection the upstream closed as the request arrived: try once more on a
            // fresh one, but only when nothing is lost by sending it twice — the whole request is
            // at hand (no body, or one the retries keep) and its method is idempotent, since the
            // upstream may have acted on it (RFC 9112 section 9.3.1). Not a retry of the attempt
            // (the target did not fail), so it is neither recorded nor counted.
            if (reusedConnection && !retriedStale && replayable() && RetryPolicy.idempotent(ex.request().method())) {
                retriedStale = true;
                requestSent = false;
                skippingInformational = false;
                cancelResponseTimer();
                acquire();
                return;
            }
            attemptFailed(Failure.reset(service.name(), target, cause));
        } else {
            abort(Outcome.RESET.reason() + ": upstream " + target + " closed mid-response");
        }
    }

    // ---- retries ----------------------------------------------------------------------------

    /**
     * An attempt failed before any response byte reached the client: recorded, then sent again
     * when the service's {@code retries} allow it (see RetryState), else answered with its error.
     */
    private void attemptFailed(Failure f) {
        if (finished) return;
        service.record(attempt, f.outcome());
        long delay = retry.next(f.outcome(), replayable());
        if (delay < 0) {
            log.debug("{} {}: {} from {} ({}), not retried", ex.request().method(), ex.path(), f.outcome().reason(), target,
                    service.name());
            failBeforeResponse(f.error());
            return;
        }
        retryAfter(delay, f.outcome());
    }

    /** Records the attempt's answer; true when it is dropped and the request sent again instead (a {@code retries.on} status). */
    private boolean retriedOnStatus(int code) {
        Outcome o = Outcome.response(code);
        service.record(attempt, o);
        long delay = retry.next(o, replayable());
        if (delay < 0) return false;
        retryAfter(delay, o);
        return true;
    }

    private void retryAfter(long delayNanos, Outcome why) {
        log.debug("{} {}: {} from {} ({}), retry {} in {}us", ex.request().method(), ex.path(), why.reason(), target,
                service.name(), retry.retries(), delayNanos / 1000);
        cancelResponseTimer();
        if (upstream != null) {
            Channel ch = upstream;
            upstream = null;
            UpstreamClient.discard(target, ch);
        }
        requestSent = false;
        skippingInformational = false;
        if (delayNanos <= 0) connect();
        else backoffTimer = client.executor().schedule(() -> guarded(this::connect), delayNanos, TimeUnit.NANOSECONDS);
    }

    /** Whether the whole request can be sent again as it was: it has all arrived, and its body (if any) is held. */
    private boolean replayable() {
        if (!requestComplete) return false;
        return !bodyExpected || (replay != null && replay.hasLast());
    }

    void clientClosed() {
        if (finished) return;
        ex.failed(ErrorKind.MALFORMED, "client closed the connection");
        finishWithoutResponse();
    }

    // ---- endings --------------------------------------------------------------------------

    void failBeforeUpstream(GatewayException e, boolean close) {
        failBeforeResponse(e, close);
    }

    private void failBeforeResponse(GatewayException e) {
        failBeforeResponse(e, false);
    }

    private void failBeforeResponseOrAbort(GatewayException e) {
        if (responseStarted) abort(e.getMessage());
        else failBeforeResponse(e, true);
    }

    private void failBeforeResponse(GatewayException e, boolean close) {
        if (finished) return;
        if (responseStarted) {
            abort(e.getMessage());
            return;
        }
        finished = true;
        cancelResponseTimer();
        releasePending();
        if (upstream != null) {
            Channel ch = upstream;
            upstream = null;
            UpstreamClient.discard(target, ch);
        }
        ex.failed(e.kind(), e.getMessage());
        // While the circuit is open or no target is healthy, a service may answer with its fallback.
        FullHttpResponse res = null;
        if (service != null) {
            try {
                res = service.fallbackResponse(e, ex.requestId());
            } catch (RuntimeException bad) {
                log.error("the fallback of service '{}' could not be built for {} {}; answering 500", service.name(),
                        ex.request().method(), ex.path(), bad);
                e = internal();
                ex.failed(e.kind(), e.getMessage());
            }
        }
        if (res == null) res = ProblemResponse.of(client.alloc(), e, ex.requestId());
        ex.status(res.status().code());
        if (e.kind().status >= 500) log.debug("{} {} -> {}: {}", ex.request().method(), ex.path(), res.status().code(), e.getMessage());
        answer(res, close);
    }

    /** A plugin answered (a preflight, a cached response): the upstream is never called. */
    private void respondLocally(Verdict.Respond r) {
        if (finished) return;
        finished = true;
        releasePending();
        ex.status(r.status());
        FullHttpResponse res = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.valueOf(r.status()),
                Unpooled.wrappedBuffer(r.body()));
        res.headers().set(r.headers());
        HopByHop.strip(res.headers());
        res.headers().set(HttpHeaderNames.CONTENT_LENGTH, r.body().length);
        res.headers().set("X-Request-Id", ex.requestId());
        answer(res, false);
    }

    /** Writes an answer the gateway made itself, after the response plugins have seen its head. */
    private void answer(FullHttpResponse res, boolean close) {
        PluginChain.onResponse(ex, res);
        writeAnswer(res, close);
    }

    private void writeAnswer(FullHttpResponse res, boolean close) {
        if (ex.request().method().equals(HttpMethod.HEAD)) res.content().clear();
        boolean keep = !close && clientKeepAlive && requestComplete && !server.draining();
        if (!keep) res.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
        client.writeAndFlush(res).addListener(ChannelFutureListener.CLOSE_ON_FAILURE);
        if (keep) {
            end(true);
        } else if (!close && !requestComplete && !expectContinue) {
            // The client is sending a body nobody will read; reading it off for a moment lets the
            // client see this answer instead of a connection reset.
            endDiscarding();
        } else {
            end(false);
        }
    }

    /** After response bytes went out, the only honest signal left is to close the client connection. */
    private void abort(String why) {
        if (finished) return;
        finished = true;
        log.debug("aborting {} {}: {}", ex.request().method(), ex.path(), why);
        ex.failed(ErrorKind.BAD_UPSTREAM, why);
        cancelResponseTimer();
        releasePending();
        if (upstream != null) {
            Channel ch = upstream;
            upstream = null;
            UpstreamClient.discard(target, ch);
        }
        end(false);
        owner.close();
    }

    private void finish(boolean responded) {
        if (finished) return;
        finished = true;
        cancelResponseTimer();
        releasePending();
        if (upstream != null) {
            Channel ch = upstream;
            upstream = null;
            if (upstreamKeepAlive && requestSent && requestComplete) UpstreamClient.release(target, ch);
            else UpstreamClient.discard(target, ch);
        }
        boolean keep = responded && clientKeepAlive && !closeDelimited && requestComplete;
        if (responded && !requestComplete) {
            // The upstream answered before the whole body arrived; the rest must be read off the socket.
            endDiscarding();
            return;
        }
        end(keep);
    }

    private void finishWithoutResponse() {
        finished = true;
        cancelResponseTimer();
        releasePending();
        if (upstream != null) {
            Channel ch = upstream;
            upstream = null;
            UpstreamClient.discard(target, ch);
        }
        end(false);
    }

    /** Hands the exchange back to the connection; the one place that does, so it happens once. */
    private void end(boolean keepAlive) {
        if (ended) return;
        ended = true;
        owner.exchangeDone(keepAlive);
    }

    private void endDiscarding() {
        if (ended) return;
        ended = true;
        owner.discardRestThenClose();
    }

    private static GatewayException internal() {
        return new GatewayException(ErrorKind.INTERNAL, "the gateway failed on this request; see its log");
    }

    /** Runs work that arrives outside the client connection's pipeline (timers, futures) under {@link #crashed}. */
    private void guarded(Runnable work) {
        try {
            work.run();
        } catch (Throwable t) {
            crashed(t);
        }
    }

    /**
     * Whatever went wrong inside the gateway (a bug, or memory that ran out), the exchange ends:
     * with a 500 problem+json while no byte of an answer went out, else by closing the client
     * connection. Never left in flight, where a shutdown would wait for it.
     */
    void crashed(Throwable cause) {
        log.error("{} {} failed inside the gateway (request id {})", ex.request().method(), ex.path(), ex.requestId(), cause);
        boolean answerable = !finished && !responseStarted && client.channel().isActive();
        finished = true;
        try {
            cancelResponseTimer();
            releasePending();
            if (upstream != null) {
                Channel ch = upstream;
                upstream = null;
                UpstreamClient.discard(target, ch);
            }
        } catch (Throwable again) {
            log.debug("cleaning up after the failure failed too", again);
        }
        if (ended) {
            owner.close();
            return;
        }
        ex.failed(ErrorKind.INTERNAL, String.valueOf(cause));
        if (answerable) {
            try {
                FullHttpResponse res = ProblemResponse.of(client.alloc(), internal(), ex.requestId());
                res.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
                ex.status(500);
                client.writeAndFlush(res);
            } catch (Throwable again) {
                log.debug("the 500 could not be written either", again);
            }
        }
        end(false);
    }

    private void cancelResponseTimer() {
        if (responseTimer != null) {
            responseTimer.cancel(false);
            responseTimer = null;
        }
    }

    /** Every ending comes here: buffers go, and an attempt not yet recorded is recorded as cancelled. */
    private void releasePending() {
        for (HttpContent c; (c = pending.poll()) != null; ) c.release();
        releaseHeld();
        if (backoffTimer != null) {
            backoffTimer.cancel(false);
            backoffTimer = null;
        }
        if (replay != null) {
            replay.release();
            replay = null;
        }
        if (attempt != null) service.record(attempt, Outcome.CANCELLED);
        if (aggregating != null && !aggregating.isDone()) aggregating.cancel(false);  // its parts' calls and connections go too
    }

    // ---- body transforms ------------------------------------------------------------------
    //
    // Only for exchanges where a plugin returned a BodyTransform: the body is collected up to the
    // transforms' limit, transformed, and sent with a Content-Length. Past the limit, what was
    // collected and the rest go on untransformed, in their own framing, unless a transform fails
    // closed: then the message is refused (a response before any of it reached the client, since
    // its head is held with the body). Every other exchange streams as above and never enters
    // these methods.

    /** The request transforms of the plugins that ran, in their order; null for none. */
    private List<BodyTransform> requestTransforms() {
        List<BodyTransform> out = null;
        for (Plugin p : ex.pluginsRan()) {
            BodyTransform t = p.requestBody(ex);
            if (t == null) continue;
            if (out == null) out = new ArrayList<>(2);
            out.add(t);
        }
        return out;
    }

    /** The response transforms, in the reverse order, like onResponse; null for none. */
    private List<BodyTransform> responseTransforms(HttpResponse head) {
        List<BodyTransform> out = null;
        List<Plugin> ran = ex.pluginsRan();
        for (int i = ran.size() - 1; i >= 0; i--) {
            BodyTransform t = ran.get(i).responseBody(ex, head);
            if (t == null) continue;
            if (out == null) out = new ArrayList<>(2);
            out.add(t);
        }
        return out;
    }

    private static long limit(List<BodyTransform> transforms) {
        long limit = Long.MAX_VALUE;
        for (BodyTransform t : transforms) limit = Math.min(limit, t.maxBytes());
        return Math.min(limit, Integer.MAX_VALUE - 8);  // one array holds the body
    }

    /**
     * @throws GatewayException when a transform refuses the message; a transform that fails otherwise
     *         refuses it as an internal error, since the body it failed on may hold what it was to remove
     */
    private byte[] transform(List<BodyTransform> transforms, byte[] body) {
        for (BodyTransform t : transforms) {
            byte[] out;
            try {
                out = t.apply(body);
            } catch (GatewayException e) {
                throw e;
            } catch (RuntimeException e) {
                log.error("a body transform failed on {} {}; the message was refused", ex.request().method(), ex.path(), e);
                throw new GatewayException(ErrorKind.INTERNAL, "a body transform failed; see the gateway log");
            }
            if (out != null) body = out;
        }
        return body;
    }

    private static boolean failsClosed(List<BodyTransform> transforms) {
        for (BodyTransform t : transforms) if (t.failsClosed()) return true;
        return false;
    }

    /** What a body over a fail-closed transform's max_body is answered with. */
    private GatewayException tooLargeToTransform(boolean request, long bytes, long limit) {
        String size = bytes < 0 ? "" : " (" + bytes + " bytes)";
        String body = request ? "the request body of " + ex.request().method() + " " + ex.path()
                : "the response to " + ex.request().method() + " " + ex.path();
        String plugin = request ? "request_transform" : "response_transform";
        return new GatewayException(request ? ErrorKind.BODY_TOO_LARGE : ErrorKind.BAD_UPSTREAM, body + size
                + " is larger than the transform's max_body (" + limit + " bytes); " + plugin
                + " must not pass it untransformed (on_error: fail)");
    }

    private static byte[] drain(ArrayDeque<HttpContent> parts, long size) {
        byte[] body = new byte[(int) size];
        int at = 0;
        for (HttpContent c; (c = parts.poll()) != null; ) {
            int n = c.content().readableBytes();
            c.content().getBytes(c.content().readerIndex(), body, at, n);
            at += n;
            c.release();
        }
        return body;
    }

    /** @return true when the request body is held for transforms (connect() comes once it is in) */
    private boolean holdRequestBody() {
        if (!bodyExpected) return false;
        List<BodyTransform> transforms = requestTransforms();
        if (transforms == null) return false;
        long limit = limit(transforms);
        long declared = HttpUtil.getContentLength(ex.request(), -1L);
        if (declared > limit) {
            if (failsClosed(transforms)) {
                failBeforeResponse(tooLargeToTransform(true, declared, limit));
                return true;
            }
            log.warn("the request body of {} {} ({} bytes) is larger than the transform's max_body ({} bytes); passed on untransformed",
                    ex.request().method(), ex.path(), declared, limit);
            return false;
        }
        requestTransforms = transforms;
        requestHoldLimit = limit;
        if (expectContinue && !requestComplete) {
            expectContinue = false;
            client.writeAndFlush(ExchangeHandler.continueResponse());
        }
        onHeldRequestContent();
        if (requestTransforms != null && !requestComplete) client.read();
        return true;
    }

    private void onHeldRequestContent() {
        if (bodyBytes > requestHoldLimit) {
            boolean refuse = failsClosed(requestTransforms);
            requestTransforms = null;
            cancelRequestHoldTimer();
            if (refuse) {
                failBeforeResponse(tooLargeToTransform(true, -1, requestHoldLimit));
                return;
            }
            log.warn("the request body of {} {} is larger than the transform's max_body ({} bytes); passed on untransformed",
                    ex.request().method(), ex.path(), requestHoldLimit);
            connect();
        } else if (requestComplete) {
            cancelRequestHoldTimer();
            List<BodyTransform> transforms = requestTransforms;
            requestTransforms = null;
            byte[] body;
            try {
                body = transform(transforms, drain(pending, bodyBytes));
            } catch (GatewayException e) {
                failBeforeResponse(e);
                return;
            }
            HttpHeaders h = upstreamHead.headers();
            h.remove(HttpHeaderNames.TRANSFER_ENCODING);
            h.set(HttpHeaderNames.CONTENT_LENGTH, body.length);
            pending.add(new DefaultLastHttpContent(Unpooled.wrappedBuffer(body)));
            connect();
        } else {
            armRequestHoldTimer();
        }
    }

    /** While the body is held nothing reads it upstream, so the idle timeout is the gateway's to keep. */
    private void armRequestHoldTimer() {
        cancelRequestHoldTimer();
        long millis = service.timeouts().idle().toMillis();
        requestHoldTimer = client.executor().schedule(() -> {
            requestHoldTimer = null;
            if (!finished && requestTransforms != null) {
                failBeforeResponse(new GatewayException(ErrorKind.REQUEST_TIMEOUT, "the request body stalled"), true);
            }
        }, millis, TimeUnit.MILLISECONDS);
    }

    private void cancelRequestHoldTimer() {
        if (requestHoldTimer != null) {
            requestHoldTimer.cancel(false);
            requestHoldTimer = null;
        }
    }

    /** @return true when the response body is held for transforms; the head is written with it */
    private boolean holdResponseBody(DefaultHttpResponse head, boolean chunked) {
        List<BodyTransform> transforms = responseTransforms(head);
        if (transforms == null) return false;
        long limit = limit(transforms);
        long declared = HttpUtil.getContentLength(head, -1L);
        if (declared > limit) {
            if (failsClosed(transforms)) {
                refuseHeldResponse(tooLargeToTransform(false, declared, limit));
                return true;
            }
            log.warn("the response to {} {} ({} bytes) is larger than the transform's max_body ({} bytes); passed on untransformed",
                    ex.request().method(), ex.path(), declared, limit);
            return false;
        }
        responseTransforms = transforms;
        responseHoldLimit = limit;
        heldHead = head;
        heldChunked = chunked;
        return true;
    }

    /** @return true when {@code c} was taken; false when the limit was passed and it must stream as usual */
    private boolean holdResponseContent(HttpContent c) {
        heldResponseBytes += c.content().readableBytes();
        if (heldResponseBytes > responseHoldLimit && failsClosed(responseTransforms)) {
            c.release();
            refuseHeldResponse(tooLargeToTransform(false, -1, responseHoldLimit));
            return true;
        }
        if (heldResponseBytes > responseHoldLimit) {
            log.warn("the response to {} {} is larger than the transform's max_body ({} bytes); passed on untransformed",
                    ex.request().method(), ex.path(), responseHoldLimit);
            responseTransforms = null;
            writeResponseHead(heldHead, false, heldChunked);
            heldHead = null;
            for (HttpContent held; (held = heldResponse.poll()) != null; ) {
                ex.addResponseBytes(held.content().readableBytes());
                client.write(held);
            }
            return false;
        }
        if (!(c instanceof LastHttpContent)) {
            heldResponse.add(c);
            return true;
        }
        heldResponse.add(c);
        List<BodyTransform> transforms = responseTransforms;
        responseTransforms = null;
        byte[] body;
        try {
            body = transform(transforms, drain(heldResponse, heldResponseBytes));
        } catch (GatewayException e) {
            refuseHeldResponse(e);
            return true;
        }
        HttpHeaders h = heldHead.headers();
        h.remove(HttpHeaderNames.TRANSFER_ENCODING);
        h.set(HttpHeaderNames.CONTENT_LENGTH, body.length);
        writeResponseHead(heldHead, false, false);
        heldHead = null;
        ex.addResponseBytes(body.length);
        client.writeAndFlush(new DefaultLastHttpContent(Unpooled.wrappedBuffer(body)));
        finish(true);
        return true;
    }

    /** The head is held with the body, so the client has seen nothing of this response: it gets the refusal instead. */
    private void refuseHeldResponse(GatewayException e) {
        responseTransforms = null;
        heldHead = null;
        responseStarted = false;
        failBeforeResponse(e);
    }

    private void releaseHeld() {
        cancelRequestHoldTimer();
        for (HttpContent c; (c = heldResponse.poll()) != null; ) c.release();
    }

    // ---- aggregation ------------------------------------------------------------------------
    //
    // An aggregate route has no upstream connection of its own: its parts are called by the
    // AggregateDestination, and the merged answer is written here like any answer the gateway
    // makes, after the response plugins (body transforms included) have seen it. The answer is in
    // memory already (at most max_part_bytes per part), so a body transform always applies to it:
    // its max_body bounds what would otherwise be held, and nothing more is held here.

    private void serveAggregate() {
        ex.target("aggregate(" + String.join(", ", aggregate.partNames()) + ")");
        CompletableFuture<AggregateAnswer> answer;
        try {
            answer = aggregate.serve(ex);
        } catch (RuntimeException e) {
            answer = CompletableFuture.failedFuture(e);
        }
        aggregating = answer;
        answer.whenComplete((a, err) -> {
            if (ex.eventLoop().inEventLoop()) onAggregated(a, err);
            else ex.eventLoop().execute(() -> onAggregated(a, err));
        });
    }

    private void onAggregated(AggregateAnswer answer, Throwable err) {
        if (finished) return;
        if (err != null) {
            failFromStage(err, "the aggregation failed");
            return;
        }
        ex.status(200);
        FullHttpResponse res = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK, Unpooled.EMPTY_BUFFER);
        res.headers().set(HttpHeaderNames.CONTENT_TYPE, HttpHeaderValues.APPLICATION_JSON);
        if (!answer.degraded().isEmpty()) res.headers().set("Portico-Degraded", String.join(", ", answer.degraded()));
        res.headers().set("X-Request-Id", ex.requestId());
        PluginChain.onResponse(ex, res);
        byte[] body = answer.body();
        List<BodyTransform> transforms = responseTransforms(res);
        if (transforms != null) {
            try {
                body = transform(transforms, body);
            } catch (GatewayException e) {
                failBeforeResponse(e);
                return;
            }
        }
        finished = true;
        releasePending();
        FullHttpResponse full = res.replace(Unpooled.wrappedBuffer(body));
        full.headers().set(HttpHeaderNames.CONTENT_LENGTH, body.length);
        ex.addResponseBytes(body.length);
        writeAnswer(full, false);
    }

    static ChannelFutureListener closeOnFailure() {
        return ChannelFutureListener.CLOSE_ON_FAILURE;
    }
}
