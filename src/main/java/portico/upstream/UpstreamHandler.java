package portico.upstream;

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.util.ReferenceCountUtil;

/**
 * Last handler of every upstream connection: hands events to the exchange that holds the
 * connection, and closes a pooled (unheld) connection on any sign of life or idleness, since an
 * idle keep-alive connection that speaks or times out is no longer safe to reuse.
 */
final class UpstreamHandler extends ChannelInboundHandlerAdapter {
    // Fields, not channel attributes: every event reads the listener, and an attribute is a map lookup.
    private UpstreamListener listener;
    private boolean used;

    /** Added last by UpstreamClient; null once a closed channel's pipeline is torn down. */
    private static UpstreamHandler of(Channel ch) {
        return ch.pipeline().last() instanceof UpstreamHandler h ? h : null;
    }

    /** @return true when the connection carried an exchange before (so the peer may have closed it meanwhile) */
    static boolean bind(Channel ch, UpstreamListener listener) {
        UpstreamHandler h = of(ch);
        if (h == null) return true;
        h.listener = listener;
        boolean reused = h.used;
        h.used = true;
        return reused;
    }

    static void unbind(Channel ch) {
        UpstreamHandler h = of(ch);
        if (h != null) h.listener = null;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        UpstreamListener l = listener;
        if (l == null || !(msg instanceof HttpObject)) {
            ReferenceCountUtil.release(msg);
            ctx.close();
            return;
        }
        l.onUpstreamMessage((HttpObject) msg);
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        UpstreamListener l = listener;
        if (l != null) l.onUpstreamReadComplete();
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        UpstreamListener l = listener;
        if (l != null) l.onUpstreamWritabilityChanged(ctx.channel().isWritable());
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt instanceof IdleStateEvent) {
            UpstreamListener l = listener;
            if (l == null) ctx.close();
            else l.onUpstreamIdle();
            return;
        }
        ctx.fireUserEventTriggered(evt);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        UpstreamListener l = listener;
        listener = null;
        if (l != null) l.onUpstreamClosed(null);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        UpstreamListener l = listener;
        listener = null;
        ctx.close();
        if (l != null) l.onUpstreamClosed(cause);
    }
}
