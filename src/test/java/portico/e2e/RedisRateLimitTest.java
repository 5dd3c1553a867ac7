package portico.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Level;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import portico.testing.FakeUpstream;
import portico.testing.GatewayUnderTest;
import portico.testing.LogCapture;
import portico.testing.ProblemJson;
import portico.testing.RedisServer;

/**
 * {@code rate_limit} with {@code store: redis} against a real redis-server started on a free port:
 * counting, the script cache lost, and outages (Redis killed, Redis hanging) under both
 * on_store_error settings.
 */
class RedisRateLimitTest {
    private static final String LINK_LOGGER = "portico.plugin.ratelimit.RedisLink";

    private RedisServer redis;
    private FakeUpstream upstream;
    private GatewayUnderTest gw;

    @BeforeEach
    void start() {
        redis = RedisServer.start();
        upstream = FakeUpstream.start()
                .handle("/login", (req, res) -> {
                    if (req.bodyText().contains("right")) res.body("{\"token\":\"t\"}");
                    else res.status(401).body("{\"error\":\"bad password\"}");
                })
                .respond("/", 200, "{\"ok\":true}");
    }

    @AfterEach
    void stop() {
        if (gw != null) gw.close();
        if (upstream != null) upstream.close();
        if (redis != null) redis.close();
    }

    private GatewayUnderTest gateway(String redisQuery, String plugin) {
        gw = GatewayUnderTest.start("""
                version: 1
                listen: 127.0.0.1:0
                cluster: {redis: "%s"}
                services: {api: {url: %s}}
                routes:
                  - {name: api, match: {paths: [/]}, service: api, plugins: {rate_limit: %s}}
                """.formatted(redis.url(redisQuery), upstream.url(), plugin));
        return gw;
    }

    private HttpResponse<String> get() {
        return gw.send(HttpRequest.newBuilder(gw.uri("/x")).timeout(Duration.ofSeconds(20)).build());
    }

    @Test
    void requestsAreCountedInRedisAndRefusedPastTheLimit() {
        gateway("timeout=1s", "{limit: 3, window: 1m, store: redis}");

        for (int i = 2; i >= 0; i--) {
            HttpResponse<String> res = get();
            assertThat(res.statusCode()).isEqualTo(200);
            assertThat(res.headers().firstValue("ratelimit")).get().asString().startsWith("\"3-per-1m\";r=" + i + ";");
        }
        HttpResponse<String> refused = get();

        assertThat(ProblemJson.of(refused).status()).isEqualTo(429);
        assertThat(refused.headers().firstValue("retry-after")).isPresent();
        assertThat(refused.headers().firstValue("ratelimit-policy")).hasValue("\"3-per-1m\";q=3;w=60");
        assertThat(redis.command("HGET", "portico:rl:routes.api.plugins.rate_limit:3-per-1m:ip=127.0.0.1", "b")).isEqualTo("3");
    }

    @Test
    void aRedisThatLostItsScriptsGetsThemAgain() {
        gateway("timeout=1s", "{limit: 5, window: 1m, store: redis}");
        assertThat(get().statusCode()).isEqualTo(200);

        assertThat(redis.command("SCRIPT", "FLUSH")).isEqualTo("+OK");

        assertThat(get().headers().firstValue("ratelimit")).get().asString().startsWith("\"5-per-1m\";r=3;");
        assertThat(redis.calls("eval")).as("EVALSHA failed with NOSCRIPT, EVAL loaded it").isEqualTo(1);
    }

    @Test
    void onlyFailuresUseUpTheLimitInRedisToo() {
        gateway("timeout=1s", "{limit: 2, window: 15m, store: redis, count: failures}");
        HttpRequest.Builder login = HttpRequest.newBuilder(gw.uri("/login")).timeout(Duration.ofSeconds(20));

        for (int i = 0; i < 5; i++) {
            assertThat(gw.send(login.POST(HttpRequest.BodyPublishers.ofString("right")).build()).statusCode()).isEqualTo(200);
        }
        for (int i = 0; i < 2; i++) {
            assertThat(gw.send(login.POST(HttpRequest.BodyPublishers.ofString("wrong")).build()).statusCode()).isEqualTo(401);
        }
        assertThat(gw.send(login.POST(HttpRequest.BodyPublishers.ofString("right")).build()).statusCode()).isEqualTo(429);
    }

