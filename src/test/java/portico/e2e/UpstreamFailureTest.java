package portico.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import portico.testing.ConfigEdits;
import portico.testing.FakeUpstream;
import portico.testing.Fault;
import portico.testing.GatewayUnderTest;
import portico.testing.ProblemJson;
import portico.testing.RawClient;
import portico.testing.RawResponse;

/**
 * What a client sees when the upstream misbehaves (CONTRACT section 5): 502 for a refused or reset
 * connection and for a response that is not HTTP; a closed connection, never a complete-looking
 * response, once the answer has begun. After every failure the gateway serves the next request
 * normally; closing the gateway checks that no buffer leaked.
 */
class UpstreamFailureTest {
    private static final String CONFIG = """
            version: 1
            listen: 127.0.0.1:0
            services:
              flaky: {url: %s, timeouts: {connect: 2s, response: 5s, idle: 5s}}
              healthy: {url: %s}
            routes:
              - {name: flaky, match: {paths: [/flaky]}, service: flaky}
              - {name: healthy, match: {paths: [/healthy]}, service: healthy}
            """;

    @Test
    void aRefusedConnectionIs502() {
        try (FakeUpstream healthy = FakeUpstream.start();
             GatewayUnderTest gw = GatewayUnderTest.start(CONFIG.formatted("http://127.0.0.1:" + closedPort(), healthy.url()))) {
            for (int i = 0; i < 3; i++) {  // a failed connect gives its pool slot back every time
                ProblemJson problem = ProblemJson.of(gw.get("/flaky/x"));

                assertThat(problem.httpStatus()).isEqualTo(502);
                assertThat(problem.type()).isEqualTo("urn:portico:error:bad-upstream");
                assertThat(problem.detail()).contains("flaky").contains("refused");
                assertThat(problem.requestId()).isNotBlank();
            }
            assertStillServes(gw, "/healthy/x");
        }
    }

    @Test
    void aConnectThatThrowsIs502NotAnEmptyReply() {
        // Check refuses port 99999; a connect that throws for any reason must still be answered.
        try (FakeUpstream healthy = FakeUpstream.start();
             GatewayUnderTest gw = GatewayUnderTest.start(CONFIG.formatted(healthy.url(), healthy.url()),
                     ConfigEdits.targetPort("flaky", 99999))) {
            ProblemJson problem = ProblemJson.of(gw.get("/flaky/x"));

            assertThat(problem.httpStatus()).isEqualTo(502);
            assertThat(problem.type()).isEqualTo("urn:portico:error:bad-upstream");
            assertThat(problem.detail()).isEqualTo("service 'flaky' (127.0.0.1:99999) could not be reached");
            assertStillServes(gw, "/healthy/x");
        }
    }

    @Test
    void aConnectionResetBeforeTheResponseIs502() {
        try (FakeUpstream upstream = FakeUpstream.start().fault("/flaky/reset", Fault.RESET_BEFORE_RESPONSE);
             GatewayUnderTest gw = GatewayUnderTest.start(CONFIG.formatted(upstream.url(), upstream.url()))) {
            ProblemJson problem = ProblemJson.of(gw.get("/flaky/reset"));

            assertThat(problem.httpStatus()).isEqualTo(502);
            assertThat(problem.type()).isEqualTo("urn:portico:error:bad-upstream");
            assertThat(problem.detail()).as("plain words, never the socket's own message")
                    .isEqualTo("service 'flaky' (127.0.0.1:" + upstream.port() + ") reset the connection before responding");
            assertStillServes(gw, "/flaky/ok");
        }
    }

    @Test
    void aConnectionResetMidBodyClosesTheClientConnectionShortOfTheDeclaredLength() {
        try (FakeUpstream upstream = FakeUpstream.start().fault("/flaky/reset", Fault.RESET_MID_BODY);
             GatewayUnderTest gw = GatewayUnderTest.start(CONFIG.formatted(upstream.url(), upstream.url()));
             RawClient client = gw.raw()) {
            RawResponse res = client.send("GET /flaky/reset HTTP/1.1\r\nHost: gw\r\n\r\n").readResponse();

            assertThat(res).as("the head was relayed before the failure").isNotNull();
            assertThat(res.status()).isEqualTo(200);
            assertThat(Long.parseLong(res.header("content-length"))).isEqualTo(1_048_576);
            assertThat(res.body()).as("the body stops where the upstream's did").isEqualTo("0123456789");
            assertThat(client.closedByPeer()).isTrue();
            assertStillServes(gw, "/flaky/ok");
        }
    }

