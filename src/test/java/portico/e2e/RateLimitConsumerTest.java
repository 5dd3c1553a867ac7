package portico.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpRequest;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import portico.testing.FakeTime;
import portico.testing.FakeUpstream;
import portico.testing.GatewayUnderTest;

/**
 * Per-consumer limits over real sockets, with key_auth saying who calls: {@code key: consumer}
 * counts each consumer alone while {@code key: ip} counts everyone behind one address together,
 * and a consumer's own {@code rate_limit} replaces the route's for that consumer.
 */
class RateLimitConsumerTest {
    private FakeUpstream upstream;
    private GatewayUnderTest gw;

    @BeforeEach
    void start() {
        upstream = FakeUpstream.start().respond("/", 200, "{\"ok\":true}");
        gw = GatewayUnderTest.start("""
                version: 1
                listen: 127.0.0.1:0
                services: {api: {url: %s}}
                consumers:
                  alice: {api_keys: [alice-key-0123456789], plugins: {rate_limit: {limit: 5, window: 1m}}}
                  bob: {api_keys: [bob-key-0123456789]}
                  carol: {api_keys: [carol-key-0123456789]}
                routes:
                  - {name: per-consumer, match: {paths: [/per-consumer]}, service: api,
                     plugins: {key_auth: {}, rate_limit: {limit: 2, window: 1m, key: consumer}}}
                  - {name: per-ip, match: {paths: [/per-ip]}, service: api,
                     plugins: {key_auth: {}, rate_limit: {limit: 2, window: 1m, key: ip}}}
                """.formatted(upstream.url()), new FakeTime());
    }

    @AfterEach
    void stop() {
        if (gw != null) gw.close();
        if (upstream != null) upstream.close();
    }

    private List<Integer> statuses(String path, String key, int n) {
        List<Integer> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            out.add(gw.send(HttpRequest.newBuilder(gw.uri(path)).header("X-API-Key", key).build()).statusCode());
        }
        return out;
    }

    @Test
    void aConsumerKeyGivesEveryConsumerItsOwnCountFromTheSameAddress() {
        assertThat(statuses("/per-consumer", "bob-key-0123456789", 3)).containsExactly(200, 200, 429);
        assertThat(statuses("/per-consumer", "carol-key-0123456789", 3)).containsExactly(200, 200, 429);
    }

    @Test
    void anIpKeyCountsConsumersBehindOneAddressTogether() {
        assertThat(statuses("/per-ip", "bob-key-0123456789", 1)).containsExactly(200);
        assertThat(statuses("/per-ip", "carol-key-0123456789", 2)).containsExactly(200, 429);
    }

    @Test
    void aConsumersOwnLimitReplacesTheRoutesLimit() {
        assertThat(statuses("/per-consumer", "alice-key-0123456789", 6)).containsExactly(200, 200, 200, 200, 200, 429);
        assertThat(gw.send(HttpRequest.newBuilder(gw.uri("/per-consumer")).header("X-API-Key", "alice-key-0123456789").build())
                .headers().firstValue("ratelimit-policy")).hasValue("\"5-per-1m\";q=5;w=60");
    }

    @Test
    void aRequestThatFailsAuthenticationUsesNoPermit() {
        for (int i = 0; i < 5; i++) {
            assertThat(statuses("/per-ip", "wrong-key-0123456789", 1)).containsExactly(401);
        }
        assertThat(statuses("/per-ip", "bob-key-0123456789", 3)).containsExactly(200, 200, 429);
    }
}
