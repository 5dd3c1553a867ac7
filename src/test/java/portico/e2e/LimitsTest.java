package portico.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import portico.testing.FakeUpstream;
import portico.testing.GatewayUnderTest;
import portico.testing.ProblemJson;
import portico.testing.RawClient;
import portico.testing.RawResponse;

/**
 * What one request may cost: {@code limits.max_uri_bytes} (414), {@code max_header_bytes} (431)
 * and {@code max_body_bytes} (413), with KB = 1024 bytes. Each limit is shown from both sides:
 * exactly at it is served, past it is refused before the upstream sees the request.
 */
class LimitsTest {
    private static final int KB = 1024;

    private FakeUpstream upstream;
    private GatewayUnderTest gw;

    @BeforeEach
    void start() {
        upstream = FakeUpstream.start().handle("/", (req, res) -> res.body("{\"got\":" + req.bodyLength() + "}"));
        gw = GatewayUnderTest.start("""
                version: 1
                listen: 127.0.0.1:0
                limits: {max_uri_bytes: 1KB, max_header_bytes: 2KB, max_body_bytes: 4KB}
                services: {api: {url: %s}}
                routes:
                  - {name: api, match: {paths: [/api]}, service: api}
                """.formatted(upstream.url()));
    }

    @AfterEach
    void stop() {
        if (gw != null) gw.close();
        if (upstream != null) upstream.close();
    }

    /** A request target of exactly {@code length} bytes: "/api?q=aaaa...". */
    private static String target(int length) {
        return "/api?q=" + "a".repeat(length - "/api?q=".length());
    }

    @Test
    void uriOfExactlyTheLimitIsServed() {
        try (RawClient client = gw.raw()) {
            RawResponse res = client.send("GET " + target(KB) + " HTTP/1.1\r\nHost: x\r\n\r\n").readResponse();

            assertThat(res.status()).isEqualTo(200);
            assertThat(upstream.takeRequest().target()).hasSize(KB);
        }
    }

    @Test
    void uriOneByteOverTheLimitIs414() {
        try (RawClient client = gw.raw()) {
            RawResponse res = client.send("GET " + target(KB + 1) + " HTTP/1.1\r\nHost: x\r\n\r\n").readResponse();

            assertThat(res.status()).isEqualTo(414);
            assertThat(ProblemJson.of(res).type()).isEqualTo("urn:portico:error:uri-too-long");
            assertThat(upstream.connectionCount()).isZero();
        }
    }

    @Test
    void uriFarOverTheLimitIs414AndTheConnectionCloses() {
        try (RawClient client = gw.raw()) {
            RawResponse res = client.send("GET " + target(8 * KB) + " HTTP/1.1\r\nHost: x\r\n\r\n").readResponse();

            assertThat(res.status()).isEqualTo(414);
            assertThat(ProblemJson.of(res).detail()).contains("limits.max_uri_bytes");
            assertThat(client.closedByPeer()).isTrue();
            assertThat(upstream.connectionCount()).isZero();
        }
    }

    @Test
    void headersUnderTheLimitAreServed() {
        try (RawClient client = gw.raw()) {
            RawResponse res = client.send("GET /api HTTP/1.1\r\nHost: x\r\nX-Big: " + "b".repeat(KB) + "\r\n\r\n").readResponse();

            assertThat(res.status()).isEqualTo(200);
            assertThat(upstream.takeRequest().header("x-big")).hasSize(KB);
        }
    }

    @Test
    void headersOverTheLimitAre431AndTheConnectionCloses() {
        try (RawClient client = gw.raw()) {
            RawResponse res = client.send("GET /api HTTP/1.1\r\nHost: x\r\nX-Big: " + "b".repeat(2 * KB) + "\r\n\r\n").readResponse();

            assertThat(res.status()).isEqualTo(431);
            assertThat(ProblemJson.of(res).type()).isEqualTo("urn:portico:error:headers-too-large");
            assertThat(client.closedByPeer()).isTrue();
            assertThat(upstream.connectionCount()).isZero();
        }
    }

    @Test
    void manySmallHeadersOverTheLimitAre431() {
        StringBuilder head = new StringBuilder("GET /api HTTP/1.1\r\nHost: x\r\n");
        for (int i = 0; i < 100; i++) head.append("X-H").append(i).append(": ").append("v".repeat(20)).append("\r\n");
        try (RawClient client = gw.raw()) {
            RawResponse res = client.send(head + "\r\n").readResponse();

            assertThat(res.status()).isEqualTo(431);
            assertThat(upstream.connectionCount()).isZero();
        }
    }

    @Test
    void bodyOfExactlyTheLimitIsServed() {
        try (RawClient client = gw.raw()) {
            RawResponse res = client.send("POST /api HTTP/1.1\r\nHost: x\r\nContent-Length: " + 4 * KB + "\r\n\r\n" + "x".repeat(4 * KB))
                    .readResponse();

            assertThat(res.status()).isEqualTo(200);
            assertThat(res.body()).isEqualTo("{\"got\":4096}");
        }
    }

    @Test
    void declaredBodyOverTheLimitIs413BeforeTheUpstream() {
        try (RawClient client = gw.raw()) {
            RawResponse res = client.send("POST /api HTTP/1.1\r\nHost: x\r\nContent-Length: " + (4 * KB + 1) + "\r\n\r\n"
                    + "x".repeat(4 * KB + 1)).readResponse();

            assertThat(res.status()).isEqualTo(413);
            ProblemJson problem = ProblemJson.of(res);
            assertThat(problem.type()).isEqualTo("urn:portico:error:body-too-large");
            assertThat(problem.detail()).contains("limits.max_body_bytes");
            assertThat(res.header("connection")).isEqualToIgnoringCase("close");
            assertThat(upstream.connectionCount()).isZero();
        }
    }

    @Test
    void declaredBodyOverTheLimitWithExpectContinueIs413WithoutA100() {
        try (RawClient client = gw.raw()) {
            RawResponse res = client.send("POST /api HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Length: "
                    + 64 * KB + "\r\n\r\n").readResponse();

            assertThat(res.status()).as("the final answer comes instead of 100 Continue").isEqualTo(413);
            assertThat(upstream.connectionCount()).isZero();
        }
    }

    @Test
    void chunkedBodyOverTheLimitIsNeverAnsweredAsWhole() {
        StringBuilder body = new StringBuilder();
        for (int i = 0; i < 5; i++) body.append("400\r\n").append("c".repeat(KB)).append("\r\n");
        body.append("0\r\n\r\n");
        try (RawClient client = gw.raw()) {
            RawResponse res = client.send("POST /api HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n" + body).readResponse();

            if (res != null) {
                assertThat(res.status()).isEqualTo(413);
                assertThat(ProblemJson.of(res).type()).isEqualTo("urn:portico:error:body-too-large");
            }
            assertThat(client.closedByPeer()).isTrue();
            await().during(Duration.ofMillis(300)).atMost(Duration.ofSeconds(2)).until(() -> upstream.requestCount() == 0);
        }
    }

    @Test
    void chunkedBodyOfExactlyTheLimitIsServed() {
        StringBuilder body = new StringBuilder();
        for (int i = 0; i < 4; i++) body.append("400\r\n").append("c".repeat(KB)).append("\r\n");
        body.append("0\r\n\r\n");
        try (RawClient client = gw.raw()) {
            RawResponse res = client.send("POST /api HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n" + body).readResponse();

            assertThat(res.status()).isEqualTo(200);
            assertThat(res.body()).isEqualTo("{\"got\":4096}");
        }
    }
}
