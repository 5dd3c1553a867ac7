package portico.config;

import static org.assertj.core.api.Assertions.assertThat;
import static portico.config.Configs.errors;
import static portico.config.Configs.valid;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The resilience keys of a service (docs/resilience.md): their defaults, and how mistakes are reported. */
class ResilienceConfigTest {

    private static ResilienceConfig service(String keys) {
        return valid("""
                version: 1
                services:
                  orders:
                    url: http://127.0.0.1:3004
                %s
                """.formatted(keys.indent(4))).services().get("orders").resilience();
    }

    @Test
    void aServiceWithNoResilienceKeysRetriesOnlyAFailedConnectAndEjectsPassively() {
        ResilienceConfig r = service("");

        assertThat(r).isEqualTo(ResilienceConfig.DEFAULTS);
        assertThat(r.balance()).isEqualTo(new BalanceConfig(BalanceConfig.Strategy.ROUND_ROBIN, null));
        assertThat(r.retries()).isEqualTo(new RetryConfig(1, List.of("connect_error"), 64 * 1024, false,
                Duration.ofMillis(25), Duration.ofMillis(250), 0.2, 3));
        assertThat(r.circuitBreaker()).isNull();
        assertThat(r.healthCheck()).isNull();
        assertThat(r.outlierDetection()).isEqualTo(new OutlierConfig(5, Duration.ofSeconds(30), Duration.ofMinutes(5), 0.5));
        assertThat(r.fallback()).isNull();
    }

    @Test
    void theContractsExampleServiceReadsAsWritten() {
        ResilienceConfig r = valid("""
                version: 1
                services:
                  orders:
                    targets:
                      - {url: http://127.0.0.1:3004, weight: 3}
                      - {url: http://127.0.0.1:3014}
                    balance: round_robin
                    timeouts: {connect: 1s, response: 10s, idle: 60s}
                    retries: {attempts: 2, on: [connect_error, 502, 503, 504]}
                    circuit_breaker: {failure_rate: 50%, min_calls: 10, window: 30s, open_for: 30s, half_open_calls: 3, slow_call: 3s}
                    health_check: {path: /health, interval: 5s, unhealthy_after: 3, healthy_after: 2}
                """).services().get("orders").resilience();

        assertThat(r.retries()).extracting(RetryConfig::attempts, RetryConfig::on)
                .containsExactly(2, List.of("connect_error", "502", "503", "504"));
        assertThat(r.circuitBreaker()).isEqualTo(new BreakerConfig(0.5, 10, Duration.ofSeconds(30), Duration.ofSeconds(30), 3,
                Duration.ofSeconds(3), 0.5, BreakerConfig.DEFAULT_FAILURES));
        assertThat(r.healthCheck()).isEqualTo(new HealthCheckConfig("/health", Duration.ofSeconds(5), Duration.ofSeconds(2), 3, 2,
                List.of("2xx")));
    }

    @Test
    void writingRetriesRetriesResetsAndGatewayErrorsToo() {
        assertThat(service("retries: {}").retries().on()).containsExactly("connect_error", "reset", "502", "503", "504");
        assertThat(service("retries: {attempts: 3, on: [503, 5XX, timeout]}").retries())
                .extracting(RetryConfig::attempts, RetryConfig::on).containsExactly(3, List.of("503", "5xx", "timeout"));
    }

    @Test
    void eachBalanceIsReadWithItsHashKey() {
        assertThat(service("balance: least_requests").balance().strategy()).isEqualTo(BalanceConfig.Strategy.LEAST_REQUESTS);
        assertThat(service("balance: random").balance().strategy()).isEqualTo(BalanceConfig.Strategy.RANDOM);
        assertThat(service("balance: hash(ip)").balance().strategy()).isEqualTo(BalanceConfig.Strategy.HASH_IP);
        assertThat(service("balance: hash(header:X-User-Id)").balance())
                .isEqualTo(new BalanceConfig(BalanceConfig.Strategy.HASH_HEADER, "x-user-id"));
    }

