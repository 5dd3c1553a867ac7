package portico.upstream;

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.util.AttributeKey;
import io.netty.util.ReferenceCountUtil;

/**
 * Last handler of every upstream connection: hands events to the exchange that holds the
 * connection, and closes a pooled (unheld) connection on any sign of life or idleness, since an
 * idle keep-alive connection that speaks or times out is no longer safe to reuse.
 */
final class UpstreamHandler extends ChannelInboundHandlerAdapter {
    private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(UpstreamHandler.class);
    static final AttributeKey<UpstreamListener> LISTENER = AttributeKey.valueOf("portico.upstream.listener");

    static void bind(Channel ch, UpstreamListener listener) {
        ch.attr(LISTENER).set(listener);
    }

    static void unbind(Channel ch) {
        ch.attr(LISTENER).set(null);
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        UpstreamListener l = ctx.channel().attr(LISTENER).get();
        if (l == null || !(msg instanceof HttpObject)) {
            ReferenceCountUtil.release(msg);
            ctx.close();
            return;
        }
        l.onUpstreamMessage((HttpObject) msg);
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        UpstreamListener l = ctx.channel().attr(LISTENER).get();
        if (l != null) l.onUpstreamReadComplete();
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        UpstreamListener l = ctx.channel().attr(LISTENER).get();
        if (l != null) l.onUpstreamWritabilityChanged(ctx.channel().isWritable());
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt instanceof IdleStateEvent) {
            UpstreamListener l = ctx.channel().attr(LISTENER).get();
            if (l == null) ctx.close();
            else l.onUpstreamIdle();
            return;
        }
        ctx.fireUserEventTriggered(evt);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        UpstreamListener l = ctx.channel().attr(LISTENER).getAndSet(null);
        if (l != null) l.onUpstreamClosed(null);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        // The exchange sees a broken connection (a 502 or a close); memory that ran out must not pass unseen.
        if (cause instanceof Error) log.error("an upstream connection to {} failed", ctx.channel().remoteAddress(), cause);
        UpstreamListener l = ctx.channel().attr(LISTENER).getAndSet(null);
        ctx.close();
        if (l != null) l.onUpstreamClosed(cause);
    }
}
