package portico.http;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.CombinedChannelDuplexHandler;
import io.netty.handler.codec.DecoderResult;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpMessage;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpRequestDecoder;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseEncoder;
import io.netty.handler.codec.http.HttpStatusClass;
import io.netty.handler.codec.http.LastHttpContent;
import java.util.ArrayDeque;
import java.util.List;

/**
 * The client connection's HTTP/1.1 codec: Netty's request decoder and response encoder, as in
 * {@code HttpServerCodec}, plus a {@link HeadScanner} over the head bytes. A head the scanner
 * refuses comes out of the decoder like any head Netty itself refuses, with a failed
 * {@link DecoderResult}, so the rest of the pipeline has one path for "malformed".
 *
 * <p>{@code HttpServerCodec} is final, so its one other duty is redone here: remembering each
 * request's method so that the answer to a HEAD carries no body.
 */
public final class ServerCodec extends CombinedChannelDuplexHandler<ServerCodec.Decoder, ServerCodec.Encoder> {
    private final ArrayDeque<HttpMethod> methods = new ArrayDeque<>(2);

    public ServerCodec(HttpDecoderConfig config) {
        init(new Decoder(config), new Encoder());
    }

    /**
     * Whether part of the next request head has arrived and the rest has not, so its header timeout
     * should be running. Bytes read while the previous exchange was answered are decoded at once:
     * a whole head waits as a message, a partial one only shows here.
     */
    public boolean headStarted() {
        return inboundHandler().headStarted();
    }

    /** Why the scanner refused a head; the message is the detail the client reads. */
    public static final class MalformedHead extends IllegalArgumentException {
        MalformedHead(String message) {
            super(message, null);
        }

        @Override
        public synchronized Throwable fillInStackTrace() {
            return this;  // expected input, not a bug: no stack
        }
    }

    final class Decoder extends HttpRequestDecoder {
        private final HeadScanner scanner = new HeadScanner();

        Decoder(HttpDecoderConfig config) {
            super(config);
        }

        boolean headStarted() {
            // Consumed head lines are in the scanner's state; a partial line is still in the cumulation.
            return scanner.inHead() || internalBuffer().isReadable();
        }

        @Override
        protected HttpMessage createMessage(String[] initialLine) throws Exception {
            // Netty takes any "HTTP/x.y" in any letter case; an HTTP/1 gateway speaks exactly two
            // versions, and the name is case-sensitive (RFC 9112 section 2.3).
            String version = initialLine.length > 2 ? initialLine[2] : "";
            if (!version.equals("HTTP/1.1") && !version.equals("HTTP/1.0")) {
                throw new MalformedHead("unsupported HTTP version '" + version + "'");
            }
            return super.createMessage(initialLine);
        }

        @Override
        protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) throws Exception {
            int from = in.readerIndex();
            int produced = out.size();
            super.decode(ctx, in, out);
            // Netty's decoder returns after each message it ends, so the bytes consumed here hold at
            // most the end of one head and never the start of the next one.
            scanner.scan(in, from, in.readerIndex());
            for (int i = produced; i < out.size(); i++) {
                Object msg = out.get(i);
                if (msg instanceof HttpRequest req) {
                    String problem = scanner.takeProblem();
                    if (problem != null && req.decoderResult().isSuccess()) {
                        req.setDecoderResult(DecoderResult.failure(new MalformedHead(problem)));
                    }
                    methods.add(req.method());
                }
                if (msg instanceof LastHttpContent) scanner.nextHead();
            }
        }
    }

    final class Encoder extends HttpResponseEncoder {
        @Override
        protected boolean isContentAlwaysEmpty(HttpResponse res) {
            // An interim answer (100 Continue) is not the answer to the request: keep its method.
            if (res.status().codeClass() == HttpStatusClass.INFORMATIONAL) return super.isContentAlwaysEmpty(res);
            HttpMethod method = methods.poll();
            return HttpMethod.HEAD.equals(method) || super.isContentAlwaysEmpty(res);
        }
    }
}
