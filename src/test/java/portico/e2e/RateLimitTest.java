package portico.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import portico.testing.FakeTime;
import portico.testing.FakeUpstream;
import portico.testing.GatewayUnderTest;
import portico.testing.ProblemJson;
import portico.testing.RawClient;
import portico.testing.RawResponse;

/**
 * {@code rate_limit} with the local store, over real sockets, on a hand-moved clock: what a client
 * sees under a limit (RateLimit headers, 429 problem+json with Retry-After), the algorithms at a
 * window boundary, count: failures, several limits, and what the key counts by.
 */
class RateLimitTest {
    private final FakeTime time = new FakeTime();
    private FakeUpstream upstream;
    private GatewayUnderTest gw;
    private final CountDownLatch slowLogins = new CountDownLatch(1);

    @BeforeEach
    void start() {
        upstream = FakeUpstream.start()
                .handle("/login", (req, res) -> {
                    if (req.header("x-slow") != null) slowLogins.await(10, TimeUnit.SECONDS);
                    if (req.bodyText().contains("right")) res.body("{\"token\":\"t\"}");
                    else res.status(401).body("{\"error\":\"bad password\"}");
                })
                .respond("/", 200, "{\"ok\":true}");
        gw = GatewayUnderTest.start("""
                version: 1
                listen: 127.0.0.1:0
                trusted_proxies: [10.0.0.0/8]
                services:
                  api: {url: %1$s}
                  gone: {url: "http://127.0.0.1:1"}
                plugins:
                  rate_limit: {limit: 1000, window: 1h, key: [ip, route]}
                routes:
                  - {name: api, match: {paths: [/api]}, service: api,
                     plugins: {rate_limit: {limit: 3, window: 1m}}}
                  - {name: legacy, match: {paths: [/legacy]}, service: api,
                     plugins: {rate_limit: {limit: 3, window: 1m, legacy_headers: true}}}
                  - {name: sliding, match: {paths: [/sliding]}, service: api,
                     plugins: {rate_limit: {limit: 10, window: 10s}}}
                  - {name: fixed, match: {paths: [/fixed]}, service: api,
                     plugins: {rate_limit: {limit: 10, window: 10s, algorithm: fixed_window}}}
                  - {name: bucket, match: {paths: [/bucket]}, service: api,
                     plugins: {rate_limit: {limit: 1, window: 1s, algorithm: token_bucket, burst: 3}}}
                  - {name: login, match: {paths: [/login]}, service: api,
                     plugins: {rate_limit: {limit: 5, window: 15m, count: failures}}}
                  - {name: both, match: {paths: [/both]}, service: api,
                     plugins: {rate_limit: {limits: [{limit: 2, window: 1s, name: second}, {limit: 5, window: 1h, name: hour}]}}}
                  - {name: by-key, match: {paths: [/by-key]}, service: api,
                     plugins: {rate_limit: {limit: 1, window: 1m, key: "header:X-Api-Key"}}}
                  - {name: pair, match: {paths: [/pair]}, service: api,
                     plugins: {rate_limit: {limit: 1, window: 1m, key: ["header:X-A", "header:X-B"]}}}
                  - {name: down, match: {paths: [/down]}, service: gone}
                  - {name: shared-a, match: {paths: [/shared-a]}, service: api}
                  - {name: shared-b, match: {paths: [/shared-b]}, service: api}
                  - {name: unlimited, match: {paths: [/unlimited]}, service: api, plugins: {rate_limit: off}}
                """.formatted(upstream.url()), time);
    }

    @AfterEach
    void stop() {
        slowLogins.countDown();
        if (gw != null) gw.close();
        if (upstream != null) upstream.close();
    }

    private HttpResponse<String> get(String path, String... headers) {
        HttpRequest.Builder b = HttpRequest.newBuilder(gw.uri(path)).timeout(Duration.ofSeconds(20));
        for (int i = 0; i < headers.length; i += 2) b.header(headers[i], headers[i + 1]);
        return gw.send(b.build());
    }

    private HttpResponse<String> login(String password, String... headers) {
        HttpRequest.Builder b = HttpRequest.newBuilder(gw.uri("/login")).timeout(Duration.ofSeconds(20))
                .POST(HttpRequest.BodyPublishers.ofString("{\"password\":\"" + password + "\"}"));
        for (int i = 0; i < headers.length; i += 2) b.header(headers[i], headers[i + 1]);
        return gw.send(b.build());
    }

    private int passing(String path, int attempts) {
        int ok = 0;
        for (int i = 0; i < attempts; i++) if (get(path).statusCode() == 200) ok++;
        return ok;
    }

