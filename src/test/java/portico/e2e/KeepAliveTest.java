package portico.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import portico.testing.FakeUpstream;
import portico.testing.GatewayUnderTest;
import portico.testing.ProblemJson;
import portico.testing.RawClient;
import portico.testing.RawResponse;
import portico.testing.RecordedRequest;

/**
 * Upstream connections are pooled and reused; one the upstream has closed is never used for the
 * next request, and one left unused for {@code timeouts.idle} is closed by the gateway.
 */
class KeepAliveTest {
    private static final String CONFIG = """
            version: 1
            listen: 127.0.0.1:0
            services:
              app: {url: %s, timeouts: {idle: %s}}
            routes:
              - {name: app, match: {paths: [/]}, service: app}
            """;

    @Test
    void aHundredSequentialRequestsShareOneUpstreamConnection() {
        try (FakeUpstream upstream = FakeUpstream.start().handle("/n", (req, res) -> res.body(req.target()));
             GatewayUnderTest gw = GatewayUnderTest.start(CONFIG.formatted(upstream.url(), "60s"));
             RawClient client = gw.raw()) {
            for (int i = 0; i < 100; i++) {
                RawResponse res = client.send("GET /n/" + i + " HTTP/1.1\r\nHost: gw\r\n\r\n").readResponse();
                assertThat(res.status()).isEqualTo(200);
                assertThat(res.body()).isEqualTo("/n/" + i);
            }

            assertThat(upstream.requestCount()).isEqualTo(100);
            assertThat(upstream.connectionCount()).isEqualTo(1);
            assertThat(upstream.recorded()).extracting(RecordedRequest::connectionId).containsOnly(1);
        }
    }

    @Test
    void pipelinedRequestsAreAnsweredInOrderOverOneUpstreamConnection() {
        try (FakeUpstream upstream = FakeUpstream.start().handle("/n", (req, res) -> res.body(req.target()));
             GatewayUnderTest gw = GatewayUnderTest.start(CONFIG.formatted(upstream.url(), "60s"));
             RawClient client = gw.raw()) {
            client.send("GET /n/0 HTTP/1.1\r\nHost: gw\r\n\r\nGET /n/1 HTTP/1.1\r\nHost: gw\r\n\r\n"
                    + "GET /n/2 HTTP/1.1\r\nHost: gw\r\n\r\n");

            for (int i = 0; i < 3; i++) assertThat(client.readResponse().body()).isEqualTo("/n/" + i);
            assertThat(upstream.connectionCount()).isEqualTo(1);
        }
    }

    @Test
    void aRequestSentWhileThePreviousOneIsStillBeingAnsweredWaitsItsTurn() {
        CountDownLatch secondSent = new CountDownLatch(1);
        try (FakeUpstream upstream = FakeUpstream.start()
                     .handle("/first", (req, res) -> {
                         secondSent.await(5, TimeUnit.SECONDS);
                         res.body("first");
                     })
                     .handle("/second", (req, res) -> res.body("second"));
             GatewayUnderTest gw = GatewayUnderTest.start(CONFIG.formatted(upstream.url(), "60s"));
             RawClient client = gw.raw()) {
            client.send("GET /first HTTP/1.1\r\nHost: gw\r\n\r\n");
            assertThat(upstream.takeRequest().path()).isEqualTo("/first");
            client.send("POST /second HTTP/1.1\r\nHost: gw\r\nContent-Length: 5\r\n\r\nhello");
            secondSent.countDown();

            assertThat(client.readResponse().body()).isEqualTo("first");
            assertThat(client.readResponse().body()).isEqualTo("second");
            RecordedRequest second = upstream.takeRequest();
            assertThat(second.path()).isEqualTo("/second");
            assertThat(second.bodyLength()).isEqualTo(5);
        }
    }

    @Test
    void aConnectionTheUpstreamSaidItWouldCloseIsNotReused() {
        try (FakeUpstream upstream = FakeUpstream.start().handle("/last", (req, res) -> res.close().body("bye"));
             GatewayUnderTest gw = GatewayUnderTest.start(CONFIG.formatted(upstream.url(), "60s"))) {
            assertThat(gw.get("/last").statusCode()).isEqualTo(200);
            assertThat(gw.get("/next").statusCode()).isEqualTo(200);

            assertThat(upstream.takeRequest().connectionId()).isEqualTo(1);
            assertThat(upstream.takeRequest().connectionId()).isEqualTo(2);
        }
    }