    @Test
    void withOnStoreErrorAllowAKilledRedisLetsRequestsThroughAndTheLimitReturnsWithIt() {
        try (LogCapture log = LogCapture.of(LINK_LOGGER)) {
            gateway("timeout=200ms", "{limit: 2, window: 1m, store: redis, on_store_error: allow}");
            assertThat(get().statusCode()).isEqualTo(200);
            assertThat(get().statusCode()).isEqualTo(200);
            assertThat(get().statusCode()).isEqualTo(429);

            redis.kill();
            for (int i = 0; i < 10; i++) {
                HttpResponse<String> res = get();
                assertThat(res.statusCode()).as("Redis down, on_store_error: allow").isEqualTo(200);
                assertThat(res.headers().firstValue("ratelimit")).as("nothing is known to tell").isEmpty();
            }
            assertThat(log.messages(Level.WARN)).as("one line per outage").hasSize(1);

            redis.restart();  // empty, so the count starts again
            await().atMost(Duration.ofSeconds(10)).until(() -> get().headers().firstValue("ratelimit").isPresent());
            assertThat(get().statusCode()).as("the second of two").isEqualTo(200);
            assertThat(get().statusCode()).isEqualTo(429);
            assertThat(log.messages(Level.WARN)).hasSize(1);
            assertThat(log.messages(Level.INFO)).as("and one when it is over").hasSize(1);
        }
    }

    @Test
    void withOnStoreErrorDenyAKilledRedisMeans503UntilItIsBack() {
        gateway("timeout=200ms", "{limit: 100, window: 1m, store: redis, on_store_error: deny}");
        assertThat(get().statusCode()).isEqualTo(200);

        redis.kill();
        HttpResponse<String> denied = get();

        ProblemJson problem = ProblemJson.of(denied);
        assertThat(problem.status()).isEqualTo(503);
        assertThat(problem.type()).isEqualTo("urn:portico:error:rate-limit-unavailable");
        assertThat(denied.headers().firstValue("retry-after")).hasValue("1");
        assertThat(upstream.requestCount()).isEqualTo(1);

        redis.restart();
        await().atMost(Duration.ofSeconds(10)).until(() -> get().statusCode() == 200);
    }

    @Test
    void aHangingRedisCostsARequestTheCommandTimeoutNotTheClientsPatience() {
        gateway("timeout=50ms", "{limit: 100, window: 1m, store: redis}");
        assertThat(get().statusCode()).isEqualTo(200);

        redis.pause();
        long started = System.nanoTime();
        HttpResponse<String> res = get();
        Duration took = Duration.ofNanos(System.nanoTime() - started);
        redis.resume();

        assertThat(res.statusCode()).isEqualTo(200);
        assertThat(took).as("a functional bound with a wide margin, not a benchmark").isLessThan(Duration.ofSeconds(1));
        await().atMost(Duration.ofSeconds(10)).until(() -> get().headers().firstValue("ratelimit").isPresent());
    }

    @Test
    void theScriptKeepsEachAlgorithmsArithmetic() {
        gw = GatewayUnderTest.start("""
                version: 1
                listen: 127.0.0.1:0
                cluster: {redis: "%s"}
                services: {api: {url: %s}}
                routes:
                  - {name: fixed, match: {paths: [/fixed]}, service: api,
                     plugins: {rate_limit: {limit: 2, window: 1h, algorithm: fixed_window, store: redis}}}
                  - {name: bucket, match: {paths: [/bucket]}, service: api,
                     plugins: {rate_limit: {limit: 1, window: 1h, algorithm: token_bucket, burst: 3, store: redis}}}
                  - {name: both, match: {paths: [/both]}, service: api,
                     plugins: {rate_limit: {store: redis, limits: [{limit: 2, window: 1h, name: small}, {limit: 5, window: 1h, name: big}]}}}
                """.formatted(redis.url("timeout=1s"), upstream.url()));

        assertThat(statuses("/fixed", 3)).containsExactly(200, 200, 429);
        HttpResponse<String> bucketRefused = null;
        for (int i = 0; i < 4; i++) bucketRefused = gw.send(HttpRequest.newBuilder(gw.uri("/bucket")).build());
        assertThat(bucketRefused.statusCode()).as("a burst of 3").isEqualTo(429);
        assertThat(Long.parseLong(bucketRefused.headers().firstValue("retry-after").orElseThrow()))
                .as("one token per hour").isBetween(3000L, 3600L);
        assertThat(statuses("/both", 3)).containsExactly(200, 200, 429);
        assertThat(redis.command("HGET", "portico:rl:routes.both.plugins.rate_limit:big:ip=127.0.0.1", "b"))
                .as("the refused request took nothing from the limit that had room").isEqualTo("2");
    }