    @Test
    void everyAnswerOnALimitedRouteSaysThePolicyAndWhatIsLeft() {
        HttpResponse<String> res = get("/api/x");

        assertThat(res.statusCode()).isEqualTo(200);
        assertThat(res.headers().firstValue("ratelimit-policy")).hasValue("\"3-per-1m\";q=3;w=60");
        assertThat(res.headers().firstValue("ratelimit")).get().asString().matches("\"3-per-1m\";r=2;t=\\d+");
        assertThat(get("/api/x").headers().firstValue("ratelimit")).get().asString().startsWith("\"3-per-1m\";r=1;");
        assertThat(res.headers().firstValue("x-ratelimit-limit")).as("legacy headers are opt-in").isEmpty();
    }

    @Test
    void theRequestOverTheLimitIs429ProblemJsonWithRetryAfterAndNeverReachesTheService() {
        for (int i = 0; i < 3; i++) assertThat(get("/api/x").statusCode()).isEqualTo(200);

        HttpResponse<String> refused = get("/api/x");

        ProblemJson problem = ProblemJson.of(refused);
        assertThat(problem.status()).isEqualTo(429);
        assertThat(problem.type()).isEqualTo("urn:portico:error:rate-limited");
        assertThat(problem.detail()).contains("3-per-1m");
        long retryAfter = Long.parseLong(refused.headers().firstValue("retry-after").orElseThrow());
        assertThat(retryAfter).isBetween(1L, 120L);
        assertThat(refused.headers().firstValue("ratelimit")).as("t of the refusing limit is its Retry-After")
                .hasValue("\"3-per-1m\";r=0;t=" + retryAfter);
        assertThat(refused.headers().firstValue("ratelimit-policy")).hasValue("\"3-per-1m\";q=3;w=60");
        assertThat(refused.headers().firstValue("x-request-id")).isPresent();
        assertThat(upstream.requestCount()).isEqualTo(3);

        time.advance(Duration.ofSeconds(retryAfter));
        assertThat(get("/api/x").statusCode()).as("after Retry-After seconds").isEqualTo(200);
    }

    @Test
    void legacyHeadersAreAddedWhenAskedFor() {
        HttpResponse<String> res = get("/legacy");

        assertThat(res.headers().firstValue("x-ratelimit-limit")).hasValue("3");
        assertThat(res.headers().firstValue("x-ratelimit-remaining")).hasValue("2");
        assertThat(res.headers().firstValue("x-ratelimit-reset")).get().asString().matches("\\d+");
        assertThat(res.headers().firstValue("ratelimit")).isPresent();
    }

    @Test
    void answersTheGatewayMakesItselfCarryTheHeadersToo() {
        HttpResponse<String> res = get("/down");

        assertThat(res.statusCode()).isEqualTo(502);
        assertThat(res.headers().firstValue("ratelimit-policy")).as("the global limit").hasValue("\"1000-per-1h\";q=1000;w=3600");
        assertThat(res.headers().firstValue("ratelimit")).get().asString().startsWith("\"1000-per-1h\";r=999;");
    }

    @Test
    void aBurstAtTheWindowBoundaryPassesTheFixedWindowTwiceButTheSlidingWindowOnce() {
        time.advance(Duration.ofNanos(10_000_000_000L - Math.floorMod(time.nanoTime(), 10_000_000_000L)));  // a window starts
        time.advance(Duration.ofMillis(9_900));  // 0.1s before both routes' windows end

        int fixedBefore = passing("/fixed", 15);
        int slidingBefore = passing("/sliding", 15);
        time.advance(Duration.ofMillis(200));     // 0.1s after
        int fixedAfter = passing("/fixed", 15);
        int slidingAfter = passing("/sliding", 15);

        assertThat(fixedBefore + fixedAfter).as("fixed_window, documented").isEqualTo(20);
        assertThat(slidingBefore + slidingAfter).as("sliding_window").isEqualTo(10);
    }

    @Test
    void aTokenBucketAllowsItsBurstThenItsRate() {
        assertThat(passing("/bucket", 5)).isEqualTo(3);
        time.advance(Duration.ofSeconds(2));
        assertThat(passing("/bucket", 5)).isEqualTo(2);
    }

