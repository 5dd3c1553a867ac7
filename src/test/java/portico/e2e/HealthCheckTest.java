package portico.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import portico.testing.FakeUpstream;
import portico.testing.GatewayUnderTest;
import portico.testing.ProblemJson;
import portico.testing.RecordedRequest;
import portico.upstream.health.ServiceHealth.State;

/**
 * Active {@code health_check}s over real sockets: a target failing its probes gets no traffic, gets
 * it back after {@code healthy_after} good probes, and a service with no healthy target answers
 * 503 with {@code Retry-After} (or its fallback). Probes run every 50 ms here; the tests wait for
 * the state with Awaitility, never for a fixed time.
 */
class HealthCheckTest {
    private static final Duration WITHIN = Duration.ofSeconds(10);

    private static FakeUpstream withHealth(String name, AtomicInteger health) {
        return FakeUpstream.start()
                .handle("/health", (req, res) -> res.status(health.get()).body("{}"))
                .respond("/", 200, "\"" + name + "\"");
    }

    @Test
    void aTargetFailingItsChecksGetsNoTrafficUntilItPassesThemAgain() {
        AtomicInteger aHealth = new AtomicInteger(500);
        try (FakeUpstream a = withHealth("a", aHealth);
             FakeUpstream b = withHealth("b", new AtomicInteger(200));
             GatewayUnderTest gw = GatewayUnderTest.start("""
                     version: 1
                     listen: 127.0.0.1:0
                     services:
                       shop:
                         targets: [{url: %s}, {url: %s}]
                         health_check: {path: /health, interval: 50ms, timeout: 1s, unhealthy_after: 2, healthy_after: 2}
                     routes: [{name: shop, match: {paths: [/]}, service: shop}]
                     """.formatted(a.url(), b.url()))) {
            String aTarget = "127.0.0.1:" + a.port();
            await().atMost(WITHIN).until(() -> gw.service("shop").health().target(aTarget).state() == State.UNHEALTHY);
            assertThat(gw.service("shop").health().target(aTarget).lastCheck()).isEqualTo("status 500");

            for (int i = 0; i < 10; i++) assertThat(gw.get("/item").body()).isEqualTo("\"b\"");
            assertThat(a.recorded()).extracting(RecordedRequest::path).containsOnly("/health");

            aHealth.set(200);
            await().atMost(WITHIN).until(() -> gw.service("shop").health().target(aTarget).state() == State.HEALTHY);
            int served = 0;
            for (int i = 0; i < 10; i++) if (gw.get("/item").body().equals("\"a\"")) served++;
            assertThat(served).as("back in the rotation").isEqualTo(5);
        }
    }

    @Test
    void probesAskForThePathWithTheTargetsHost() {
        try (FakeUpstream a = withHealth("a", new AtomicInteger(200));
             GatewayUnderTest gw = GatewayUnderTest.start("""
                     version: 1
                     listen: 127.0.0.1:0
                     services:
                       shop: {url: %s/base, health_check: {path: /health, interval: 50ms}}
                     routes: [{name: shop, match: {paths: [/]}, service: shop}]
                     """.formatted(a.url()))) {
            RecordedRequest probe = a.takeRequest();

            assertThat(probe.method()).isEqualTo("GET");
            assertThat(probe.target()).as("the base path applies as to every request").isEqualTo("/base/health");
            assertThat(probe.header("host")).isEqualTo("127.0.0.1:" + a.port());
            assertThat(probe.header("user-agent")).isEqualTo("portico-health-check");
        }
    }

    @Test
    void withNoHealthyTargetTheAnswerIs503WithRetryAfter() {
        try (FakeUpstream a = withHealth("a", new AtomicInteger(503));
             GatewayUnderTest gw = GatewayUnderTest.start("""
                     version: 1
                     listen: 127.0.0.1:0
                     services:
                       shop: {url: %s, health_check: {path: /health, interval: 1s, unhealthy_after: 1, healthy_after: 3}}
                     routes: [{name: shop, match: {paths: [/]}, service: shop}]
                     """.formatted(a.url()))) {
            await().atMost(WITHIN).until(() -> gw.service("shop").health().targets().get(0).state() == State.UNHEALTHY);

            HttpResponse<String> res = gw.get("/item");

            ProblemJson problem = ProblemJson.of(res);
            assertThat(problem.httpStatus()).isEqualTo(503);
            assertThat(problem.type()).isEqualTo("urn:portico:error:no-healthy-target");
            assertThat(res.headers().firstValue("retry-after")).as("three good probes, a second apart").hasValue("3");
        }
    }

    @Test
    void withNoHealthyTargetAFallbackAnswersWhenTheServiceHasOne() {
        try (FakeUpstream a = withHealth("a", new AtomicInteger(500));
             GatewayUnderTest gw = GatewayUnderTest.start("""
                     version: 1
                     listen: 127.0.0.1:0
                     services:
                       shop:
                         url: %s
                         health_check: {path: /health, interval: 50ms, unhealthy_after: 1}
                         fallback: {body: []}
                     routes: [{name: shop, match: {paths: [/]}, service: shop}]
                     """.formatted(a.url()))) {
            await().atMost(WITHIN).until(() -> gw.service("shop").health().targets().get(0).state() == State.UNHEALTHY);

            HttpResponse<String> res = gw.get("/item");

            assertThat(res.statusCode()).isEqualTo(200);
            assertThat(res.body()).isEqualTo("[]");
            assertThat(res.headers().firstValue("portico-fallback")).hasValue("shop");
        }
    }

    @Test
    void aProbeThatTimesOutIsAFailedProbe() {
        try (FakeUpstream a = FakeUpstream.start().fault("/health", portico.testing.Fault.NO_RESPONSE);
             GatewayUnderTest gw = GatewayUnderTest.start("""
                     version: 1
                     listen: 127.0.0.1:0
                     services:
                       shop: {url: %s, health_check: {path: /health, interval: 50ms, timeout: 100ms, unhealthy_after: 2}}
                     routes: [{name: shop, match: {paths: [/]}, service: shop}]
                     """.formatted(a.url()))) {
            await().atMost(WITHIN).until(() -> gw.service("shop").health().targets().get(0).state() == State.UNHEALTHY);

            assertThat(gw.service("shop").health().targets().get(0).lastCheck()).startsWith("timeout");
        }
    }
}
