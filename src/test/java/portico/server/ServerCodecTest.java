package portico.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.util.ReferenceCountUtil;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import portico.http.ServerCodec;

/**
 * The client codec's own checks, byte for byte and split at every awkward place: the scanner must
 * find obs-fold and sloppy request lines in heads only, never in bodies, and must follow pipelined
 * heads exactly; HEAD answers must leave no body on the wire.
 */
class ServerCodecTest {
    private final EmbeddedChannel ch = new EmbeddedChannel(new ServerCodec(new HttpDecoderConfig()
            .setStrictLineParsing(true).setUseRfc9112TransferEncoding(true).setAllowDuplicateContentLengths(false)));

    @AfterEach
    void noLeaks() {
        assertThat(ch.finishAndReleaseAll()).isFalse();
    }

    /** Feeds the text in pieces of {@code step} bytes and returns each decoded head's verdict (null = accepted). */
    private List<String> heads(String text, int step) {
        byte[] bytes = text.getBytes(StandardCharsets.ISO_8859_1);
        for (int i = 0; i < bytes.length; i += step) {
            ch.writeInbound(Unpooled.wrappedBuffer(bytes, i, Math.min(step, bytes.length - i)));
        }
        List<String> verdicts = new ArrayList<>();
        for (Object msg; (msg = ch.readInbound()) != null; ) {
            if (msg instanceof HttpRequest req) {
                verdicts.add(req.decoderResult().isSuccess() ? null : req.decoderResult().cause().getMessage());
            }
            ReferenceCountUtil.release(msg);
        }
        return verdicts;
    }

    @Test
    void obsFoldIsRefusedWhateverTheReadBoundaries() {
        String req = "GET / HTTP/1.1\r\nHost: x\r\nX-A: a\r\n b\r\n\r\n";
        for (int step : new int[] {1, 2, 3, 7, req.length()}) {
            assertThat(heads(req, step)).as("read in pieces of %d", step)
                    .singleElement().asString().contains("obsolete line folding");
        }
    }

    @Test
    void obsFoldInTheSecondPipelinedHeadRefusesOnlyThatOne() {
        List<String> verdicts = heads("GET /1 HTTP/1.1\r\nHost: x\r\n\r\nGET /2 HTTP/1.1\r\nHost: x\r\nX-A: a\r\n\tb\r\n\r\n", 4096);

        assertThat(verdicts).hasSize(2);
        assertThat(verdicts.get(0)).isNull();
        assertThat(verdicts.get(1)).contains("obsolete line folding");
    }

    @Test
    void whitespaceAtALineStartInsideABodyIsNotAFold() {
        String body = "a\r\n b\r\n\tc";
        String chunked = "4\r\n\r\n \t\r\n0\r\n\r\n";  // one chunk: CR LF SP HTAB
        String text = "POST /1 HTTP/1.1\r\nHost: x\r\nContent-Length: " + body.length() + "\r\n\r\n" + body
                + "POST /2 HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n" + chunked
                + "GET /3 HTTP/1.1\r\nHost: x\r\n\r\n";
        for (int step : new int[] {1, 5, text.length()}) {
            assertThat(heads(text, step)).as("read in pieces of %d", step).containsExactly(null, null, null);
        }
    }

    @Test
    void emptyLinesBetweenPipelinedRequestsAreTolerated() {
        assertThat(heads("GET /1 HTTP/1.1\r\nHost: x\r\n\r\n\r\n\r\nGET /2 HTTP/1.1\r\nHost: x\r\n\r\n", 3))
                .containsExactly(null, null);
    }

    @Test
    void requestLineMustBeSingleSpaced() {
        assertThat(heads("GET  / HTTP/1.1\r\nHost: x\r\n\r\n", 1)).singleElement().asString().contains("run of spaces");
        assertThat(heads(" GET / HTTP/1.1\r\nHost: x\r\n\r\n", 2)).singleElement().asString().contains("run of spaces");
        assertThat(heads("GET\t/ HTTP/1.1\r\nHost: x\r\n\r\n", 100)).singleElement().asString().contains("tab");
    }

    @Test
    void onlyHttp10And11AreSpoken() {
        assertThat(heads("GET / HTTP/1.0\r\n\r\n", 100)).containsExactly((String) null);
        assertThat(heads("GET / HTTP/1.1\r\nHost: x\r\n\r\n", 100)).containsExactly((String) null);
        assertThat(heads("GET / HTTP/1.2\r\nHost: x\r\n\r\n", 100)).singleElement().asString().contains("unsupported HTTP version");
    }

    @Test
    void answerToHeadCarriesNoBodyEvenAfterAnInterim100() {
        heads("HEAD / HTTP/1.1\r\nHost: x\r\n\r\nGET / HTTP/1.1\r\nHost: x\r\n\r\n", 4096);

        ch.writeOutbound(new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.CONTINUE, Unpooled.EMPTY_BUFFER));
        ch.writeOutbound(withBody("hello"));
        ch.writeOutbound(withBody("world"));

        String wire = drainOutbound();
        assertThat(wire).startsWith("HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\n");
        assertThat(wire).doesNotContain("hello").endsWith("\r\n\r\nworld");
    }

    private static FullHttpResponse withBody(String text) {
        FullHttpResponse res = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK,
                Unpooled.copiedBuffer(text, StandardCharsets.US_ASCII));
        res.headers().set(HttpHeaderNames.CONTENT_LENGTH, text.length());
        return res;
    }

    private String drainOutbound() {
        StringBuilder out = new StringBuilder();
        for (Object msg; (msg = ch.readOutbound()) != null; ) {
            if (msg instanceof ByteBuf b) out.append(b.toString(StandardCharsets.ISO_8859_1));
            else if (msg instanceof HttpContent c) out.append(c.content().toString(StandardCharsets.ISO_8859_1));
            ReferenceCountUtil.release(msg);
        }
        return out.toString();
    }
}
