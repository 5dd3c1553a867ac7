package portico.config;

import static org.assertj.core.api.Assertions.assertThat;
import static portico.config.Configs.errors;

import java.util.List;
import org.junit.jupiter.api.Test;

/** {@code rate_limit} mistakes are reported as FILE:LINE:COL: path: message, like every other key. */
class RateLimitConfigErrorsTest {
    private static String route(String plugin) {
        return """
                version: 1
                services: {api: {url: http://127.0.0.1:3002}}
                routes:
                  - name: api
                    match: {paths: [/]}
                    service: api
                    plugins:
                      rate_limit: %s
                """.formatted(plugin);
    }

    @Test
    void aWindowOutside1sTo24hIsRefused() {
        assertThat(errors(route("{limit: 10, window: 48h}")))
                .containsExactly("test.yaml:8:39: routes[0].plugins.rate_limit.window: must be within 1s..24h, was 48h");
        assertThat(errors(route("{limit: 10, window: 500ms}")))
                .containsExactly("test.yaml:8:39: routes[0].plugins.rate_limit.window: must be within 1s..24h, was 500ms");
    }

    @Test
    void limitAndWindowAreRequired() {
        assertThat(errors(route("{window: 1m}")))
                .containsExactly("test.yaml:8:19: routes[0].plugins.rate_limit.limit: is required (for example limit: 100, window: 15m)");
        assertThat(errors(route("{limit: 0, window: 1m}")))
                .containsExactly("test.yaml:8:27: routes[0].plugins.rate_limit.limit: must be within 1..1000000000, was 0");
    }

    @Test
    void burstBelongsToTheTokenBucket() {
        assertThat(errors(route("{limit: 10, window: 1m, burst: 20}")))
                .containsExactly("test.yaml:8:50: routes[0].plugins.rate_limit.burst: burst applies to algorithm: token_bucket only");
    }

    @Test
    void anUnknownKeyPartSaysWhatIsAllowed() {
        assertThat(errors(route("{limit: 10, window: 1m, key: [ip, user]}")))
                .containsExactly("test.yaml:8:53: routes[0].plugins.rate_limit.key[1]: expected ip, consumer, header:NAME, route or service, was 'user'");
    }

    @Test
    void redisNeedsClusterRedis() {
        assertThat(errors(route("{limit: 10, window: 1m, store: redis}")))
                .containsExactly("test.yaml:8:50: routes[0].plugins.rate_limit.store: store: redis needs cluster.redis (the Redis URL, such as redis://127.0.0.1:6379)");
        assertThat(errors("cluster: {redis: redis://127.0.0.1:6379}\n" + route("{limit: 10, window: 1m, store: redis}"))).isEmpty();
    }

    @Test
    void oneLimitInlineOrSeveralInLimitsNotBoth() {
        assertThat(errors(route("{limit: 10, window: 1s, limits: [{limit: 1000, window: 1h}]}"))).containsExactly(
                "test.yaml:8:27: routes[0].plugins.rate_limit.limit: set limit in each item of limits, or write one limit without limits",
                "test.yaml:8:39: routes[0].plugins.rate_limit.window: set window in each item of limits, or write one limit without limits");
    }

    @Test
    void twoLimitsWithTheSameNameAreRefused() {
        assertThat(errors(route("{limits: [{limit: 10, window: 1m}, {limit: 10, window: 1m, key: route}]}"))).containsExactly(
                "test.yaml:8:28: routes[0].plugins.rate_limit.limits: two limits are named '10-per-1m'; give them different names (name: ...)");
    }

    @Test
    void aMisspelledSettingGetsASuggestion() {
        assertThat(errors(route("{limit: 10, window: 1m, on_store_eror: deny}")))
                .containsExactly("test.yaml:8:43: routes[0].plugins.rate_limit.on_store_eror: unknown key, did you mean 'on_store_error'?");
    }

    private static List<String> redisErrors(String url) {
        return errors("cluster: {redis: \"" + url + "\"}\n" + route("{limit: 10, window: 1m, store: redis}"));
    }

    @Test
    void aRedisUrlIsCheckedFullyBeforeTheGatewayRuns() {
        assertThat(redisErrors("redis://127.0.0.1:99999"))
                .containsExactly("test.yaml:1:18: cluster.redis: port must be within 1..65535, was 99999");
        assertThat(redisErrors("redis://127.0.0.1:abc"))
                .containsExactly("test.yaml:1:18: cluster.redis: needs a host and a port 1..65535, such as redis://127.0.0.1:6379, was '127.0.0.1:abc'");
        assertThat(redisErrors("redis://:36379"))
                .containsExactly("test.yaml:1:18: cluster.redis: needs a host and a port 1..65535, such as redis://127.0.0.1:6379, was ':36379'");
        assertThat(redisErrors("redis://127.0.0.1:36379/-1"))
                .containsExactly("test.yaml:1:18: cluster.redis: the database (after the port) must be a number 0 or more, was '-1'");
        assertThat(redisErrors("redis://127.0.0.1:36379?timeout=abc"))
                .containsExactly("test.yaml:1:18: cluster.redis: timeout: expected a duration such as 500ms, 3s, 15m or 1h, was 'abc'");
        assertThat(redisErrors("redis://127.0.0.1:36379?timeout=0ms"))
                .containsExactly("test.yaml:1:18: cluster.redis: timeout must be more than 0, was '0ms'");
        assertThat(redisErrors("redis://127.0.0.1:36379?timout=25ms"))
                .containsExactly("test.yaml:1:18: cluster.redis: unknown URL parameter 'timout', did you mean 'timeout'? (known: timeout, clientName)");
        assertThat(redisErrors("redis://:secret@127.0.0.1:36379/2?timeout=100ms")).isEmpty();
        assertThat(redisErrors("rediss://redis.internal")).isEmpty();
    }

    @Test
    void aWindowIsWholeSecondsAndALeaseAtMost1000() {
        assertThat(errors(route("{limit: 10, window: 1500ms}")))
                .containsExactly("test.yaml:8:39: routes[0].plugins.rate_limit.window: must be whole seconds (the RateLimit-Policy header says w in seconds), was 1500ms");
        assertThat(errors("cluster: {redis: redis://127.0.0.1:6379}\n" + route("{limit: 10, window: 1m, store: redis, lease: 10000}")))
                .containsExactly("test.yaml:9:64: routes[0].plugins.rate_limit.lease: must be within 1..1000, was 10000");
    }
}
