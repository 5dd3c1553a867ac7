package portico.aggregate;

import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ConnectTimeoutException;
import io.netty.channel.EventLoop;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
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
import io.netty.util.AttributeKey;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.ScheduledFuture;
import java.io.ByteArrayOutputStream;
import java.net.ConnectException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import portico.error.ErrorKind;
import portico.error.GatewayException;
import portico.upstream.Service;
import portico.upstream.Target;
import portico.upstream.UpstreamClient;
import portico.upstream.UpstreamListener;

/**
 * Part calls over the service's pooled connections on the exchange's event loop (the same pools
 * the relay uses). A connection the service closed while it sat in the pool is retried once on a
 * fresh one, as the relay does: a GET without a body loses nothing by being sent again.
 */
public final class PooledPartCaller implements PartCaller {
    public static final PooledPartCaller INSTANCE = new PooledPartCaller();
    /** The relay's mark for a connection that has carried a request before (same key by name). */
    private static final AttributeKey<Boolean> USED = AttributeKey.valueOf("portico.upstream.used");

    private PooledPartCaller() {}

    @Override
    public CompletionStage<PartResponse> call(Service service, PartRequest request, EventLoop loop) {
        Call call = new Call(service, request, loop);
        call.start();
        return call.result;
    }

    private static final class Call implements UpstreamListener {
        final CompletableFuture<PartResponse> result = new CompletableFuture<>();
        private final Service service;
        private final PartRequest request;
        private final EventLoop loop;
        private ScheduledFuture<?> timer;
        private Target target;
        private Channel channel;
        private boolean reused;
        private boolean retried;
        private boolean skippingInformational;
        private int status = -1;
        private HttpHeaders headers;
        private boolean keepAlive;
        private ByteArrayOutputStream body;

        Call(Service service, PartRequest request, EventLoop loop) {
            this.service = service;
            this.request = request;
            this.loop = loop;
        }

        void start() {
            timer = loop.schedule(this::onTimeout, request.timeout().toMillis(), TimeUnit.MILLISECONDS);
            connect();
        }

        private void connect() {
            target = service.pick();
            Future<Channel> acquired = target.pool(loop).acquire();
            if (acquired.isDone()) onAcquired(acquired);
            else acquired.addListener(f -> onAcquired(acquired));
        }

        private void onAcquired(Future<Channel> f) {
            if (result.isDone()) {
                if (f.isSuccess()) UpstreamClient.release(target, f.getNow());
                return;
            }
            if (!f.isSuccess()) {
                fail(classify(f.cause()));
                return;
            }
            channel = f.getNow();
            reused = Boolean.TRUE.equals(channel.attr(USED).get());
            channel.attr(USED).set(Boolean.TRUE);
            UpstreamClient.bind(channel, this);
            FullHttpRequest req = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET,
                    target.config().basePath() + request.pathAndQuery(), Unpooled.EMPTY_BUFFER);
            req.headers().set(request.headers());
            req.headers().set(HttpHeaderNames.HOST, target.config().authority());
            channel.writeAndFlush(req);
            channel.read();
        }

        @Override
        public void onUpstreamMessage(HttpObject msg) {
            if (result.isDone()) {
                ReferenceCountUtil.release(msg);
                return;
            }
            if (msg instanceof HttpResponse r && !onHead(r)) {
                ReferenceCountUtil.release(msg);
                return;
            }
            if (msg instanceof HttpContent c) onContent(c);
        }

        private boolean onHead(HttpResponse r) {
            if (r.decoderResult().isFailure()) {
                fail(new GatewayException(ErrorKind.BAD_UPSTREAM, what() + " sent a malformed response"));
                return false;
            }
            if (r.status().code() < 200) {
                skippingInformational = true;
                return true;
            }
            status = r.status().code();
            headers = r.headers();
            keepAlive = HttpUtil.isKeepAlive(r);
            if (HttpUtil.getContentLength(r, -1L) > request.maxBytes()) {
                fail(tooLarge());
                return false;
            }
            body = new ByteArrayOutputStream(256);
            return true;
        }

        private void onContent(HttpContent c) {
            boolean last = c instanceof LastHttpContent;
            try {
                if (skippingInformational) {
                    if (last) skippingInformational = false;
                    return;
                }
                if (c.decoderResult().isFailure()) {
                    fail(new GatewayException(ErrorKind.BAD_UPSTREAM, what() + " sent a malformed response body"));
                    return;
                }
                if (body == null) return;
                int n = c.content().readableBytes();
                if (body.size() + (long) n > request.maxBytes()) {
                    fail(tooLarge());
                    return;
                }
                if (n > 0) body.writeBytes(ByteBufUtil.getBytes(c.content()));
            } finally {
                c.release();
            }
            if (last && body != null) complete();
        }

        @Override
        public void onUpstreamReadComplete() {
            if (!result.isDone() && channel != null) channel.read();
        }

        @Override
        public void onUpstreamWritabilityChanged(boolean writable) {
            // a GET without a body: nothing waits on writability
        }

        @Override
        public void onUpstreamIdle() {
            fail(new GatewayException(ErrorKind.UPSTREAM_TIMEOUT, what() + " sent nothing for timeouts.idle"));
        }

        @Override
        public void onUpstreamClosed(Throwable cause) {
            Channel gone = channel;
            channel = null;
            if (gone != null) UpstreamClient.discard(target, gone);
            if (result.isDone()) return;
            if (status < 0 && reused && !retried) {
                retried = true;
                connect();
                return;
            }
            fail(new GatewayException(ErrorKind.BAD_UPSTREAM, what() + (cause == null ? " closed the connection" : " failed: " + cause.getMessage())
                    + (status < 0 ? " before answering" : " mid-answer")));
        }

        private void onTimeout() {
            timer = null;
            fail(new GatewayException(ErrorKind.UPSTREAM_TIMEOUT, what() + " did not answer within " + request.timeout().toMillis() + "ms"));
        }

        private void complete() {
            cancelTimer();
            Channel ch = channel;
            channel = null;
            if (ch != null) {
                if (keepAlive) UpstreamClient.release(target, ch);
                else UpstreamClient.discard(target, ch);
            }
            result.complete(new PartResponse(status, headers, body.toByteArray()));
        }

        private void fail(GatewayException e) {
            if (result.isDone()) return;
            cancelTimer();
            Channel ch = channel;
            channel = null;
            if (ch != null) UpstreamClient.discard(target, ch);
            result.completeExceptionally(e);
        }

        private void cancelTimer() {
            if (timer != null) {
                timer.cancel(false);
                timer = null;
            }
        }

        private GatewayException tooLarge() {
            return new GatewayException(ErrorKind.BAD_UPSTREAM, what() + " answered with more than max_part_bytes (" + request.maxBytes() + " bytes)");
        }

        private GatewayException classify(Throwable cause) {
            if (cause instanceof ConnectTimeoutException || cause instanceof java.util.concurrent.TimeoutException) {
                return new GatewayException(ErrorKind.UPSTREAM_TIMEOUT, what() + " did not accept a connection within timeouts.connect");
            }
            if (cause instanceof ConnectException) return new GatewayException(ErrorKind.BAD_UPSTREAM, what() + " refused the connection");
            return new GatewayException(ErrorKind.BAD_UPSTREAM, what() + " could not be reached: " + cause.getMessage());
        }

        private String what() {
            return "service '" + service.name() + "' (" + target + ")";
        }
    }
}
