package portico.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import portico.testing.FakeUpstream;
import portico.testing.GatewayUnderTest;
import portico.testing.RawClient;
import portico.testing.RawResponse;
import portico.testing.RecordedRequest;

/**
 * {@code Expect: 100-continue} (RFC 9110 section 10.1.1): the gateway says "100 Continue" itself
 * once it has an upstream connection for the body, then relays the upstream's final answer. The
 * expectation is the gateway's business with this client, so it does not travel upstream.
 */
class HeadersExpectContinueTest {
    private FakeUpstream upstream;
    private GatewayUnderTest gw;

    @BeforeEach
    void start() {
        upstream = FakeUpstream.start()
                .handle("/api", (req, res) -> res.status(201).body("{\"echo\":\"" + req.bodyText() + "\"}"));
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
    void continueComesBeforeTheBodyThenTheUpstreamsAnswer() {
        try (RawClient client = gw.raw()) {
            RawResponse interim = client.send("POST /api/orders HTTP/1.1\r\nHost: x\r\nContent-Type: text/plain\r\n"
                    + "Content-Length: 5\r\nExpect: 100-continue\r\n\r\n").readResponseHead();

            assertThat(interim.status()).isEqualTo(100);
            RawResponse res = client.send("hello").readResponse();
            assertThat(res.status()).isEqualTo(201);
            assertThat(res.body()).isEqualTo("{\"echo\":\"hello\"}");
            assertThat(res.header("x-request-id")).isNotBlank();
            RecordedRequest seen = upstream.takeRequest();
            assertThat(seen.header("expect")).isNull();
            assertThat(seen.bodyText()).isEqualTo("hello");
        }
    }

    @Test
    void continueWorksForAChunkedBodyAndTheConnectionIsKept() {
        try (RawClient client = gw.raw()) {
            RawResponse interim = client.send("POST /api/orders HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n"
                    + "Expect: 100-continue\r\n\r\n").readResponseHead();

            assertThat(interim.status()).isEqualTo(100);
            assertThat(client.send("3\r\nabc\r\n2\r\nde\r\n0\r\n\r\n").readResponse().status()).isEqualTo(201);
            assertThat(upstream.takeRequest().bodyText()).isEqualTo("abcde");
            RawResponse again = client.send("POST /api/orders HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n\r\nok").readResponse();
            assertThat(again.status()).isEqualTo(201);
        }
    }

    @Test
    void noContinueWhenTheRequestIsRefusedFirst() {
        try (RawClient client = gw.raw()) {
            RawResponse res = client.send("POST /nowhere HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n"
                    + "Expect: 100-continue\r\n\r\n").readResponse();

            assertThat(res.status()).as("the final answer instead of 100 Continue").isEqualTo(404);
        }
    }
}
