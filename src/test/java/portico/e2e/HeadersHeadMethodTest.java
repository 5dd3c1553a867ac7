package portico.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import portico.testing.FakeUpstream;
import portico.testing.GatewayUnderTest;
import portico.testing.RawClient;
import portico.testing.RawResponse;

/**
 * HEAD is GET without the body (RFC 9110 section 9.3.2): the same status and headers, including
 * the Content-Length or chunked framing a GET would have, and no body bytes on the wire, so that
 * the next response on a kept-alive connection starts where it should.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class HeadersHeadMethodTest {
    private static final String DOC = "{\"name\":\"portico\"}";

    private FakeUpstream upstream;
    private GatewayUnderTest gw;

    @BeforeAll
    void start() {
        upstream = FakeUpstream.start()
                .handle("/api/fixed", (req, res) -> {
                    if (req.method().equals("HEAD")) {
                        res.raw("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nETag: \"v1\"\r\nContent-Length: "
                                + DOC.length() + "\r\n\r\n");
                    } else {
                        res.header("ETag", "\"v1\"").body(DOC);
                    }
                })
                .handle("/api/chunked", (req, res) -> {
                    if (req.method().equals("HEAD")) {
                        res.raw("HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nTransfer-Encoding: chunked\r\n\r\n");
                    } else {
                        res.stream(1000, true);
                    }
                });
        gw = GatewayUnderTest.start("""
                version: 1
                listen: 127.0.0.1:0
                services: {api: {url: %s}}
                routes:
                  - {name: api, match: {paths: [/api]}, service: api}
                """.formatted(upstream.url()));
    }

    @AfterAll
    void stop() {
        if (gw != null) gw.close();
        if (upstream != null) upstream.close();
    }

    @Test
    void headHasTheHeadersOfGetAndNoBody() {
        HttpResponse<String> get = gw.get("/api/fixed");
        HttpResponse<String> head = gw.send(HttpRequest.newBuilder(gw.uri("/api/fixed")).method("HEAD", HttpRequest.BodyPublishers.noBody()).build());

        assertThat(head.statusCode()).isEqualTo(get.statusCode()).isEqualTo(200);
        assertThat(head.body()).isEmpty();
        for (String name : new String[] {"content-type", "content-length", "etag"}) {
            assertThat(head.headers().firstValue(name)).as(name).isEqualTo(get.headers().firstValue(name));
        }
        assertThat(head.headers().firstValue("x-request-id")).isPresent();
    }

    @Test
    void headIsForwardedAsHead() {
        gw.send(HttpRequest.newBuilder(gw.uri("/api/fixed?head=1")).method("HEAD", HttpRequest.BodyPublishers.noBody()).build());

        assertThat(upstream.recorded()).anySatisfy(r -> {
            assertThat(r.method()).isEqualTo("HEAD");
            assertThat(r.target()).isEqualTo("/api/fixed?head=1");
        });
    }

    @Test
    void noBodyBytesFollowAHeadAnswerOnAKeptConnection() {
        try (RawClient client = gw.raw()) {
            RawResponse head = client.send("HEAD /api/fixed HTTP/1.1\r\nHost: x\r\n\r\n").readResponseHead();
            RawResponse next = client.send("GET /api/fixed HTTP/1.1\r\nHost: x\r\n\r\n").readResponse();

            assertThat(head.status()).isEqualTo(200);
            assertThat(head.header("content-length")).isEqualTo(String.valueOf(DOC.length()));
            assertThat(next.status()).as("the GET's status line came right after the HEAD's head").isEqualTo(200);
            assertThat(next.body()).isEqualTo(DOC);
        }
    }

    @Test
    void headOfAChunkedResourceSendsNoTerminatingChunk() {
        try (RawClient client = gw.raw()) {
            RawResponse head = client.send("HEAD /api/chunked HTTP/1.1\r\nHost: x\r\n\r\n").readResponseHead();
            RawResponse next = client.send("GET /api/fixed HTTP/1.1\r\nHost: x\r\n\r\n").readResponse();

            assertThat(head.status()).isEqualTo(200);
            // Netty's upstream decoder drops Transfer-Encoding from a HEAD answer (RFC 9110 lets a server
            // omit what only the content determines); what matters is that no length is made up.
            assertThat(head.header("content-length")).isNull();
            assertThat(next.status()).as("no '0\\r\\n\\r\\n' between the two answers").isEqualTo(200);
            assertThat(next.body()).isEqualTo(DOC);
        }
    }
}
