package portico.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static portico.e2e.UpstreamFailureTest.closedPort;

import java.io.ByteArrayInputStream;
import java.net.http.HttpRequest;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import portico.testing.FakeTime;
import portico.testing.FakeUpstream;
import portico.testing.Fault;
import portico.testing.FullBacklogPort;
import portico.testing.GatewayUnderTest;
import portico.testing.ProblemJson;
import portico.testing.RawClient;
import portico.testing.RawResponse;

/**
 * {@code retries} over real sockets: what is sent again, where, with which body, and what never
 * is. The first attempt goes to the first target (round robin starts there), the retry to the
 * other one.
 */
class RetriesTest {
    private static final String TWO_TARGETS = """
            version: 1
            listen: 127.0.0.1:0
            services:
              shop:
                targets: [{url: %s}, {url: %s}]
                retries: %s
            routes: [{name: shop, match: {paths: [/]}, service: shop}]
            """;

    private static GatewayUnderTest gateway(FakeUpstream first, FakeUpstream second, String retries) {
        return GatewayUnderTest.start(TWO_TARGETS.formatted(first.url(), second.url(), retries));
    }

    private static FakeUpstream echo() {
        return FakeUpstream.start().handle("/", (req, res) -> res.body("{\"got\":" + req.bodyLength() + "}"));
    }

    @Test
    void aGetOnAResetConnectionSucceedsOnTheSecondTarget() {
        try (FakeUpstream resets = FakeUpstream.start().fault("/", Fault.RESET_BEFORE_RESPONSE);
             FakeUpstream fine = echo();
             GatewayUnderTest gw = gateway(resets, fine, "{attempts: 1}")) {
            HttpResponse<String> res = gw.get("/cart");

            assertThat(res.statusCode()).isEqualTo(200);
            assertThat(resets.requestCount()).isEqualTo(1);
            assertThat(fine.requestCount()).isEqualTo(1);
        }
    }

    @Test
    void aGetAnsweredWithAMalformedStatusLineIsRetriedOnTheOtherTargetUnderReset() {
        try (FakeUpstream garbage = FakeUpstream.start().fault("/", Fault.GARBAGE_STATUS_LINE);
             FakeUpstream fine = echo();
             GatewayUnderTest gw = gateway(garbage, fine, "{}")) {
            HttpResponse<String> res = gw.get("/cart");

            assertThat(res.statusCode()).isEqualTo(200);
            assertThat(garbage.requestCount()).isEqualTo(1);
            assertThat(fine.requestCount()).isEqualTo(1);
        }
    }

    @Test
    void aPostOnAResetConnectionIsNotRetried() {
        try (FakeUpstream resets = FakeUpstream.start().fault("/", Fault.RESET_BEFORE_RESPONSE);
             FakeUpstream fine = echo();
             GatewayUnderTest gw = gateway(resets, fine, "{attempts: 3}")) {
            ProblemJson problem = ProblemJson.of(gw.send(post(gw, "/orders", "{\"item\":1}").build()));

            assertThat(problem.httpStatus()).isEqualTo(502);
            assertThat(problem.detail()).contains("before responding");
            assertThat(resets.requestCount()).isEqualTo(1);
            assertThat(fine.requestCount()).as("the upstream may have acted on the POST: never sent twice").isZero();
        }
    }

    @Test
    void aPostWithAnIdempotencyKeyIsRetriedWithItsWholeBody() {
        try (FakeUpstream resets = FakeUpstream.start().fault("/", Fault.RESET_BEFORE_RESPONSE);
             FakeUpstream fine = echo();
             GatewayUnderTest gw = gateway(resets, fine, "{attempts: 1}")) {
            HttpResponse<String> res = gw.send(post(gw, "/orders", "{\"item\":1}").header("Idempotency-Key", "k-1").build());

            assertThat(res.statusCode()).isEqualTo(200);
            assertThat(fine.takeRequest().bodyText()).isEqualTo("{\"item\":1}");
        }
    }

    @Test
    void aRefusedConnectionIsRetriedForAnyMethodSinceNothingWasSent() {
        try (FakeUpstream fine = echo();
             GatewayUnderTest gw = GatewayUnderTest.start(TWO_TARGETS.formatted("http://127.0.0.1:" + closedPort(), fine.url(),
                     "{attempts: 1, on: [connect_error]}"))) {
            HttpResponse<String> res = gw.send(post(gw, "/orders", "{\"item\":2}").build());

            assertThat(res.statusCode()).isEqualTo(200);
            assertThat(fine.takeRequest().bodyText()).isEqualTo("{\"item\":2}");
        }
    }

