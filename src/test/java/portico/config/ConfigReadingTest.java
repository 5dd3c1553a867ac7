package portico.config;

import static org.assertj.core.api.Assertions.assertThat;
import static portico.config.Configs.errors;
import static portico.config.Configs.valid;

import java.net.URISyntaxException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** A valid config becomes exactly these records; what is left out takes its documented default. */
class ConfigReadingTest {

    @Test
    void theKitchenSinkBecomesTheseRecords() throws URISyntaxException {
        Path file = Path.of(getClass().getResource("/portico/config/kitchen-sink.yaml").toURI());
        GatewayConfig c = new ConfigLoader(Map.of()).load(file).config();
        Path dir = file.getParent();

        assertThat(c.source()).isEqualTo(file.toString());
        assertThat(c.listen()).containsExactly(
                new ListenerConfig("127.0.0.1", 0, null),
                new ListenerConfig("127.0.0.1", 0, new ListenerConfig.Tls(List.of(
                        new ListenerConfig.Certificate(dir.resolve("kitchen-sink.crt"), dir.resolve("kitchen-sink.key"))))));
        assertThat(c.trustedProxies()).extracting(Cidr::text).containsExactly("10.0.0.0/8", "::1/128");
        assertThat(c.limits()).isEqualTo(new Limits(32 * 1024, 4 * 1024, 1024 * 1024, 500, Duration.ofSeconds(5), Duration.ofSeconds(30)));
        assertThat(c.shutdownGrace()).isEqualTo(Duration.ofSeconds(10));
        assertThat(c.services()).containsOnlyKeys("users", "orders");
        assertThat(c.services().get("users").targets())
                .containsExactly(new TargetConfig("http://127.0.0.1:3002/api", false, "127.0.0.1", 3002, "/api", 1));
        assertThat(c.services().get("users").timeouts())
                .isEqualTo(new Timeouts(Duration.ofSeconds(1), Duration.ofSeconds(10), Duration.ofSeconds(20)));
        assertThat(c.services().get("orders").targets()).extracting(TargetConfig::port, TargetConfig::weight)
                .containsExactly(org.assertj.core.groups.Tuple.tuple(3004, 3), org.assertj.core.groups.Tuple.tuple(3014, 1));
        assertThat(c.services().get("orders").resilience()).isEqualTo(new ResilienceConfig(
                new BalanceConfig(BalanceConfig.Strategy.HASH_HEADER, "x-user-id"),
                new RetryConfig(2, List.of("connect_error", "reset", "timeout", "503", "5xx"), 32 * 1024, false,
                        Duration.ofMillis(10), Duration.ofMillis(100), 0.1, 5),
                new BreakerConfig(0.4, 20, Duration.ofSeconds(10), Duration.ofSeconds(15), 2, Duration.ofSeconds(2), 0.8,
                        List.of("5xx", "429", "connect_error", "reset", "timeout")),
                new HealthCheckConfig("/health", Duration.ofSeconds(5), Duration.ofSeconds(1), 2, 3, List.of("2xx", "301")),
                new OutlierConfig(3, Duration.ofSeconds(10), Duration.ofMinutes(2), 0.5),
                new FallbackConfig(200, "{\"orders\":[],\"degraded\":true}".getBytes(java.nio.charset.StandardCharsets.UTF_8),
                        Map.of("Cache-Control", "no-store"))));
        assertThat(c.routes()).hasSize(3);
        assertThat(c.routes().get(1).retryNonIdempotent()).isTrue();
        RouteConfig users = c.routes().get(0);
        assertThat(users).extracting(RouteConfig::index, RouteConfig::name, RouteConfig::service,
                RouteConfig::stripPrefix, RouteConfig::preserveHost, RouteConfig::mark)
                .containsExactly(0, "users", "users", true, true, new Mark(84, 5));
        assertThat(users.match()).isEqualTo(new MatchConfig(List.of("/users/{id}", "/people/{id}"), Set.of("GET", "POST"),
                List.of("api.example.com", "*.example.com"), Map.of("x-api-version", "2"), Map.of("version", "2")));
    }

    @Test
    void whatIsLeftOutTakesItsDefault() {
        GatewayConfig c = valid("""
                version: 1
                services: {users: {url: "https://users.example.com"}}
                routes: [{name: all, match: {}, service: users}]
                """);

        assertThat(c.listen()).containsExactly(new ListenerConfig("0.0.0.0", 8080, null));
        assertThat(c.trustedProxies()).isEmpty();
        assertThat(c.limits()).isEqualTo(Limits.DEFAULTS);
        assertThat(c.limits()).isEqualTo(new Limits(16 * 1024, 8 * 1024, 10 * 1024 * 1024, 10_000,
                Duration.ofSeconds(10), Duration.ofSeconds(60)));
        assertThat(c.shutdownGrace()).isEqualTo(Duration.ofSeconds(30));
        ServiceConfig users = c.services().get("users");
        assertThat(users.timeouts()).isEqualTo(new Timeouts(Duration.ofSeconds(5), Duration.ofSeconds(60), Duration.ofSeconds(60)));
        assertThat(users.targets()).containsExactly(new TargetConfig("https://users.example.com", true, "users.example.com", 443, "", 1));
        RouteConfig all = c.routes().get(0);
        assertThat(all.stripPrefix()).isFalse();
        assertThat(all.preserveHost()).isFalse();
        assertThat(all.match()).isEqualTo(new MatchConfig(List.of(), Set.of(), List.of(), Map.of(), Map.of()));
    }

