package portico.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;
import portico.testing.FakeUpstream;
import portico.testing.GatewayUnderTest;
import portico.testing.ProblemJson;
import portico.testing.RawClient;
import portico.testing.RawResponse;
import portico.testing.RecordedRequest;

/**
 * Request smuggling: a head whose framing two parsers could read differently is answered 400 and
 * the connection closed, before anything reaches the upstream. Every row is sent byte for byte.
 *
 * <p>Transfer-Encoding policy: only a lone {@code chunked} is accepted, in any letter case and with
 * optional whitespace (SP or HTAB) around it, since RFC 9112 makes coding names case-insensitive
 * and OWS is not part of a field value; the body is re-framed before it goes upstream, so the
 * upstream never sees the client's spelling. Every other value (a list, an unknown coding, a
 * control character next to the name, a second header line) is refused: the gateway does not
 * decode codings, and a front proxy could pick a different one than we do.
 */
class SmugglingTest {
    private static final String CONFIG = """
            version: 1
            listen: 127.0.0.1:0
            services: {api: {url: %s}}
            routes:
              - {name: api, match: {paths: [/api]}, service: api}
            """;

    record Shape(String name, String request) {
        @Override
        public String toString() {
            return name;
        }
    }

    static Stream<Shape> ambiguousHeads() {
        return Stream.of(
                new Shape("Content-Length and Transfer-Encoding",
                        "POST /api HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n"),
                new Shape("Transfer-Encoding before Content-Length",
                        "POST /api HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nContent-Length: 5\r\n\r\n0\r\n\r\n"),
                new Shape("two differing Content-Length headers",
                        "POST /api HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\nhello!"),
                new Shape("two identical Content-Length headers",
                        "POST /api HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nContent-Length: 5\r\n\r\nhello"),
                new Shape("Content-Length as a list '5, 5'",
                        "POST /api HTTP/1.1\r\nHost: x\r\nContent-Length: 5, 5\r\n\r\nhello"),
                new Shape("Content-Length with a sign",
                        "POST /api HTTP/1.1\r\nHost: x\r\nContent-Length: +5\r\n\r\nhello"),
                new Shape("negative Content-Length",
                        "POST /api HTTP/1.1\r\nHost: x\r\nContent-Length: -1\r\n\r\n"),
                new Shape("Content-Length in hex",
                        "POST /api HTTP/1.1\r\nHost: x\r\nContent-Length: 0x5\r\n\r\nhello"),
                new Shape("Transfer-Encoding 'gzip, chunked'",
                        "POST /api HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip, chunked\r\n\r\n0\r\n\r\n"),
                new Shape("Transfer-Encoding 'chunked, identity'",
                        "POST /api HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked, identity\r\n\r\n0\r\n\r\n"),
                new Shape("Transfer-Encoding 'chunked, chunked'",
                        "POST /api HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked, chunked\r\n\r\n0\r\n\r\n"),
                new Shape("Transfer-Encoding on two lines",
                        "POST /api HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n"),
                new Shape("Transfer-Encoding 'xchunked'",
                        "POST /api HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: xchunked\r\n\r\n0\r\n\r\n"),
                new Shape("Transfer-Encoding 'chunkedx'",
                        "POST /api HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunkedx\r\n\r\n0\r\n\r\n"),
                new Shape("Transfer-Encoding 'identity'",
                        "POST /api HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: identity\r\n\r\n"),
                new Shape("Transfer-Encoding with a vertical tab before chunked",
                        "POST /api HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: \u000bchunked\r\n\r\n0\r\n\r\n"),
                new Shape("Transfer-Encoding with a form feed after chunked",
                        "POST /api HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\f\r\n\r\n0\r\n\r\n"),
                new Shape("Transfer-Encoding name with a space before the colon",
                        "POST /api HTTP/1.1\r\nHost: x\r\nTransfer-Encoding : chunked\r\n\r\n0\r\n\r\n"),
                new Shape("Transfer-Encoding in HTTP/1.0",
                        "POST /api HTTP/1.0\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n"),
                new Shape("obs-fold: a header line starting with a space",
                        "GET /api HTTP/1.1\r\nHost: x\r\nX-A: a\r\n b\r\n\r\n"),
                new Shape("obs-fold: a header line starting with a tab",
                        "GET /api HTTP/1.1\r\nHost: x\r\nX-A: a\r\n\tb\r\n\r\n"),
                new Shape("obs-fold of Transfer-Encoding",
                        "POST /api HTTP/1.1\r\nHost: x\r\nTransfer-Encoding:\r\n chunked\r\n\r\n0\r\n\r\n"),
                new Shape("first header line starting with a space",
                        "GET /api HTTP/1.1\r\n Host: x\r\n\r\n"),
                new Shape("whitespace before the colon",
                        "GET /api HTTP/1.1\r\nHost : x\r\n\r\n"),
                new Shape("tab before the colon",
                        "GET /api HTTP/1.1\r\nHost\t: x\r\n\r\n"),
                new Shape("bare LF after the request line",
                        "GET /api HTTP/1.1\nHost: x\r\n\r\n"),
                new Shape("bare LF after a header",
                        "GET /api HTTP/1.1\r\nHost: x\nX-A: 1\r\n\r\n"),
                new Shape("bare CR inside a header value",
                        "GET /api HTTP/1.1\r\nHost: x\r\nX-A: 1\rX-B: 2\r\n\r\n"),
                new Shape("NUL in a header value",
                        "GET /api HTTP/1.1\r\nHost: x\r\nX-A: 1\u0000\r\n\r\n"),
                new Shape("two spaces in the request line",
                        "GET  /api HTTP/1.1\r\nHost: x\r\n\r\n"),
                new Shape("trailing space after the version",
                        "GET /api HTTP/1.1 \r\nHost: x\r\n\r\n"),
                new Shape("tab as the request line separator",
                        "GET\t/api HTTP/1.1\r\nHost: x\r\n\r\n"),
                new Shape("missing Host on HTTP/1.1",
                        "GET /api HTTP/1.1\r\nAccept: */*\r\n\r\n"),
                new Shape("two Host headers",
                        "GET /api HTTP/1.1\r\nHost: x\r\nHost: y\r\n\r\n"),
                new Shape("Host with a space in it",
                        "GET /api HTTP/1.1\r\nHost: a b\r\n\r\n"),
                new Shape("Host listing two names",
                        "GET /api HTTP/1.1\r\nHost: a.example, b.example\r\n\r\n"),
                new Shape("Host with userinfo",
                        "GET /api HTTP/1.1\r\nHost: user@a.example\r\n\r\n"),
                new Shape("Host with a non-numeric port",
                        "GET /api HTTP/1.1\r\nHost: a.example:80a\r\n\r\n"),
                new Shape("version HTTP/1.2",
                        "GET /api HTTP/1.2\r\nHost: x\r\n\r\n"),
                new Shape("version HTTP/2.0 on an HTTP/1 connection",
                        "GET /api HTTP/2.0\r\nHost: x\r\n\r\n"),
                new Shape("version in lower case",
                        "GET /api http/1.1\r\nHost: x\r\n\r\n"),
                new Shape("no version (HTTP/0.9)",
                        "GET /api\r\n\r\n"),
                new Shape("empty header name",
                        "GET /api HTTP/1.1\r\nHost: x\r\n: nothing\r\n\r\n"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("ambiguousHeads")
    void ambiguousHeadIsRefusedAndClosedBeforeTheUpstream(Shape shape) {
        try (FakeUpstream upstream = FakeUpstream.start();
             GatewayUnderTest gw = GatewayUnderTest.start(CONFIG.formatted(upstream.url()));
             RawClient client = gw.raw()) {
            RawResponse res = client.send(shape.request()).readResponse();

            assertThat(res).as("an answer before the close").isNotNull();
            assertThat(res.status()).isEqualTo(400);
            ProblemJson problem = ProblemJson.of(res);
            assertThat(problem.type()).isEqualTo("urn:portico:error:malformed-request");
            assertThat(problem.requestId()).isEqualTo(res.header("x-request-id")).isNotBlank();
            assertThat(res.header("connection")).isEqualToIgnoringCase("close");
            assertThat(client.closedByPeer()).as("connection closed after the 400").isTrue();
            assertThat(upstream.connectionCount()).as("connections to the upstream").isZero();
        }
    }

    static Stream<Shape> badChunks() {
        String head = "POST /api HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n";
        return Stream.of(
                new Shape("chunk size 'zz'", head + "zz\r\nhello\r\n0\r\n\r\n"),
                new Shape("negative chunk size", head + "-5\r\nhello\r\n0\r\n\r\n"),
                new Shape("chunk size that overflows 64 bits", head + "ffffffffffffffffff\r\nhello\r\n0\r\n\r\n"),
                new Shape("chunk size that overflows into a small number", head + "10000000000000005\r\nhello\r\n0\r\n\r\n"),
                new Shape("chunk size with a sign", head + "+5\r\nhello\r\n0\r\n\r\n"),
                new Shape("chunk size in 0x form", head + "0x5\r\nhello\r\n0\r\n\r\n"),
                new Shape("empty chunk size", head + "\r\nhello\r\n0\r\n\r\n"),
                new Shape("chunk data longer than its size", head + "3\r\nhello\r\n0\r\n\r\n"),
                new Shape("chunk size line ending in bare LF", head + "5\nhello\r\n0\r\n\r\n"));
    }

    /**
     * Here the head is valid and may already be on its way upstream; what matters is that the
     * client never gets an answer to a request the upstream took as whole.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("badChunks")
    void badChunkNeverBecomesACompleteUpstreamRequest(Shape shape) {
        try (FakeUpstream upstream = FakeUpstream.start();
             GatewayUnderTest gw = GatewayUnderTest.start(CONFIG.formatted(upstream.url()));
             RawClient client = gw.raw()) {
            RawResponse res = client.send(shape.request()).readResponse();

            if (res != null) {
                assertThat(res.status()).isEqualTo(400);
                assertThat(ProblemJson.of(res).type()).isEqualTo("urn:portico:error:malformed-request");
            }
            assertThat(client.closedByPeer()).as("connection closed").isTrue();
            await().during(Duration.ofMillis(300)).atMost(Duration.ofSeconds(2))
                    .until(() -> upstream.requestCount() == 0);
        }
    }

    @ParameterizedTest(name = "Content-Length: {0}")
    @ValueSource(strings = {"005", " 5 ", "\t5"})
    void contentLengthIsForwardedInItsPlainSpelling(String value) {
        try (FakeUpstream upstream = FakeUpstream.start();
             GatewayUnderTest gw = GatewayUnderTest.start(CONFIG.formatted(upstream.url()));
             RawClient client = gw.raw()) {
            RawResponse res = client.send("POST /api HTTP/1.1\r\nHost: x\r\nContent-Length:" + value + "\r\n\r\nhello").readResponse();

            assertThat(res.status()).isEqualTo(200);
            RecordedRequest seen = upstream.takeRequest();
            assertThat(seen.headers("content-length")).containsExactly("5");
            assertThat(seen.bodyText()).isEqualTo("hello");
        }
    }

    static Stream<Shape> unambiguousVariants() {
        return Stream.of(
                new Shape("'chunked' in upper case", "Transfer-Encoding: CHUNKED"),
                new Shape("'Chunked' in mixed case", "Transfer-Encoding: Chunked"),
                new Shape("'chunked' with spaces around it", "Transfer-Encoding:   chunked  "),
                new Shape("'chunked' with tabs around it", "Transfer-Encoding:\tchunked\t"),
                new Shape("header name in odd case", "tRANSFER-eNCODING: chunked"));
    }

    /** The accepted side of the policy: these mean exactly one thing, and the upstream gets canonical chunked. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("unambiguousVariants")
    void loneChunkedInAnySpellingIsForwardedReframed(Shape shape) {
        try (FakeUpstream upstream = FakeUpstream.start();
             GatewayUnderTest gw = GatewayUnderTest.start(CONFIG.formatted(upstream.url()));
             RawClient client = gw.raw()) {
            RawResponse res = client.send("POST /api HTTP/1.1\r\nHost: x\r\n" + shape.request()
                    + "\r\n\r\n5\r\nhello\r\n0\r\n\r\n").readResponse();

            assertThat(res.status()).isEqualTo(200);
            RecordedRequest seen = upstream.takeRequest();
            assertThat(seen.bodyText()).isEqualTo("hello");
            assertThat(seen.headers("transfer-encoding")).containsExactly("chunked");
        }
    }
}
