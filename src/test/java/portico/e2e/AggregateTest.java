package portico.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import portico.testing.FakeUpstream;
import portico.testing.Fault;
import portico.testing.GatewayUnderTest;
import portico.testing.ProblemJson;
import portico.testing.RawClient;
import portico.testing.RecordedRequest;
import portico.testing.Tokens;

/**
 * {@code aggregate}: one request, several part calls in parallel (or in sequence where a path
 * uses another part's field), one JSON object back. Required parts fail the answer with a
 * problem naming them; optional ones fall back to their default and are named in
 * {@code Portico-Degraded}. Times are asserted only as wide functional margins.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class AggregateTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private FakeUpstream users;
    private FakeUpstream orders;
    private FakeUpstream slow;
    private GatewayUnderTest gw;

    @BeforeAll
    void start() {
        users = FakeUpstream.start()
                .handle("/profile/", (req, res) -> res.body("{\"id\":" + req.path().substring("/profile/".length())
                        + ",\"name\":\"Alice\",\"accountId\":\"ACC 1/2\",\"password_hash\":\"x\"}"))
                .respond("/broken/", 500, "{\"error\":\"boom\"}")
                .handle("/html/", (req, res) -> res.header("Content-Type", "text/html").body("<html></html>"))
                .respond("/decimal", 200, "{\"amount\":9007199254740993.5,\"price\":12.30,\"items\":[1],\"owner\":{\"id\":1}}")
                .handle("/empty/", (req, res) -> res.body(new byte[0]))
                .handle("/no-content/", (req, res) -> res.status(204).body(new byte[0]))
                .handle("/cut/", (req, res) -> res.closeUnannounced()
                        .raw("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{\"a\":1"))
                .respond("/absent/", 404, "{\"error\":\"no such user\"}")
                .handle("/huge/", (req, res) -> res.body("[\"" + "x".repeat(5000) + "\"]"))
                .fault("/hang/", Fault.NO_RESPONSE);
        orders = FakeUpstream.start().handle("/by-account/", (req, res) -> res.body("[{\"order\":1,\"seen\":\"" + req.path() + "\"}]"));
        slow = FakeUpstream.start().handle("/sleep/", (req, res) -> {
            Thread.sleep(Long.parseLong(req.path().substring("/sleep/".length())));  // the upstream's latency, not the test's
            res.body("{\"slept\":" + req.path().substring("/sleep/".length()) + "}");
        });
        gw = GatewayUnderTest.start("""
                version: 1
                listen: 127.0.0.1:0
                services:
                  users: {url: %s}
                  orders: {url: %s}
                  slow: {url: %s}
                routes:
                  - name: dashboard
                    match: {paths: ["/dashboard/{userId}"], methods: [GET]}
                    aggregate:
                      forward_headers: [Accept-Language]
                      user: {service: users, path: "/profile/{userId}", required: true}
                      orders: {service: orders, path: "/by-account/{user.accountId}?lang={query.lang}", default: []}
                    plugins:
                      response_transform: {body: {remove: [user.password_hash]}}
                  - name: parallel
                    match: {paths: [/parallel]}
                    aggregate:
                      a: {service: slow, path: /sleep/100}
                      b: {service: slow, path: /sleep/200}
                      c: {service: slow, path: /sleep/300}
                  - name: failures
                    match: {paths: ["/failures/{kind}"]}
                    aggregate:
                      meta: true
                      max_part_bytes: 1KB
                      user: {service: users, path: "/profile/1"}
                      broken: {service: users, path: "/broken/1", default: {status: unknown}}
                      html: {service: users, path: "/html/1", default: "n/a"}
                      absent: {service: users, path: "/absent/1", accept: [404]}
                      huge: {service: users, path: "/huge/1", default: []}
                      hang: {service: users, path: "/hang/1", default: [], timeout: 300ms}
                  - name: required-fails
                    match: {paths: ["/required/{kind}"]}
                    aggregate:
                      user: {service: users, path: "/{kind}/1", required: true, timeout: 300ms}
                      other: {service: slow, path: /sleep/1, default: null}
                  - name: big
                    match: {paths: [/big-answer]}
                    aggregate:
                      a: {service: users, path: /huge/1}
                      b: {service: users, path: /huge/2}
                      user: {service: users, path: "/profile/1", required: true}
                    plugins:
                      response_transform: {body: {remove: [user.password_hash]}, max_body: 1KB}
                  - name: more-failures
                    match: {paths: [/more-failures]}
                    aggregate:
                      meta: true
                      empty: {service: users, path: /empty/1, default: none}
                      nothing: {service: users, path: /no-content/1}
                      cut: {service: users, path: /cut/1, default: none}
                      num: {service: users, path: /decimal}
                      items: {service: orders, path: "/by-account/{num.items}", default: none}
                  - name: numbers
                    match: {paths: ["/numbers/{field}"]}
                    aggregate:
                      num: {service: users, path: /decimal}
                      by: {service: orders, path: "/by-account/{num.amount}", required: true}
                  - name: client-values
                    match: {paths: [/client-values]}
                    aggregate:
                      user: {service: users, path: "/profile/{query.v}", required: true}
                  - name: optional-client-values
                    match: {paths: [/optional-client-values]}
                    aggregate:
                      meta: true
                      user: {service: users, path: "/profile/{query.v}", default: none}
                  - name: nested
                    match: {paths: ["/nested/{userId}"]}
                    aggregate:
                      user: {service: users, path: "/profile/{userId}"}
                      orders: {service: orders, path: "/by-account/{user.accountId}", into: user}
                      recent: {service: slow, path: /sleep/1, into: user.activity.recent}
                """.formatted(users.url(), orders.url(), slow.url()));
    }

    @AfterAll
    void stop() {
        if (gw != null) gw.close();
        for (FakeUpstream u : new FakeUpstream[] {users, orders, slow}) if (u != null) u.close();
    }

    private static JsonNode json(HttpResponse<String> res) throws Exception {
        return JSON.readTree(res.body());
    }

    @Test
    void theAnswerIsOneObjectKeyedByPartWithACorrectLength() throws Exception {
        HttpResponse<String> res = gw.get("/dashboard/7");

        assertThat(res.statusCode()).isEqualTo(200);
        assertThat(res.headers().firstValue("content-type")).hasValue("application/json");
        assertThat(res.headers().firstValue("content-length")).hasValue(String.valueOf(res.body().getBytes().length));
        assertThat(res.headers().firstValue("portico-degraded")).isEmpty();
        JsonNode body = json(res);
        assertThat(body.fieldNames()).toIterable().containsExactly("user", "orders");
        assertThat(body.get("user").get("id").asInt()).isEqualTo(7);
        assertThat(body.get("user").has("password_hash")).as("the route's response_transform ran on the answer").isFalse();
    }

    @Test
    void aPartUsesAFieldOfAnEarlierPartPercentEncoded() throws Exception {
        JsonNode body = json(gw.get("/dashboard/7?lang=fr"));

        assertThat(body.get("orders").get(0).get("seen").asText()).isEqualTo("/by-account/ACC%201%2F2");
        RecordedRequest seen = lastTo(orders);
        assertThat(seen.target()).isEqualTo("/by-account/ACC%201%2F2?lang=fr");
    }

    @Test
    void partsGetTheGatewaysForwardingHeadersAndTheConfiguredOnesOnly() {
        gw.send(HttpRequest.newBuilder(gw.uri("/dashboard/3?lang=de")).header("Accept-Language", "de").header("Cookie", "s=1")
                .header("X-Consumer-Name", "forged").header("X-Request-Id", "agg-test-1").build());

        RecordedRequest seen = lastTo(orders);
        assertThat(seen.header("accept-language")).isEqualTo("de");
        assertThat(seen.header("x-request-id")).isEqualTo("agg-test-1");
        assertThat(seen.header("x-forwarded-for")).isEqualTo("127.0.0.1");
        assertThat(seen.header("cookie")).isNull();
        assertThat(seen.header("x-consumer-name")).isNull();
    }

    @Test
    void partsRunInParallelSoTheAnswerTakesAboutTheSlowestPart() throws Exception {
        gw.get("/parallel");  // warm the pooled connections
        long start = System.nanoTime();
        HttpResponse<String> res = gw.get("/parallel");
        Duration took = Duration.ofNanos(System.nanoTime() - start);

        assertThat(json(res)).isEqualTo(JSON.readTree("{\"a\":{\"slept\":100},\"b\":{\"slept\":200},\"c\":{\"slept\":300}}"));
        assertThat(took).as("100 + 200 + 300 ms in sequence would be 600 ms").isLessThan(Duration.ofMillis(450));
    }

    @Test
    void failedOptionalPartsTakeTheirDefaultAndAreNamed() throws Exception {
        long start = System.nanoTime();
        HttpResponse<String> res = gw.get("/failures/all");
        Duration took = Duration.ofNanos(System.nanoTime() - start);

        assertThat(res.statusCode()).isEqualTo(200);
        assertThat(res.headers().firstValue("portico-degraded")).hasValue("broken, html, huge, hang");
        JsonNode body = json(res);
        assertThat(body.get("user").get("name").asText()).isEqualTo("Alice");
        assertThat(body.get("broken")).isEqualTo(JSON.readTree("{\"status\":\"unknown\"}"));
        assertThat(body.get("html").asText()).isEqualTo("n/a");
        assertThat(body.get("absent")).as("an accepted 404 is an answer").isEqualTo(JSON.readTree("{\"error\":\"no such user\"}"));
        assertThat(body.get("huge")).isEqualTo(JSON.readTree("[]"));
        assertThat(body.get("hang")).isEqualTo(JSON.readTree("[]"));
        assertThat(took).as("the hanging part is cut at its 300ms timeout").isLessThan(Duration.ofSeconds(3));
    }

    @Test
    void metaTellsEachPartsStatusLatencyAndError() throws Exception {
        JsonNode meta = json(gw.get("/failures/meta")).get("_meta");

        assertThat(meta.get("user").get("status").asInt()).isEqualTo(200);
        assertThat(meta.get("user").get("degraded").asBoolean()).isFalse();
        assertThat(meta.get("user").get("latency_ms").isIntegralNumber()).isTrue();
        assertThat(meta.get("broken").get("status").asInt()).isEqualTo(500);
        assertThat(meta.get("broken").get("error").asText()).contains("answered 500");
        assertThat(meta.get("html").get("error").asText()).contains("text/html, not JSON");
        assertThat(meta.get("huge").get("error").asText()).contains("larger than 1024 bytes");
        assertThat(meta.get("hang").get("status").isNull()).isTrue();
        assertThat(meta.get("hang").get("error").asText()).contains("timeout");
        assertThat(meta.get("hang").get("latency_ms").asLong()).isGreaterThanOrEqualTo(250);
    }

    @Test
    void anEmptyBodyACutBodyAndAStructuredFieldInAPathAreFailuresThatSayWhat() throws Exception {
        HttpResponse<String> res = gw.get("/more-failures");

        assertThat(res.statusCode()).isEqualTo(200);
        assertThat(res.headers().firstValue("portico-degraded")).hasValue("empty, cut, items");
        JsonNode body = json(res);
        assertThat(body.get("empty").asText()).isEqualTo("none");
        assertThat(body.get("nothing").isNull()).as("204 No Content is an answer: null").isTrue();
        JsonNode meta = body.get("_meta");
        assertThat(meta.get("nothing").get("degraded").asBoolean()).isFalse();
        assertThat(meta.get("empty").get("error").asText()).contains("empty body");
        assertThat(meta.get("cut").get("error").asText()).contains("in the middle of the response body").doesNotContain("before responding");
        assertThat(meta.get("items").get("error").asText()).contains("{num.items} is not a scalar");
    }

    @Test
    void aFailedRequiredPartFailsTheAnswerNamingIt() {
        ProblemJson broken = ProblemJson.of(gw.get("/required/broken"));
        assertThat(broken.httpStatus()).isEqualTo(502);
        assertThat(broken.type()).isEqualTo("urn:portico:error:bad-upstream");
        assertThat(broken.detail()).startsWith("part 'user' failed").contains("answered 500");

        ProblemJson notJson = ProblemJson.of(gw.get("/required/html"));
        assertThat(notJson.httpStatus()).isEqualTo(502);
        assertThat(notJson.detail()).contains("part 'user'", "not JSON");

        long start = System.nanoTime();
        ProblemJson hang = ProblemJson.of(gw.get("/required/hang"));
        assertThat(hang.httpStatus()).isEqualTo(504);
        assertThat(hang.type()).isEqualTo("urn:portico:error:upstream-timeout");
        assertThat(hang.detail()).contains("part 'user'");
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(3));
    }

    @Test
    void theAnswerIsTransformedEvenWhenLargerThanMaxBodySinceItIsInMemoryAlready() throws Exception {
        HttpResponse<String> res = gw.get("/big-answer");

        assertThat(res.statusCode()).isEqualTo(200);
        assertThat(res.body().length()).isGreaterThan(10_000);
        JsonNode body = json(res);
        assertThat(body.get("user").get("name").asText()).isEqualTo("Alice");
        assertThat(body.get("user").has("password_hash")).isFalse();
    }

    @Test
    void aPartPathValueThatWouldBeADotSegmentIsA400AndNeverCalled() {
        int before = users.requestCount();
        for (String v : new String[] {"..", "%2E%2E", ".", ""}) {
            ProblemJson p = ProblemJson.of(gw.get("/client-values?v=" + v));

            assertThat(p.httpStatus()).as("v=" + v).isEqualTo(400);
            assertThat(p.type()).isEqualTo("urn:portico:error:malformed-request");
            assertThat(p.detail()).contains("part 'user'", "{query.v}");
        }
        assertThat(users.requestCount()).isEqualTo(before);
    }

    @Test
    void aValueTheClientDidNotSendForARequiredPartIsA400NotABadUpstream() {
        ProblemJson p = ProblemJson.of(gw.get("/client-values"));

        assertThat(p.httpStatus()).isEqualTo(400);
        assertThat(p.type()).isEqualTo("urn:portico:error:malformed-request");
        assertThat(p.detail()).contains("part 'user'", "{query.v}");
    }

    @Test
    void anOptionalPartWhoseClientValueIsRefusedTakesItsDefaultUncalled() throws Exception {
        int before = users.requestCount();
        HttpResponse<String> res = gw.get("/optional-client-values?v=..");

        assertThat(res.statusCode()).isEqualTo(200);
        assertThat(res.headers().firstValue("portico-degraded")).hasValue("user");
        JsonNode body = json(res);
        assertThat(body.get("user").asText()).isEqualTo("none");
        assertThat(body.get("_meta").get("user").get("error").asText()).contains("{query.v}", "dot segment");
        assertThat(users.requestCount()).isEqualTo(before);
    }

    @Test
    void numbersKeepTheirExactValueInTheAnswerAndInTemplates() {
        String body = gw.get("/numbers/x").body();

        assertThat(body).contains("\"amount\":9007199254740993.5", "\"price\":12.30");
        assertThat(lastTo(orders).target()).isEqualTo("/by-account/9007199254740993.5");
    }

    @Test
    void aPartGoesIntoAnotherPartsAnswer() throws Exception {
        JsonNode body = json(gw.get("/nested/5"));

        assertThat(body.fieldNames()).toIterable().containsExactly("user");
        assertThat(body.get("user").get("orders").get(0).get("order").asInt()).isEqualTo(1);
        assertThat(body.get("user").get("activity").get("recent")).isEqualTo(JSON.readTree("{\"slept\":1}"));
    }

    @Test
    void aHeadRequestGetsTheHeadersWithoutTheBody() {
        HttpResponse<String> res = gw.send(HttpRequest.newBuilder(gw.uri("/nested/5")).method("HEAD", HttpRequest.BodyPublishers.noBody()).build());

        assertThat(res.statusCode()).isEqualTo(200);
        assertThat(res.body()).isEmpty();
        String transformed = gw.get("/big-answer").body();
        HttpResponse<String> head = gw.send(HttpRequest.newBuilder(gw.uri("/big-answer")).method("HEAD", HttpRequest.BodyPublishers.noBody()).build());
        assertThat(head.headers().firstValue("content-length")).as("the transformed answer's length")
                .hasValue(String.valueOf(transformed.getBytes().length));
    }

    private static RecordedRequest lastTo(FakeUpstream upstream) {
        RecordedRequest last = upstream.takeRequest();
        for (RecordedRequest r : upstream.recorded()) last = r;
        while (!upstream.recorded().isEmpty()) upstream.takeRequest();
        return last;
    }

    @Test
    void partsGetTheAuthenticatedIdentityAndTemplatesReadItsClaims() {
        String secret = "dashboard-secret-that-is-at-least-32-bytes";
        try (FakeUpstream me = FakeUpstream.start();
             GatewayUnderTest g = GatewayUnderTest.start("""
                     version: 1
                     listen: 127.0.0.1:0
                     services: {me: {url: %s}}
                     consumers:
                       web: {groups: [customers], jwt: {issuer: web, secret: "%s"}}
                     plugins:
                       jwt: {claims_to_headers: {sub: X-User-Id}}
                     routes:
                       - name: mine
                         match: {paths: [/mine]}
                         aggregate:
                           profile: {service: me, path: "/users/{claims.sub}?by={consumer.name}"}
                     """.formatted(me.url(), secret))) {
            String token = Tokens.hs256(secret, Tokens.claims(Clock.systemUTC(), "web", "42").build());
            HttpResponse<String> res = g.send(HttpRequest.newBuilder(g.uri("/mine")).header("Authorization", "Bearer " + token)
                    .header("X-User-Id", "7").build());

            assertThat(res.statusCode()).isEqualTo(200);
            RecordedRequest seen = me.takeRequest();
            assertThat(seen.target()).isEqualTo("/users/42?by=web");
            assertThat(seen.header("x-user-id")).as("the claim, never the client's copy").isEqualTo("42");
            assertThat(seen.header("x-consumer-name")).isEqualTo("web");
            assertThat(seen.header("x-consumer-groups")).isEqualTo("customers");
            assertThat(seen.header("authorization")).as("not in forward_headers").isNull();
            assertThat(g.get("/mine").statusCode()).isEqualTo(401);
        }
    }

    /** Parts go through their service's retries and circuit breaker: no second code path. */
    @Test
    void partsAreRetriedAndBrokenLikeAnyCallToTheirService() throws Exception {
        AtomicInteger calls = new AtomicInteger();
        try (FakeUpstream flaky = FakeUpstream.start().handle("/", (req, res) -> {
                 if (calls.incrementAndGet() % 2 == 1) res.status(503).body("{}");
                 else res.body("{\"ok\":true}");
             });
             FakeUpstream down = FakeUpstream.start().respond("/", 500, "{}");
             GatewayUnderTest g = GatewayUnderTest.start("""
                     version: 1
                     listen: 127.0.0.1:0
                     services:
                       flaky: {url: %s, retries: {attempts: 1, on: [503], backoff: 1ms}}
                       down:
                         url: %s
                         circuit_breaker: {failure_rate: 50%%, min_calls: 2, window: 10s, open_for: 30s}
                     routes:
                       - name: both
                         match: {paths: [/both]}
                         aggregate:
                           flaky: {service: flaky, path: /x, required: true}
                           down: {service: down, path: /x}
                     """.formatted(flaky.url(), down.url()))) {
            JsonNode first = JSON.readTree(g.get("/both").body());
            assertThat(first.get("flaky")).isEqualTo(JSON.readTree("{\"ok\":true}"));
            assertThat(calls.get()).isEqualTo(2);

            g.get("/both");
            int before = down.requestCount();
            HttpResponse<String> open = g.get("/both");
            assertThat(open.headers().firstValue("portico-degraded")).hasValue("down");
            assertThat(down.requestCount()).as("the open circuit keeps the part from the service").isEqualTo(before);
        }
    }

    @Test
    void aClientThatGoesAwayCancelsItsPartsAndTheirConnections() {
        try (FakeUpstream hanging = FakeUpstream.start().fault("/", Fault.NO_RESPONSE);
             GatewayUnderTest g = GatewayUnderTest.start("""
                     version: 1
                     listen: 127.0.0.1:0
                     services: {slow: {url: %s, timeouts: {response: 20s}}}
                     routes:
                       - name: both
                         match: {paths: [/both]}
                         aggregate:
                           a: {service: slow, path: /a, timeout: 20s}
                           b: {service: slow, path: /b, timeout: 20s, required: true}
                     """.formatted(hanging.url()))) {
            List<RawClient> clients = new ArrayList<>();
            for (int i = 0; i < 5; i++) clients.add(g.raw().send("GET /both HTTP/1.1\r\nHost: x\r\n\r\n"));
            await().atMost(Duration.ofSeconds(5)).until(() -> hanging.openConnections() == 10);

            clients.forEach(RawClient::close);

            await("parts cut long before their 20 s timeout").atMost(Duration.ofSeconds(5))
                    .until(() -> hanging.openConnections() == 0);
            await().atMost(Duration.ofSeconds(5)).until(() -> g.gateway().inFlight() == 0);
        }
    }

    @Test
    void aRequiredPartRefusedByAnOpenCircuitAnswers503WithItsRetryAfter() {
        try (FakeUpstream down = FakeUpstream.start().respond("/", 500, "{}");
             GatewayUnderTest g = GatewayUnderTest.start("""
                     version: 1
                     listen: 127.0.0.1:0
                     services:
                       down:
                         url: %s
                         circuit_breaker: {failure_rate: 50%%, min_calls: 2, window: 10s, open_for: 30s}
                     routes:
                       - name: must
                         match: {paths: [/must]}
                         aggregate:
                           down: {service: down, path: /x, required: true}
                     """.formatted(down.url()))) {
            g.get("/must");
            g.get("/must");
            HttpResponse<String> open = g.get("/must");

            ProblemJson p = ProblemJson.of(open);
            assertThat(p.httpStatus()).isEqualTo(503);
            assertThat(p.type()).isEqualTo("urn:portico:error:circuit-open");
            assertThat(p.detail()).contains("part 'down'");
            assertThat(open.headers().firstValue("retry-after")).hasValueSatisfying(v -> assertThat(Integer.parseInt(v)).isBetween(1, 30));
        }
    }
}