    @Test
    void aConnectThatTimesOutSentNothingSoEvenAPostGoesToTheOtherTarget() {
        try (FullBacklogPort hangs = FullBacklogPort.open();
             FakeUpstream fine = echo();
             GatewayUnderTest gw = GatewayUnderTest.start("""
                     version: 1
                     listen: 127.0.0.1:0
                     services:
                       shop: {targets: [{url: %s}, {url: %s}], timeouts: {connect: 300ms}}
                     routes: [{name: shop, match: {paths: [/]}, service: shop}]
                     """.formatted(hangs.url(), fine.url()))) {
            HttpResponse<String> res = gw.send(post(gw, "/orders", "{\"item\":3}").build());

            assertThat(res.statusCode()).isEqualTo(200);
            assertThat(fine.takeRequest().bodyText()).isEqualTo("{\"item\":3}");
        }
    }

    @Test
    void aRouteMayAllowResendingItsPosts() {
        try (FakeUpstream resets = FakeUpstream.start().fault("/", Fault.RESET_BEFORE_RESPONSE);
             FakeUpstream fine = echo();
             GatewayUnderTest gw = GatewayUnderTest.start("""
                     version: 1
                     listen: 127.0.0.1:0
                     services:
                       shop: {targets: [{url: %s}, {url: %s}], retries: {attempts: 1}}
                     routes:
                       - {name: search, match: {paths: [/search]}, service: shop, retries: {non_idempotent: true}}
                       - {name: orders, match: {paths: [/orders]}, service: shop}
                     """.formatted(resets.url(), fine.url()))) {
            assertThat(gw.send(post(gw, "/search", "{\"q\":\"tea\"}").build()).statusCode()).isEqualTo(200);
            assertThat(fine.takeRequest().bodyText()).isEqualTo("{\"q\":\"tea\"}");
        }
    }

    @Test
    void aResponseTimeoutIsRetriedOnlyWhenListed() {
        try (FakeUpstream silent = FakeUpstream.start().fault("/", Fault.NO_RESPONSE);
             FakeUpstream fine = echo();
             GatewayUnderTest listed = GatewayUnderTest.start(TWO_TARGETS.formatted(silent.url(), fine.url(),
                     "{attempts: 1, on: [timeout]}\n    timeouts: {response: 200ms}"));
             GatewayUnderTest unlisted = GatewayUnderTest.start(TWO_TARGETS.formatted(silent.url(), fine.url(),
                     "{attempts: 1}\n    timeouts: {response: 200ms}"))) {
            assertThat(listed.get("/cart").statusCode()).isEqualTo(200);

            ProblemJson problem = ProblemJson.of(unlisted.get("/cart"));
            assertThat(problem.httpStatus()).isEqualTo(504);
            assertThat(problem.detail()).contains("timeouts.response");
            assertThat(fine.requestCount()).isEqualTo(1);
        }
    }