    @Test
    void onlyFailedLoginsCountWhenCountIsFailures() {
        for (int i = 0; i < 20; i++) assertThat(login("right").statusCode()).as("successes are free").isEqualTo(200);
        HttpResponse<String> afterSuccesses = login("right");
        assertThat(afterSuccesses.headers().firstValue("ratelimit")).get().asString().startsWith("\"5-per-15m\";r=5;");

        for (int i = 0; i < 5; i++) assertThat(login("wrong").statusCode()).isEqualTo(401);
        HttpResponse<String> sixth = login("right");

        assertThat(sixth.statusCode()).as("the sixth attempt, even with the right password").isEqualTo(429);
        assertThat(sixth.headers().firstValue("retry-after")).isPresent();
        assertThat(upstream.recorded().stream().filter(r -> r.path().equals("/login")).count()).isEqualTo(26);

        time.advance(Duration.ofMinutes(31));  // the sliding window forgets the failures
        assertThat(login("right").statusCode()).isEqualTo(200);
    }

    @Test
    void concurrentFailedLoginsCannotOvershootTheLimit() throws Exception {
        List<CompletableFuture<HttpResponse<String>>> attempts = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            attempts.add(GatewayUnderTest.HTTP.sendAsync(HttpRequest.newBuilder(gw.uri("/login")).header("X-Slow", "1")
                    .timeout(Duration.ofSeconds(20)).POST(HttpRequest.BodyPublishers.ofString("{\"password\":\"wrong\"}")).build(),
                    HttpResponse.BodyHandlers.ofString()));
        }
        // 15 are answered 429 at once, while the first 5 are still held at the service and none has failed yet.
        await().atMost(Duration.ofSeconds(10)).until(() -> attempts.stream().filter(CompletableFuture::isDone).count() == 15);
        long refused = attempts.stream().filter(CompletableFuture::isDone).filter(a -> a.join().statusCode() == 429).count();
        slowLogins.countDown();
        for (CompletableFuture<HttpResponse<String>> a : attempts) assertThat(a.get(20, TimeUnit.SECONDS).statusCode()).isIn(401, 429);