    @Test
    void aSingleValueIsAListOfOne() {
        GatewayConfig c = valid("""
                version: 1
                trusted_proxies: 127.0.0.1
                services: {users: {url: http://127.0.0.1:1}}
                routes: [{name: r, match: {paths: /users, methods: get, hosts: API.Example.com.}, service: users}]
                """);

        assertThat(c.trustedProxies()).extracting(Cidr::text).containsExactly("127.0.0.1");
        assertThat(c.routes().get(0).match()).extracting(MatchConfig::paths, MatchConfig::methods, MatchConfig::hosts)
                .containsExactly(List.of("/users"), Set.of("GET"), List.of("api.example.com"));
    }

    @Test
    void matchValuesAreTheCharactersWrittenNotWhatYamlMakesOfThem() {
        GatewayConfig c = valid("""
                version: 1
                services: {users: {url: http://127.0.0.1:1}}
                routes:
                  - name: r
                    service: users
                    match:
                      headers: {X-Flag: on, X-Version: 2.0, X-Hex: 0x1F}
                      query: {debug: yes, n: 007}
                """);

        assertThat(c.routes().get(0).match().headers()).containsExactlyInAnyOrderEntriesOf(
                Map.of("x-flag", "on", "x-version", "2.0", "x-hex", "0x1F"));
        assertThat(c.routes().get(0).match().query()).containsExactlyInAnyOrderEntriesOf(Map.of("debug", "yes", "n", "007"));
    }

    @Test
    void anchorsAliasesAndMergeKeysShareSettings() {
        GatewayConfig c = valid("""
                version: 1
                services:
                  users:
                    url: http://127.0.0.1:3002
                    timeouts: &patient {connect: 2s, response: 30s}
                  orders:
                    url: http://127.0.0.1:3004
                    timeouts: *patient
                  products:
                    url: http://127.0.0.1:3003
                    timeouts: {<<: *patient, response: 5s}
                """);

        assertThat(c.services().get("orders").timeouts()).isEqualTo(c.services().get("users").timeouts());
        assertThat(c.services().get("products").timeouts())
                .isEqualTo(new Timeouts(Duration.ofSeconds(2), Duration.ofSeconds(5), Duration.ofSeconds(60)));
    }

    @Test
    void aMistakeInsideAnAliasIsReportedWhereTheAliasIsUsed() {
        assertThat(errors("""
                version: 1
                services:
                  users: {url: http://127.0.0.1:3002}
                  orders:
                    url: http://127.0.0.1:3004
                    timeouts: {<<: &fast {connect: 1s}, conect: 2s}
                  products:
                    url: http://127.0.0.1:3003
                    timeouts: *fast
                """)).containsExactly("test.yaml:6:41: services.orders.timeouts.conect: unknown key, did you mean 'connect'?");
        assertThat(errors("""
                version: 1
                defaults: &bad {connect: soon}
                services:
                  users:
                    url: http://127.0.0.1:3002
                    timeouts: *bad
                """)).containsExactly(
                "test.yaml:2:1: defaults: unknown key",
                "test.yaml:6:15: services.users.timeouts.connect: expected a duration such as 500ms, 3s, 15m or 1h, was 'soon'");
    }

    @Test
    void tlsCertificatesAreResolvedBesideTheConfigAndMustExist() {
        assertThat(errors("""
                version: 1
                listen:
                  - address: 127.0.0.1:8443
                    tls: {certificates: [{cert: missing.crt, key: missing.key}]}
                """)).containsExactly(
                "test.yaml:4:33: listen[0].tls.certificates[0].cert: cannot read " + Path.of("missing.crt").toAbsolutePath(),
                "test.yaml:4:51: listen[0].tls.certificates[0].key: cannot read " + Path.of("missing.key").toAbsolutePath());
        assertThat(errors("""
                version: 1
                listen:
                  - {address: 127.0.0.1:8443, tls: {cert: a.crt, key: a.key}}
                """)).containsExactly(
                "test.yaml:3:36: listen[0].tls.certificates: is required (a list of {cert, key})",
                "test.yaml:3:37: listen[0].tls.cert: unknown key",
                "test.yaml:3:50: listen[0].tls.key: unknown key");
    }
}
