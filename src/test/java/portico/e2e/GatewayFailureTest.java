package portico.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static portico.e2e.UpstreamFailureTest.closedPort;

import java.time.Duration;
import org.junit.jupiter.api.Test;
import portico.config.TargetConfig;
import portico.testing.ConfigEdits;
import portico.testing.FakeUpstream;
import portico.testing.GatewayUnderTest;
import portico.testing.ProblemJson;
import portico.testing.RawClient;
import portico.testing.RawResponse;

/**
 * A failure inside the gateway itself, of the kind only a bug lets through (check refuses these
 * configs, so the tests edit the parsed records): the exchange still ends, with a 500
 * problem+json when no byte of an answer went out, and nothing stays in flight, so a shutdown
 * does not wait for it.
 */
class GatewayFailureTest {
    private static final String FALLBACK = """
            version: 1
            listen: 127.0.0.1:0
            services:
              gone:
                url: http://127.0.0.1:%d
                retries: {attempts: 0}
                circuit_breaker: {min_calls: 1, open_for: 1h}
                fallback: {body: {items: []}}
            routes: [{name: gone, match: {paths: [/]}, service: gone}]
            """;

    @Test
    void aFallbackThatCannotBeBuiltIsA500AndEndsTheExchange() {
        try (GatewayUnderTest gw = GatewayUnderTest.start(FALLBACK.formatted(closedPort()),
                ConfigEdits.fallbackHeader("gone", "X-A", "a\r\nX-Injected: 1"));
             RawClient client = gw.raw()) {
            assertThat(gw.get("/opens-the-circuit").statusCode()).isEqualTo(502);

            RawResponse res = client.send("GET /x HTTP/1.1\r\nHost: gw\r\n\r\n").readResponse();

            assertThat(res).as("an answer, not an empty reply").isNotNull();
            ProblemJson problem = ProblemJson.of(res);
            assertThat(problem.httpStatus()).isEqualTo(500);
            assertThat(problem.type()).isEqualTo("urn:portico:error:internal");
            assertThat(res.header("x-injected")).isNull();
            await().atMost(Duration.ofSeconds(5)).until(() -> gw.gateway().inFlight() == 0);
            try (RawClient fresh = gw.raw()) {
                RawResponse again = fresh.send("GET /y HTTP/1.1\r\nHost: gw\r\n\r\n").readResponse();
                assertThat(again).as("a fresh connection gets an answer too").isNotNull();
                assertThat(again.status()).isEqualTo(500);
            }
            await().atMost(Duration.ofSeconds(5)).until(() -> gw.gateway().inFlight() == 0);
        }
    }

    @Test
    void aFailureAfterTheUpstreamConnectionWasTakenIsA500AndGivesItBack() {
        try (FakeUpstream upstream = FakeUpstream.start();
             GatewayUnderTest gw = GatewayUnderTest.start("""
                     version: 1
                     listen: 127.0.0.1:0
                     services: {shop: {url: %s}}
                     routes: [{name: shop, match: {paths: [/]}, service: shop}]
                     """.formatted(upstream.url()),
                     // a base path of null is nothing the reader makes; reading it throws once the connection is there
                     ConfigEdits.target("shop", t -> new TargetConfig(t.url(), t.tls(), t.host(), t.port(), null, t.weight())))) {
            for (int i = 0; i < 3; i++) {
                ProblemJson problem = ProblemJson.of(gw.get("/cart"));

                assertThat(problem.httpStatus()).isEqualTo(500);
                assertThat(problem.detail()).doesNotContain("NullPointerException");
            }
            await().atMost(Duration.ofSeconds(5)).until(() -> gw.gateway().inFlight() == 0 && upstream.openConnections() == 0);
            assertThat(upstream.requestCount()).as("nothing was sent").isZero();
        }
    }
}
