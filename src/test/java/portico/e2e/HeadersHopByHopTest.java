package portico.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import portico.testing.FakeUpstream;
import portico.testing.GatewayUnderTest;
import portico.testing.RawClient;
import portico.testing.RawResponse;
import portico.testing.RecordedRequest;

/**
 * Hop-by-hop headers describe one connection (RFC 9110 section 7.6.1) and never cross the
 * gateway, in either direction: the fixed list, and every header a {@code Connection} header names.
 */
class HeadersHopByHopTest {
    private static final List<String> FIXED = List.of("connection", "keep-alive", "te", "trailer", "upgrade",
            "proxy-authorization", "proxy-authenticate", "proxy-connection");

    private FakeUpstream upstream;
    private GatewayUnderTest gw;

    @BeforeEach
    void start() {
        upstream = FakeUpstream.start()
                .handle("/api/answer", (req, res) -> res
                        .header("Connection", "X-Bar, x-baz")
                        .header("X-Bar", "hop")
                        .header("X-Baz", "hop")
                        .header("Keep-Alive", "timeout=5")
                        .header("Proxy-Authenticate", "Basic realm=upstream")
                        .header("Proxy-Connection", "keep-alive")
                        .header("Trailer", "X-Checksum")
                        .header("Upgrade", "h2c")
                        .header("X-End-To-End", "kept")
                        .body("{}"));
        gw = GatewayUnderTest.start("""
                version: 1
                listen: 127.0.0.1:0
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

    @Test
    void hopByHopRequestHeadersDoNotReachTheUpstream() {
        try (RawClient client = gw.raw()) {
            RawResponse res = client.send("""
                    GET /api/request HTTP/1.1\r
                    Host: x\r
                    Connection: keep-alive, X-Foo\r
                    Keep-Alive: timeout=5\r
                    TE: trailers\r
                    Trailer: X-Checksum\r
                    Upgrade: websocket\r
                    Proxy-Authorization: Basic dXNlcjpwYXNz\r
                    Proxy-Connection: keep-alive\r
                    X-Foo: named-by-connection\r
                    X-End-To-End: kept\r
                    \r
                    """).readResponse();

            assertThat(res.status()).isEqualTo(200);
            RecordedRequest seen = upstream.takeRequest();
            assertThat(seen.headers().keySet()).doesNotContainAnyElementsOf(FIXED).doesNotContain("x-foo");
            assertThat(seen.header("x-end-to-end")).isEqualTo("kept");
        }
    }

    @Test
    void headersNamedInSeveralConnectionHeadersInAnyCaseAreRemoved() {
        try (RawClient client = gw.raw()) {
            client.send("GET /api/request HTTP/1.1\r\nHost: x\r\nconnection: x-one\r\nCONNECTION: X-TWO , x-three\r\n"
                    + "X-One: 1\r\nx-two: 2\r\nX-Three: 3\r\nX-Four: 4\r\n\r\n").readResponse();

            RecordedRequest seen = upstream.takeRequest();
            assertThat(seen.headers().keySet()).doesNotContain("connection", "x-one", "x-two", "x-three");
            assertThat(seen.header("x-four")).isEqualTo("4");
        }
    }

    @Test
    void connectionCannotRemoveTheGatewaysOwnHeaders() {
        try (RawClient client = gw.raw()) {
            client.send("GET /api/request HTTP/1.1\r\nHost: x\r\nConnection: X-Forwarded-For, X-Request-Id, Host\r\n\r\n")
                    .readResponse();

            RecordedRequest seen = upstream.takeRequest();
            assertThat(seen.header("x-forwarded-for")).isEqualTo("127.0.0.1");
            assertThat(seen.header("x-request-id")).isNotBlank();
            assertThat(seen.header("host")).isEqualTo("127.0.0.1:" + upstream.port());
        }
    }

    @Test
    void hopByHopResponseHeadersDoNotReachTheClient() {
        try (RawClient client = gw.raw()) {
            RawResponse res = client.send("GET /api/answer HTTP/1.1\r\nHost: x\r\n\r\n").readResponse();

            assertThat(res.status()).isEqualTo(200);
            assertThat(res.headers().keySet()).doesNotContain("keep-alive", "proxy-authenticate", "proxy-connection",
                    "trailer", "upgrade", "x-bar", "x-baz");
            assertThat(res.header("connection")).as("the gateway's own Connection header, if any").isNull();
            assertThat(res.header("x-end-to-end")).isEqualTo("kept");
            // The connection is still the client's to reuse: the upstream's Connection header did not leak.
            assertThat(client.send("GET /api/answer HTTP/1.1\r\nHost: x\r\n\r\n").readResponse().status()).isEqualTo(200);
        }
    }
}
