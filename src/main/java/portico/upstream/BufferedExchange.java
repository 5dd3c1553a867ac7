package portico.upstream;

import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.EventLoop;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.ScheduledFuture;
import java.io.ByteArrayOutputStream;
import java.util.concurrent.TimeUnit;
import portico.error.ErrorKind;
import portico.error.GatewayException;
import portico.http.HopByHop;
import portico.upstream.retry.RetryPolicy;

/**
 * One buffered request and its whole response over a pooled connection to one given target, on one
 * event loop: no balancing, breaker or retry (those are {@link ServiceCall}'s). Health probes use
 * it directly. Reports exactly once to its {@link Listener}, on the loop, unless cancelled.
 */
public final class BufferedExchange implements UpstreamListener {

    /** Called on the exchange's event loop. */
    public interface Listener {
        /** A final response head arrived; returning false drops the answer (and the connection), and nothing more is reported. */
        default boolean onHead(int status) {
            return true;
        }

        void onResponse(UpstreamResponse response);

        /** @param failure what went wrong; the outcome says whether anything was sent */
        void onFailure(Failure failure);
    }

    private final String service;
    private final Target target;
    private final EventLoop loop;
    private final HttpMethod method;
    private final String uri;
    private final HttpHeaders headers;
    private final byte[] body;
    private final int maxBody;
    private final long responseTimeoutNanos;
    private final String responseLimitName;
    private final long idleMillis;
    private final Listener listener;

    private Channel ch;
    private boolean done;
    private boolean reused;
    private boolean retriedStale;
    private boolean headSeen;
    private boolean informational;
    private boolean keepAlive;
    private int status;
    private HttpHeaders responseHeaders;
    private ByteArrayOutputStream received;
    private ScheduledFuture<?> responseTimer;

    /**
     * @param maxBody              a larger response body fails with 502; -1 reads the body and drops it
     * @param responseTimeoutNanos from the request being written until the response head
     * @param responseLimitName    what that limit is called in messages, such as {@code timeouts.response}
     */
    public BufferedExchange(String service, Target target, EventLoop loop, HttpMethod method, String pathAndQuery,
                            HttpHeaders headers, byte[] body, int maxBody, long responseTimeoutNanos, String responseLimitName,
                            long idleMillis, Listener listener) {
        this.service = service;
        this.target = target;
        this.loop = loop;
        this.method = method;
        this.uri = target.config().basePath() + pathAndQuery;
        this.headers = headers;
        this.body = body;
        this.maxBody = maxBody;
        this.responseTimeoutNanos = responseTimeoutNanos;
        this.responseLimitName = responseLimitName;
        this.idleMillis = idleMillis;
        this.listener = listener;
    }

    /** Acquires a connection and sends the request. Call on the loop. */
    public void start() {
        Future<Channel> acquired;
        try {
            acquired = target.pool(loop).acquire();
        } catch (RuntimeException e) {
            // A connect that cannot even start (a bad address) sent nothing: a connect failure.
            fail(Failure.connect(service, target, e));
            return;
        }
        if (acquired.isDone()) onAcquired(acquired);
        else acquired.addListener(f -> onAcquired(acquired));
    }

    /** Gives up without a report; a connection in use is closed. Call on the loop. */
    public void cancel() {
        if (done) return;
        done = true;
        cancelTimer();
        discard();
        received = null;
    }

    private void onAcquired(Future<Channel> f) {
        if (done) {
            if (f.isSuccess()) UpstreamClient.release(target, f.getNow());
            return;
        }
        if (!f.isSuccess()) {
            fail(Failure.connect(service, target, f.cause()));
            return;
        }
        ch = f.getNow();
        reused = UpstreamClient.markUsed(ch);
        UpstreamClient.bind(ch, this);
        ch.writeAndFlush(request());
        responseTimer = loop.schedule(this::onResponseTimeout, responseTimeoutNanos, TimeUnit.NANOSECONDS);
        ch.read();
    }