    @Test
    void aBreakerOrHealthCheckWithOnlyItsRequiredKeysTakesTheDefaults() {
        assertThat(service("circuit_breaker: {}").circuitBreaker()).isEqualTo(new BreakerConfig(0.5, 10, Duration.ofSeconds(30),
                Duration.ofSeconds(30), 3, null, 0.5, List.of("5xx", "connect_error", "reset", "timeout")));
        assertThat(service("health_check: {path: /health}").healthCheck()).isEqualTo(new HealthCheckConfig("/health",
                Duration.ofSeconds(10), Duration.ofSeconds(2), 3, 2, List.of("2xx")));
    }

    @Test
    void aBreakerWindowIsWholeSecondsUpToAnHour() {
        assertThat(service("circuit_breaker: {window: 1h}").circuitBreaker().window()).isEqualTo(Duration.ofHours(1));
        assertThat(errors("""
                version: 1
                services:
                  a: {url: http://127.0.0.1:3004, circuit_breaker: {window: 365d}}
                  b: {url: http://127.0.0.1:3004, circuit_breaker: {window: 1500ms}}
                  c: {url: http://127.0.0.1:3004, circuit_breaker: {window: 500ms}}
                """)).containsExactly(
                "test.yaml:3:61: services.a.circuit_breaker.window: must be within 1s..1h, was 365d",
                "test.yaml:4:61: services.b.circuit_breaker.window: must be whole seconds, was 1500ms",
                "test.yaml:5:61: services.c.circuit_breaker.window: must be within 1s..1h, was 500ms");
    }

    @Test
    void aResilienceKeyWithNoValueIsAnErrorNotASilentOff() {
        assertThat(errors("""
                version: 1
                services:
                  orders:
                    url: http://127.0.0.1:3004
                    circuit_breaker:
                    retries: ~
                """)).containsExactly(
                "test.yaml:5:21: services.orders.circuit_breaker: has no settings; write {} for the defaults, or leave the key out",
                "test.yaml:6:14: services.orders.retries: has no settings; write {} for the defaults, or leave the key out");
    }

    @Test
    void theSameTargetListedTwiceIsAnError() {
        assertThat(errors("""
                version: 1
                services:
                  orders:
                    targets:
                      - {url: http://127.0.0.1:3004}
                      - {url: http://127.0.0.1:3005}
                      - {url: "HTTP://127.0.0.1:3004/", weight: 2}
                      - {url: http://localhost:80}
                      - {url: http://LOCALHOST}
                """)).containsExactly(
                "test.yaml:7:15: services.orders.targets[2].url: the same target as targets[0]; list it once, with a weight",
                "test.yaml:9:15: services.orders.targets[4].url: the same target as targets[3]; list it once, with a weight");
    }

    @Test
    void aFallbackBodyIsJsonWhenAMapAndAsWrittenWhenAString() {
        FallbackConfig map = service("fallback: {body: {items: [], note: cached}}").fallback();
        FallbackConfig text = service("fallback: {status: 503, body: '{\"items\": []}', headers: {Retry-After: 30}}").fallback();

        assertThat(new String(map.body(), StandardCharsets.UTF_8)).isEqualTo("{\"items\":[],\"note\":\"cached\"}");
        assertThat(map.status()).isEqualTo(200);
        assertThat(new String(text.body(), StandardCharsets.UTF_8)).isEqualTo("{\"items\": []}");
        assertThat(text.status()).isEqualTo(503);
        assertThat(text.headers()).isEqualTo(Map.of("Retry-After", "30"));
    }

    @Test
    void aRouteMayAllowOrForbidResendingPosts() {
        GatewayConfig c = valid("""
                version: 1
                services: {orders: {url: http://127.0.0.1:3004}}
                routes:
                  - {name: a, match: {paths: [/a]}, service: orders, retries: {non_idempotent: true}}
                  - {name: b, match: {paths: [/b]}, service: orders, retries: {non_idempotent: false}}
                  - {name: c, match: {paths: [/c]}, service: orders}
                """);

        assertThat(c.routes()).extracting(RouteConfig::retryNonIdempotent).containsExactly(true, false, null);
    }