    private java.util.List<Integer> statuses(String path, int n) {
        java.util.List<Integer> out = new java.util.ArrayList<>();
        for (int i = 0; i < n; i++) out.add(gw.send(HttpRequest.newBuilder(gw.uri(path)).build()).statusCode());
        return out;
    }

    @Test
    void aRefusedPasswordAndAMissingDatabaseAreLoggedForWhatTheyAre() {
        assertThat(redis.command("CONFIG", "SET", "requirepass", "right")).isEqualTo("+OK");
        try (LogCapture log = LogCapture.of(LINK_LOGGER)) {
            gw = GatewayUnderTest.start(config("redis://:wrong@127.0.0.1:" + redis.port() + "?timeout=1s"));
            assertThat(get().statusCode()).as("on_store_error: allow").isEqualTo(200);
            // Redis answers a wrong password with WRONGPASS, but under load Lettuce sometimes sees
            // the connection closed first; either way the failure is logged, never the password.
            await().atMost(Duration.ofSeconds(10)).until(() -> !log.lines("refused the user or password").isEmpty()
                    || !log.lines("cannot connect to Redis").isEmpty());
            assertThat(log.lines("wrong")).as("the password is never logged").isEmpty();
        }
        gw.close();
        try (LogCapture log = LogCapture.of(LINK_LOGGER)) {
            gw = GatewayUnderTest.start(config("redis://:right@127.0.0.1:" + redis.port() + "/99?timeout=1s"));
            assertThat(get().statusCode()).isEqualTo(200);
            await().atMost(Duration.ofSeconds(10)).until(() -> !log.lines("refused database 99").isEmpty());
            assertThat(log.lines("password")).isEmpty();
        }
    }

    private String config(String url) {
        return """
                version: 1
                listen: 127.0.0.1:0
                cluster: {redis: "%s"}
                services: {api: {url: %s}}
                routes:
                  - {name: api, match: {paths: [/]}, service: api, plugins: {rate_limit: {limit: 5, window: 1m, store: redis}}}
                """.formatted(url, upstream.url());
    }

    @Test
    void oneSlowCallIsNotAnOutageAndTheFirstRequestAfterStartIsNotRefused() {
        try (LogCapture log = LogCapture.of(LINK_LOGGER)) {
            gateway(null, "{limit: 100, window: 1m, store: redis, on_store_error: deny}");
            assertThat(get().statusCode()).as("the first request, on the default timeout").isEqualTo(200);

            redis.pause();
            HttpResponse<String> slow = get();
            redis.resume();
            assertThat(slow.statusCode()).as("that call timed out: deny").isEqualTo(503);
            await().atMost(Duration.ofSeconds(10)).until(() -> get().statusCode() == 200);

            assertThat(log.messages(Level.WARN)).as("one failed call in a row is no outage").isEmpty();
            assertThat(log.messages(Level.INFO)).as("and so no recovery").isEmpty();
        }
    }

    @Test
    void requestsWhoseCallTimedOutAreNotCountedWhenRedisCatchesUp() {
        gateway("timeout=100ms", "{limit: 10, window: 1h, store: redis, on_store_error: deny, lease: 1}");
        assertThat(get().statusCode()).isEqualTo(200);

        redis.pause();
        for (int i = 0; i < 30; i++) assertThat(get().statusCode()).as("Redis hangs: deny").isEqualTo(503);
        redis.resume();

        await().atMost(Duration.ofSeconds(10)).until(() -> get().statusCode() == 200);
        assertThat(upstream.requestCount()).isGreaterThanOrEqualTo(2);
        long passed = upstream.requestCount();
        assertThat(redis.command("HGET", "portico:rl:routes.api.plugins.rate_limit:10-per-1h:ip=127.0.0.1", "b"))
                .as("only the requests that reached the service are counted").isEqualTo(Long.toString(passed));
    }
}
