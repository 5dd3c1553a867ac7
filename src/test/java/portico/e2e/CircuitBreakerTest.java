package portico.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import portico.testing.FakeTime;
import portico.testing.FakeUpstream;
import portico.testing.GatewayUnderTest;
import portico.testing.ProblemJson;
import portico.upstream.health.ServiceHealth.Circuit;

/**
 * A service's {@code circuit_breaker} seen by clients, with the gateway's time injected: it opens
 * past the failure rate, refuses with 503 and {@code Retry-After} without touching the upstream,
 * lets trial calls through after {@code open_for}, and closes when they succeed. Slow calls open it
 * too. No test waits for time to pass.
 */
class CircuitBreakerTest {
    private static final String CONFIG = """
            version: 1
            listen: 127.0.0.1:0
            services:
              recs:
                url: %s
                circuit_breaker: {failure_rate: 50%%, min_calls: 4, window: 10s, open_for: 30s, half_open_calls: 2%s}
                %s
            routes: [{name: recs, match: {paths: [/]}, service: recs}]
            """;

    private final FakeTime time = new FakeTime();

    @Test
    void opensAfterTheThresholdRefusesWithoutUpstreamTrafficThenHalfOpensAndCloses() {
        AtomicInteger status = new AtomicInteger(500);
        try (FakeUpstream upstream = FakeUpstream.start().handle("/", (req, res) -> res.status(status.get()).body("{}"));
             GatewayUnderTest gw = GatewayUnderTest.start(CONFIG.formatted(upstream.url(), "", ""), time)) {
            for (int i = 0; i < 4; i++) assertThat(gw.get("/for/1").statusCode()).as("relayed as is").isEqualTo(500);
            assertThat(gw.service("recs").health().circuit()).isEqualTo(Circuit.OPEN);
            int beforeOpen = upstream.requestCount();

            for (int i = 0; i < 5; i++) {
                HttpResponse<String> refused = gw.get("/for/1");
                ProblemJson problem = ProblemJson.of(refused);
                assertThat(problem.httpStatus()).isEqualTo(503);
                assertThat(problem.type()).isEqualTo("urn:portico:error:circuit-open");
                assertThat(refused.headers().firstValue("retry-after")).hasValue("30");
            }
            assertThat(upstream.requestCount() - beforeOpen).as("requests reaching the upstream while open").isZero();

            time.advance(Duration.ofSeconds(10));
            assertThat(gw.get("/for/1").headers().firstValue("retry-after")).hasValue("20");

            status.set(200);
            time.advance(Duration.ofSeconds(20).plusMillis(1));
            assertThat(gw.get("/for/1").statusCode()).as("trial call 1").isEqualTo(200);
            assertThat(gw.service("recs").health().circuit()).isEqualTo(Circuit.HALF_OPEN);
            assertThat(gw.get("/for/1").statusCode()).as("trial call 2").isEqualTo(200);

            assertThat(gw.service("recs").health().circuit()).isEqualTo(Circuit.CLOSED);
            for (int i = 0; i < 5; i++) assertThat(gw.get("/for/1").statusCode()).isEqualTo(200);
            assertThat(upstream.requestCount()).isEqualTo(4 + 2 + 5);
        }
    }

    @Test
    void clientErrorsDoNotOpenIt() {
        try (FakeUpstream upstream = FakeUpstream.start().respond("/", 404, "{}");
             GatewayUnderTest gw = GatewayUnderTest.start(CONFIG.formatted(upstream.url(), "", ""), time)) {
            for (int i = 0; i < 10; i++) assertThat(gw.get("/for/1").statusCode()).isEqualTo(404);

            assertThat(gw.service("recs").health().circuit()).isEqualTo(Circuit.CLOSED);
        }
    }

    @Test
    void slowCallsOpenItThoughEveryAnswerIsAGoodOne() {
        // The upstream moves the gateway's clock: each call takes two seconds as the breaker sees it.
        try (FakeUpstream upstream = FakeUpstream.start().handle("/", (req, res) -> {
                time.advance(Duration.ofSeconds(2));
                res.body("{}");
            });
             GatewayUnderTest gw = GatewayUnderTest.start(CONFIG.formatted(upstream.url(),
                     ", slow_call: 1s, slow_call_rate: 50%", ""), time)) {
            for (int i = 0; i < 4; i++) assertThat(gw.get("/for/1").statusCode()).isEqualTo(200);

            assertThat(ProblemJson.of(gw.get("/for/1")).type()).isEqualTo("urn:portico:error:circuit-open");
            assertThat(upstream.requestCount()).isEqualTo(4);
        }
    }

    @Test
    void whileOpenAFallbackAnswersInsteadMarkedAsSuch() {
        try (FakeUpstream upstream = FakeUpstream.start().respond("/", 502, "{}");
             GatewayUnderTest gw = GatewayUnderTest.start(CONFIG.formatted(upstream.url(), "",
                     "fallback: {status: 200, body: {items: [], degraded: true}, headers: {X-Why: circuit}}"), time)) {
            for (int i = 0; i < 4; i++) assertThat(gw.get("/for/1").statusCode()).isEqualTo(502);

            HttpResponse<String> res = gw.get("/for/1");

            assertThat(res.statusCode()).isEqualTo(200);
            assertThat(res.body()).isEqualTo("{\"items\":[],\"degraded\":true}");
            assertThat(res.headers().firstValue("portico-fallback")).hasValue("recs");
            assertThat(res.headers().firstValue("content-type")).hasValue("application/json");
            assertThat(res.headers().firstValue("x-why")).hasValue("circuit");
            assertThat(res.headers().firstValue("x-request-id")).isPresent();
            assertThat(upstream.requestCount()).isEqualTo(4);
        }
    }
}