        assertThat(refused).isEqualTo(15);
        assertThat(upstream.recorded().stream().filter(r -> r.path().equals("/login")).count()).isEqualTo(5);
    }

    @Test
    void aRequestMustPassEveryLimitAndTheHeadersListThemAll() {
        HttpResponse<String> first = get("/both");
        assertThat(first.headers().firstValue("ratelimit-policy")).hasValue("\"second\";q=2;w=1, \"hour\";q=5;w=3600");
        assertThat(first.headers().firstValue("ratelimit")).get().asString().matches("\"second\";r=1;t=1, \"hour\";r=4;t=\\d+");
        assertThat(get("/both").statusCode()).isEqualTo(200);

        HttpResponse<String> third = get("/both");
        assertThat(third.statusCode()).isEqualTo(429);
        assertThat(ProblemJson.of(third).detail()).contains("second").doesNotContain("hour");

        time.advance(Duration.ofSeconds(2));
        assertThat(passing("/both", 3)).as("the hourly limit had 3 left: the refused one used none").isEqualTo(2);
        time.advance(Duration.ofSeconds(2));
        HttpResponse<String> sixth = get("/both");
        assertThat(get("/both").statusCode()).isEqualTo(429);
        assertThat(sixth.statusCode()).isEqualTo(200);
        time.advance(Duration.ofSeconds(2));
        HttpResponse<String> hourly = get("/both");
        assertThat(hourly.statusCode()).isEqualTo(429);
        assertThat(ProblemJson.of(hourly).detail()).contains("hour");
        assertThat(Long.parseLong(hourly.headers().firstValue("retry-after").orElseThrow())).isGreaterThan(60);
    }

    @Test
    void aSpoofedForwardedForFromAnUntrustedPeerDoesNotEscapeTheLimit() {
        for (int i = 0; i < 3; i++) {
            assertThat(get("/api/x", "X-Forwarded-For", "203.0.113." + i).statusCode()).isEqualTo(200);
        }
        assertThat(get("/api/x", "X-Forwarded-For", "198.51.100.7").statusCode()).isEqualTo(429);
    }

    @Test
    void behindATrustedProxyEachClientAddressHasItsOwnCount() {
        // 127.0.0.1 is not in trusted_proxies here, so a raw client stands in for a trusted proxy's
        // view only through the gateway's rule: an untrusted peer is its own address. See the test above;
        // with the peer trusted, each forwarded address counts alone.
        try (GatewayUnderTest proxied = GatewayUnderTest.start("""
                version: 1
                listen: 127.0.0.1:0
                trusted_proxies: [127.0.0.1/32]
                services: {api: {url: %s}}
                routes:
                  - {name: api, match: {paths: [/]}, service: api, plugins: {rate_limit: {limit: 1, window: 1m}}}
                """.formatted(upstream.url()), time)) {
            for (String client : List.of("203.0.113.1", "203.0.113.2", "203.0.113.3")) {
                HttpRequest r = HttpRequest.newBuilder(proxied.uri("/")).header("X-Forwarded-For", client).build();
                assertThat(proxied.send(r).statusCode()).as(client).isEqualTo(200);
                assertThat(proxied.send(r).statusCode()).as(client + " again").isEqualTo(429);
            }
        }
    }

    @Test
    void aHeaderKeyCountsEachValueAloneAndRequestsWithoutItByAddress() {
        assertThat(get("/by-key", "X-Api-Key", "a").statusCode()).isEqualTo(200);
        assertThat(get("/by-key", "X-Api-Key", "a").statusCode()).isEqualTo(429);
        assertThat(get("/by-key", "X-Api-Key", "b").statusCode()).isEqualTo(200);
        assertThat(get("/by-key").statusCode()).isEqualTo(200);
        assertThat(get("/by-key").statusCode()).isEqualTo(429);
    }

    @Test
    void valuesThatSpellAnotherCombinationOrAHashStillCountAlone() throws Exception {
        assertThat(get("/pair", "X-A", "p", "X-B", "q|X-B=r").statusCode()).isEqualTo(200);
        assertThat(get("/pair", "X-A", "p|X-B=q", "X-B", "r").statusCode()).as("another pair of values").isEqualTo(200);

        String longValue = "v".repeat(200);
        String hashed = "sha256:" + java.util.Base64.getUrlEncoder().withoutPadding().encodeToString(
                java.security.MessageDigest.getInstance("SHA-256").digest(longValue.getBytes(java.nio.charset.StandardCharsets.UTF_8)));
        assertThat(get("/by-key", "X-Api-Key", longValue).statusCode()).isEqualTo(200);
        assertThat(get("/by-key", "X-Api-Key", hashed).statusCode()).as("a literal value is never a hashed one").isEqualTo(200);
        assertThat(get("/by-key", "X-Api-Key", longValue).statusCode()).isEqualTo(429);
    }

    @Test
    void localWindowsFollowTheWallClockNotTheMachinesUptime() {
        // Uptime 4s (the ticker) while the wall clock stands 3s into a 10s window.
        java.util.concurrent.atomic.AtomicLong uptime = new java.util.concurrent.atomic.AtomicLong(4_000_000_000L);
        java.time.Clock wall = java.time.Clock.fixed(java.time.Instant.parse("2030-01-01T00:00:03Z"), java.time.ZoneOffset.UTC);
        try (GatewayUnderTest other = GatewayUnderTest.start("""
                version: 1
                listen: 127.0.0.1:0
                services: {api: {url: %s}}
                routes:
                  - {name: fixed, match: {paths: [/]}, service: api,
                     plugins: {rate_limit: {limit: 10, window: 10s, algorithm: fixed_window}}}
                """.formatted(upstream.url()), java.util.Map.of(), wall, uptime::get)) {
            HttpResponse<String> first = other.send(HttpRequest.newBuilder(other.uri("/x")).build());
            assertThat(first.headers().firstValue("ratelimit")).as("7s left of the window that began at :00")
                    .hasValue("\"10-per-10s\";r=9;t=7");
        }
    }

    @Test
    void aGlobalLimitIsOneCounterAcrossRoutesUnlessItsKeySaysRoute() {
        HttpResponse<String> a = get("/shared-a");
        HttpResponse<String> b = get("/shared-b");

        assertThat(a.headers().firstValue("ratelimit")).get().asString().startsWith("\"1000-per-1h\";r=999;");
        assertThat(b.headers().firstValue("ratelimit")).as("key [ip, route]: its own count").get().asString()
                .startsWith("\"1000-per-1h\";r=999;");
        assertThat(get("/shared-a").headers().firstValue("ratelimit")).get().asString().startsWith("\"1000-per-1h\";r=998;");
        assertThat(get("/unlimited").headers().firstValue("ratelimit")).as("rate_limit: off").isEmpty();
    }

    @Test
    void aRefusedRequestOnAKeptAliveConnectionLeavesTheConnectionUsable() {
        try (RawClient client = gw.raw()) {
            for (int i = 0; i < 3; i++) client.send("GET /api/x HTTP/1.1\r\nHost: x\r\n\r\n").readResponse();
            RawResponse refused = client.send("GET /api/x HTTP/1.1\r\nHost: x\r\n\r\n").readResponse();
            RawResponse next = client.send("GET /unlimited HTTP/1.1\r\nHost: x\r\n\r\n").readResponse();

            assertThat(refused.status()).isEqualTo(429);
            assertThat(next.status()).isEqualTo(200);
        }
    }
}