    @Test
    void mistakesPointAtTheValueAndNameWhatIsExpected() {
        assertThat(errors("""
                version: 1
                services:
                  orders:
                    url: http://127.0.0.1:3004
                    balance: hash(cookie:session)
                    retries: {attempts: 11, on: [resets, 700], budget: 20}
                    circuit_breaker: {failure_rate: 0%, windw: 10s}
                    health_check: {interval: 5s, statuses: [ok]}
                    outlier_detection: {eject_for: 1m, max_eject_for: 30s}
                """)).containsExactly(
                "test.yaml:5:14: services.orders.balance: expected one of round_robin, least_requests, random, "
                        + "hash(header:NAME), hash(ip), was 'hash(cookie:session)'",
                "test.yaml:6:25: services.orders.retries.attempts: must be within 0..10, was 11",
                "test.yaml:6:34: services.orders.retries.on[0]: expected connect_error, reset, timeout, a status such as 503 "
                        + "or a class such as 5xx, was 'resets', did you mean 'reset'?",
                "test.yaml:6:42: services.orders.retries.on[1]: expected connect_error, reset, timeout, a status such as 503 "
                        + "or a class such as 5xx, was '700'",
                "test.yaml:6:56: services.orders.retries.budget: expected a percentage such as 50%, was '20'",
                "test.yaml:7:37: services.orders.circuit_breaker.failure_rate: must be more than 0%",
                "test.yaml:7:41: services.orders.circuit_breaker.windw: unknown key, did you mean 'window'?",
                "test.yaml:8:19: services.orders.health_check.path: is required",
                "test.yaml:8:45: services.orders.health_check.statuses[0]: expected a status such as 200 or a class such as 2xx, "
                        + "was 'ok'",
                "test.yaml:9:55: services.orders.outlier_detection.max_eject_for: must be at least eject_for (1m)");
    }

    @Test
    void aFallbackHeaderIsOneLineOfAsciiThatTheGatewayDoesNotSetItself() {
        assertThat(errors("""
                version: 1
                services:
                  orders:
                    url: http://127.0.0.1:3004
                    fallback:
                      headers:
                        X-A: "a\\r\\nX-Injected: 1"
                        Transfer-Encoding: chunked
                        content-length: "5"
                        X-Request-Id: mine
                        X-B: "café"
                        X-Ok: "fine\\tand tabbed"
                """)).containsExactly(
                "test.yaml:7:14: services.orders.fallback.headers.X-A: a header value may not contain control characters "
                        + "such as a line break",
                "test.yaml:8:28: services.orders.fallback.headers.Transfer-Encoding: 'Transfer-Encoding' is the gateway's to set "
                        + "(framing, hop-by-hop and its own headers cannot be given)",
                "test.yaml:9:25: services.orders.fallback.headers.content-length: 'content-length' is the gateway's to set "
                        + "(framing, hop-by-hop and its own headers cannot be given)",
                "test.yaml:10:23: services.orders.fallback.headers.X-Request-Id: 'X-Request-Id' is the gateway's to set "
                        + "(framing, hop-by-hop and its own headers cannot be given)",
                "test.yaml:11:14: services.orders.fallback.headers.X-B: a header value must be ASCII (RFC 9110 section 5.5), "
                        + "found 'é'");
    }

    @Test
    void aTargetPortIsWithin1To65535() {
        assertThat(errors("""
                version: 1
                services:
                  a: {url: "http://127.0.0.1:99999"}
                  b: {targets: [{url: "http://127.0.0.1:0"}, {url: "https://[::1]:65536/api"}]}
                  c: {url: "http://127.0.0.1:65535"}
                """)).containsExactly(
                "test.yaml:3:12: services.a.url: the port must be within 1..65535, was 99999",
                "test.yaml:4:23: services.b.targets[0].url: the port must be within 1..65535, was 0",
                "test.yaml:4:52: services.b.targets[1].url: the port must be within 1..65535, was 65536");
    }

    @Test
    void aReplayBodyIsAtMost16MBSinceEachRequestHoldsItInMemory() {
        assertThat(service("retries: {max_body: 16MB}").retries().maxBody()).isEqualTo(16L * 1024 * 1024);
        assertThat(errors("""
                version: 1
                services:
                  a: {url: http://127.0.0.1:3004, retries: {max_body: 1GB}}
                """)).containsExactly("test.yaml:3:55: services.a.retries.max_body: must be within 0B..16MB "
                + "(a body kept for a retry is held in memory, per request), was 1GB");
    }
}