    @Test
    void aChunkedResponseCutShortNeverGetsItsLastChunk() {
        try (FakeUpstream upstream = FakeUpstream.start().handle("/flaky/cut", (req, res) -> {
                res.raw("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nContent-Type: text/plain\r\n\r\n5\r\nhello\r\n");
                res.hangUp();
            });
             GatewayUnderTest gw = GatewayUnderTest.start(CONFIG.formatted(upstream.url(), upstream.url()))) {
            HttpRequest req = HttpRequest.newBuilder(gw.uri("/flaky/cut")).timeout(Duration.ofSeconds(10)).build();

            assertThatThrownBy(() -> GatewayUnderTest.HTTP.send(req, HttpResponse.BodyHandlers.ofString()))
                    .as("the client must see a broken body, not a short complete one").isInstanceOf(IOException.class);
            assertStillServes(gw, "/flaky/ok");
        }
    }

    @Test
    void aBodyEndedByTheUpstreamClosingIsCompleteAndReachesTheClientChunked() {
        // Without Content-Length or chunked, the close ends the body (RFC 9112 section 6.3), so
        // this close is not a failure; an HTTP/1.1 client gets the body chunked.
        try (FakeUpstream upstream = FakeUpstream.start().handle("/flaky/old", (req, res) -> {
                res.raw("HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n\r\nall of it");
                res.hangUp();
            });
             GatewayUnderTest gw = GatewayUnderTest.start(CONFIG.formatted(upstream.url(), upstream.url()))) {
            HttpResponse<String> res = gw.get("/flaky/old");

            assertThat(res.statusCode()).isEqualTo(200);
            assertThat(res.body()).isEqualTo("all of it");
            assertThat(res.headers().firstValue("transfer-encoding")).hasValue("chunked");
            assertStillServes(gw, "/flaky/ok");
        }
    }

    @Test
    void aStatusLineThatIsNotHttpIs502() {
        try (FakeUpstream upstream = FakeUpstream.start().fault("/flaky/garbage", Fault.GARBAGE_STATUS_LINE);
             GatewayUnderTest gw = GatewayUnderTest.start(CONFIG.formatted(upstream.url(), upstream.url()))) {
            ProblemJson problem = ProblemJson.of(gw.get("/flaky/garbage"));

            assertThat(problem.httpStatus()).isEqualTo(502);
            assertThat(problem.detail()).as("the target named, not the parser's words")
                    .isEqualTo("service 'flaky' (127.0.0.1:" + upstream.port() + ") sent a malformed status line");
            assertStillServes(gw, "/flaky/ok");
        }
    }

    @Test
    void aResponseHeadThatDoesNotParseIs502() {
        try (FakeUpstream upstream = FakeUpstream.start()
                .handle("/flaky/bad-length", (req, res) -> res.raw("HTTP/1.1 200 OK\r\nContent-Length: lots\r\n\r\nhello"));
             GatewayUnderTest gw = GatewayUnderTest.start(CONFIG.formatted(upstream.url(), upstream.url()))) {
            ProblemJson problem = ProblemJson.of(gw.get("/flaky/bad-length"));

            assertThat(problem.httpStatus()).isEqualTo(502);
            assertThat(problem.detail()).isEqualTo("service 'flaky' (127.0.0.1:" + upstream.port() + ") sent malformed response headers");
            assertStillServes(gw, "/flaky/ok");
        }
    }

    @Test
    void aConnectionClosedBeforeTheHeadEndsIs502() {
        try (FakeUpstream upstream = FakeUpstream.start()
                .handle("/flaky/half-head", (req, res) -> {
                    res.raw("HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n");
                    res.hangUp();
                });
             GatewayUnderTest gw = GatewayUnderTest.start(CONFIG.formatted(upstream.url(), upstream.url()))) {
            ProblemJson problem = ProblemJson.of(gw.get("/flaky/half-head"));

            assertThat(problem.httpStatus()).isEqualTo(502);
            assertThat(problem.detail()).isEqualTo("service 'flaky' (127.0.0.1:" + upstream.port() + ") closed the connection in the middle of the response head");
            assertStillServes(gw, "/flaky/ok");
        }
    }

    /** The next request on the same service succeeds, and nothing is left in flight. */
    static void assertStillServes(GatewayUnderTest gw, String path) {
        HttpResponse<String> next = gw.get(path);
        assertThat(next.statusCode()).as("the request after the failure").isEqualTo(200);
        await().atMost(Duration.ofSeconds(5)).until(() -> gw.gateway().inFlight() == 0);
    }

    /** A port nothing listens on: bound once, then released. */
    static int closedPort() {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