    @Test
    void aPutBodyIsReplayedByteForByteWithItsFraming() {
        byte[] body = new byte[20_000];
        for (int i = 0; i < body.length; i++) body[i] = (byte) (i * 31);
        try (FakeUpstream resets = FakeUpstream.start().fault("/", Fault.RESET_BEFORE_RESPONSE);
             FakeUpstream fine = echo();
             GatewayUnderTest gw = gateway(resets, fine, "{attempts: 1}")) {
            HttpResponse<String> sized = gw.send(HttpRequest.newBuilder(gw.uri("/blob")).PUT(BodyPublishers.ofByteArray(body)).build());
            HttpResponse<String> chunked = gw.send(HttpRequest.newBuilder(gw.uri("/blob"))
                    .PUT(BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(body))).build());

            assertThat(sized.statusCode()).isEqualTo(200);
            assertThat(chunked.statusCode()).isEqualTo(200);
            var first = fine.takeRequest();
            var second = fine.takeRequest();
            assertThat(Arrays.equals(first.body(), body)).as("Content-Length body replayed").isTrue();
            assertThat(first.header("content-length")).isEqualTo("20000");
            assertThat(Arrays.equals(second.body(), body)).as("chunked body replayed").isTrue();
            assertThat(second.chunked()).isTrue();
        }
    }

    @Test
    void aBodyLargerThanMaxBodyStreamsAndIsNotRetriedOnceSent() {
        try (FakeUpstream resets = FakeUpstream.start().fault("/", Fault.RESET_BEFORE_RESPONSE);
             FakeUpstream fine = echo();
             GatewayUnderTest gw = gateway(resets, fine, "{attempts: 1, max_body: 1KB}")) {
            HttpResponse<String> res = gw.send(HttpRequest.newBuilder(gw.uri("/blob")).PUT(BodyPublishers.ofByteArray(new byte[4096])).build());

            assertThat(res.statusCode()).isEqualTo(502);
            assertThat(fine.requestCount()).isZero();
        }
    }

    @Test
    void aListedStatusIsDroppedAndTheRequestSentToTheOtherTarget() {
        try (FakeUpstream busy = FakeUpstream.start().respond("/", 503, "{\"busy\":true}");
             FakeUpstream fine = echo();
             GatewayUnderTest gw = gateway(busy, fine, "{attempts: 1, on: [503]}")) {
            HttpResponse<String> res = gw.get("/cart");

            assertThat(res.statusCode()).isEqualTo(200);
            assertThat(busy.requestCount()).isEqualTo(1);
        }
    }

    @Test
    void whenTheAttemptsRunOutTheLastAnswerIsRelayedAsIs() {
        try (FakeUpstream a = FakeUpstream.start().respond("/", 503, "{\"from\":\"a\"}");
             FakeUpstream b = FakeUpstream.start().respond("/", 503, "{\"from\":\"b\"}");
             GatewayUnderTest gw = gateway(a, b, "{attempts: 1, on: [503]}")) {
            HttpResponse<String> res = gw.get("/cart");

            assertThat(res.statusCode()).isEqualTo(503);
            assertThat(res.body()).isEqualTo("{\"from\":\"b\"}");
        }
    }

    @Test
    void eachRetryGoesToATargetNotTriedYet() {
        try (FakeUpstream a = FakeUpstream.start().fault("/", Fault.RESET_BEFORE_RESPONSE);
             FakeUpstream b = FakeUpstream.start().fault("/", Fault.RESET_BEFORE_RESPONSE);
             FakeUpstream c = FakeUpstream.start().fault("/", Fault.RESET_BEFORE_RESPONSE);
             GatewayUnderTest gw = GatewayUnderTest.start("""
                     version: 1
                     listen: 127.0.0.1:0
                     services:
                       shop: {targets: [{url: %s}, {url: %s}, {url: %s}], retries: {attempts: 2}}
                     routes: [{name: shop, match: {paths: [/]}, service: shop}]
                     """.formatted(a.url(), b.url(), c.url()))) {
            assertThat(gw.get("/cart").statusCode()).isEqualTo(502);

            assertThat(new int[] {a.requestCount(), b.requestCount(), c.requestCount()}).containsExactly(1, 1, 1);
        }
    }

    @Test
    void noRetryOnceTheResponseHasBegun() {
        try (FakeUpstream cuts = FakeUpstream.start().fault("/", Fault.RESET_MID_BODY);
             FakeUpstream fine = echo();
             GatewayUnderTest gw = gateway(cuts, fine, "{attempts: 3}");
             RawClient client = gw.raw()) {
            RawResponse res = client.send("GET /cart HTTP/1.1\r\nHost: gw\r\n\r\n").readResponse();

            assertThat(res.status()).isEqualTo(200);
            assertThat(client.closedByPeer()).isTrue();
            assertThat(fine.requestCount()).isZero();
        }
    }

    @Test
    void theBudgetCapsRetriesAgainstAnUpstreamThatAlwaysFails() {
        FakeTime frozen = new FakeTime();  // one budget window for the whole test
        try (FakeUpstream failing = FakeUpstream.start().respond("/", 503, "{}");
             GatewayUnderTest gw = GatewayUnderTest.start("""
                     version: 1
                     listen: 127.0.0.1:0
                     services:
                       shop:
                         url: %s
                         retries: {attempts: 3, on: [503], budget: 20%%, min_per_second: 1, backoff: 1ms, max_backoff: 2ms}
                     routes: [{name: shop, match: {paths: [/]}, service: shop}]
                     """.formatted(failing.url()), frozen)) {
            for (int i = 0; i < 100; i++) assertThat(gw.get("/cart").statusCode()).isEqualTo(503);

            // Unbudgeted, 100 requests with 3 retries each would be 400 upstream requests.
            assertThat(failing.requestCount()).as("100 requests and 20% more").isEqualTo(120);
        }
    }

    @Test
    void withTheDefaultBudgetTheFloorOfMinPerSecondAddsToTwentyPercentAsTheDocsSay() {
        FakeTime frozen = new FakeTime();
        try (FakeUpstream failing = FakeUpstream.start().respond("/", 503, "{}");
             GatewayUnderTest gw = GatewayUnderTest.start("""
                     version: 1
                     listen: 127.0.0.1:0
                     services:
                       shop:
                         url: %s
                         retries: {attempts: 3, on: [503], backoff: 1ms, max_backoff: 2ms}
                     routes: [{name: shop, match: {paths: [/]}, service: shop}]
                     """.formatted(failing.url()), frozen)) {
            for (int i = 0; i < 100; i++) assertThat(gw.get("/cart").statusCode()).isEqualTo(503);

            // docs/resilience.md: 100 + max(20% of 100, min_per_second 3 x 10 s).
            assertThat(failing.requestCount()).isEqualTo(130);
        }
    }

    private static HttpRequest.Builder post(GatewayUnderTest gw, String path, String json) {
        return HttpRequest.newBuilder(gw.uri(path))
                .timeout(Duration.ofSeconds(10)).header("Content-Type", "application/json").POST(BodyPublishers.ofString(json));
    }
}