    private FullHttpRequest request() {
        HttpHeaders h = new DefaultHttpHeaders().add(headers);
        HopByHop.strip(h);
        h.remove(HttpHeaderNames.TRANSFER_ENCODING);
        h.set(HttpHeaderNames.HOST, target.config().authority());
        if (body.length > 0 || method.equals(HttpMethod.POST) || method.equals(HttpMethod.PUT) || method.equals(HttpMethod.PATCH)) {
            h.set(HttpHeaderNames.CONTENT_LENGTH, body.length);
        } else {
            h.remove(HttpHeaderNames.CONTENT_LENGTH);
        }
        return new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, method, uri, Unpooled.wrappedBuffer(body), h,
                io.netty.handler.codec.http.EmptyHttpHeaders.INSTANCE);
    }

    @Override
    public void onUpstreamMessage(HttpObject msg) {
        if (done) {
            ReferenceCountUtil.release(msg);
            return;
        }
        try {
            if (msg instanceof HttpResponse r && !onHead(r)) return;
            if (msg instanceof HttpContent c) onContent(c);
        } finally {
            ReferenceCountUtil.release(msg);
        }
    }

    /** @return false when the exchange ended here */
    private boolean onHead(HttpResponse r) {
        if (r.decoderResult().isFailure()) {
            fail(Failure.badResponse(service, target, r, r.decoderResult().cause()));
            return false;
        }
        int code = r.status().code();
        if (code >= 100 && code < 200) {
            informational = true;
            return true;
        }
        cancelTimer();
        headSeen = true;
        status = code;
        keepAlive = HttpUtil.isKeepAlive(r);
        responseHeaders = r.headers().copy();
        HopByHop.strip(responseHeaders);
        received = new ByteArrayOutputStream((int) Math.max(0, Math.min(Math.min(maxBody, 64 * 1024), HttpUtil.getContentLength(r, 256L))));
        if (!listener.onHead(code)) {
            cancel();
            return false;
        }
        return true;
    }

    private void onContent(HttpContent c) {
        if (informational) {
            if (c instanceof LastHttpContent) informational = false;
            return;
        }
        if (c.decoderResult().isFailure()) {
            fail(Failure.badBody(service, target));
            return;
        }
        if (!headSeen) return;
        int n = c.content().readableBytes();
        if (maxBody >= 0 && n > 0) {
            if (received.size() + (long) n > maxBody) {
                fail(new Failure(Outcome.response(status), new GatewayException(ErrorKind.BAD_UPSTREAM,
                        Failure.who(service, target) + " sent a response body larger than " + maxBody + " bytes")));
                return;
            }
            received.writeBytes(io.netty.buffer.ByteBufUtil.getBytes(c.content()));
        }
        if (c instanceof LastHttpContent) complete();
    }

    private void complete() {
        done = true;
        Channel channel = ch;
        ch = null;
        if (keepAlive) UpstreamClient.release(target, channel);
        else UpstreamClient.discard(target, channel);
        byte[] bytes = maxBody >= 0 ? received.toByteArray() : new byte[0];
        received = null;
        listener.onResponse(new UpstreamResponse(status, responseHeaders, bytes, target.toString()));
    }

    @Override
    public void onUpstreamReadComplete() {
        if (!done && ch != null) ch.read();
    }

    @Override
    public void onUpstreamWritabilityChanged(boolean writable) {
        // The whole request is written at once; nothing waits on writability.
    }

    @Override
    public void onUpstreamIdle() {
        if (done) return;
        fail(Failure.idle(service, target, headSeen ? "sent no bytes of the response body" : "sent nothing", idleMillis));
    }

    @Override
    public void onUpstreamClosed(Throwable cause) {
        Channel gone = ch;
        ch = null;
        if (gone != null) UpstreamClient.discard(target, gone);
        if (done) return;
        if (!headSeen && reused && !retriedStale && RetryPolicy.idempotent(method)) {
            // A pooled connection the upstream closed as the request arrived (see Relay): once more, fresh.
            retriedStale = true;
            cancelTimer();
            start();
            return;
        }
        if (headSeen) {
            // The head came, so it did respond: the body is what was cut short.
            fail(new Failure(Outcome.RESET, new GatewayException(ErrorKind.BAD_UPSTREAM, "service '" + service + "' (" + target
                    + ") closed the connection in the middle of the response body")));
            return;
        }
        fail(Failure.reset(service, target, cause));
    }

    private void onResponseTimeout() {
        responseTimer = null;
        if (done || headSeen) return;
        fail(Failure.responseTimeout(service, target, TimeUnit.NANOSECONDS.toMillis(responseTimeoutNanos), responseLimitName));
    }

    private void fail(Failure f) {
        if (done) return;
        done = true;
        cancelTimer();
        discard();
        received = null;
        listener.onFailure(f);
    }

    private void discard() {
        if (ch != null) {
            Channel channel = ch;
            ch = null;
            UpstreamClient.discard(target, channel);
        }
    }

    private void cancelTimer() {
        if (responseTimer != null) {
            responseTimer.cancel(false);
            responseTimer = null;
        }
    }
}