    @Test
    void aConnectionTheUpstreamClosedWhileIdleIsNotReused() {
        try (FakeUpstream upstream = FakeUpstream.start().handle("/first", (req, res) -> res.closeUnannounced().body("hi"));
             GatewayUnderTest gw = GatewayUnderTest.start(CONFIG.formatted(upstream.url(), "60s"))) {
            assertThat(gw.get("/first").statusCode()).isEqualTo(200);
            await().atMost(Duration.ofSeconds(5)).until(() -> upstream.openConnections() == 0);

            HttpResponse<String> next = gw.get("/next");

            assertThat(next.statusCode()).isEqualTo(200);
            assertThat(upstream.requestCount()).as("nothing was sent to the closed connection").isEqualTo(2);
        }
    }

    @Test
    void aGetOnAPooledConnectionThatCloseUnansweredIsTriedOnceMoreOnAFreshOne() {
        // The upstream hangs up on the second request of connection 1, as a server whose idle
        // timeout fires just as the request arrives does.
        try (FakeUpstream upstream = FakeUpstream.start().handle("/", (req, res) -> {
                if (req.connectionId() == 1 && req.path().equals("/second")) res.hangUp();
                else res.body(req.path());
            });
             GatewayUnderTest gw = GatewayUnderTest.start(CONFIG.formatted(upstream.url(), "60s"))) {
            assertThat(gw.get("/first").statusCode()).isEqualTo(200);

            HttpResponse<String> res = gw.get("/second");

            assertThat(res.statusCode()).isEqualTo(200);
            assertThat(res.body()).isEqualTo("/second");
            List<RecordedRequest> seen = upstream.recorded();
            assertThat(seen).extracting(RecordedRequest::path).containsExactly("/first", "/second", "/second");
            assertThat(seen).extracting(RecordedRequest::connectionId).containsExactly(1, 1, 2);
        }
    }

    @Test
    void aPostIsNeverRetriedBecauseTheUpstreamMayHaveActedOnIt() {
        // RFC 9112 section 9.3.1: a proxy MUST NOT automatically retry non-idempotent requests.
        try (FakeUpstream upstream = FakeUpstream.start().handle("/", (req, res) -> {
                if (req.connectionId() == 1 && req.path().equals("/order")) res.hangUp();
                else res.body(req.path());
            });
             GatewayUnderTest gw = GatewayUnderTest.start(CONFIG.formatted(upstream.url(), "60s"))) {
            assertThat(gw.get("/first").statusCode()).isEqualTo(200);

            ProblemJson problem = ProblemJson.of(gw.send(HttpRequest.newBuilder(gw.uri("/order"))
                    .POST(HttpRequest.BodyPublishers.noBody()).timeout(Duration.ofSeconds(20)).build()));

            assertThat(problem.httpStatus()).isEqualTo(502);
            assertThat(upstream.recorded()).extracting(RecordedRequest::path).containsExactly("/first", "/order");
        }
    }

    @Test
    void aRetriedRequestThatFailsAgainIs502() {
        try (FakeUpstream upstream = FakeUpstream.start().handle("/", (req, res) -> {
                if (req.path().equals("/doomed")) res.hangUp();
                else res.body(req.path());
            });
             GatewayUnderTest gw = GatewayUnderTest.start(CONFIG.formatted(upstream.url(), "60s"))) {
            assertThat(gw.get("/first").statusCode()).isEqualTo(200);

            ProblemJson problem = ProblemJson.of(gw.get("/doomed"));

            assertThat(problem.httpStatus()).isEqualTo(502);
            assertThat(upstream.recorded()).extracting(RecordedRequest::path)
                    .as("one retry, not more").containsExactly("/first", "/doomed", "/doomed");
        }
    }

    @Test
    void pooledConnectionsUnusedForTimeoutsIdleAreClosedByTheGateway() {
        try (FakeUpstream upstream = FakeUpstream.start();
             GatewayUnderTest gw = GatewayUnderTest.start(CONFIG.formatted(upstream.url(), "300ms"))) {
            assertThat(gw.get("/a").statusCode()).isEqualTo(200);
            assertThat(upstream.openConnections()).isEqualTo(1);

            await().atMost(Duration.ofSeconds(5)).until(() -> upstream.openConnections() == 0);

            assertThat(gw.get("/b").statusCode()).as("a fresh connection replaces it").isEqualTo(200);
            assertThat(upstream.connectionCount()).isEqualTo(2);
        }
    }
}
