package portico.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import portico.testing.FakeUpstream;
import portico.testing.GatewayUnderTest;
import portico.testing.RawClient;
import portico.testing.RecordedRequest;

/**
 * Identity headers belong to the gateway (CONTRACT section 5): whatever a client sends as
 * {@code X-Consumer-*}, in any case and with '_' for '-', is removed on every route before anything
 * else runs, authenticated or not.
 */
class IdentityHeadersTest {

    @Test
    void clientSentConsumerHeadersNeverReachTheService() {
        try (FakeUpstream upstream = FakeUpstream.start().respond("/", 200, "{}");
             GatewayUnderTest gw = GatewayUnderTest.start("""
                     version: 1
                     listen: 127.0.0.1:0
                     services: {api: {url: %s}}
                     routes:
                       - {name: api, match: {paths: [/api]}, service: api}
                     """.formatted(upstream.url()));
             RawClient client = gw.raw()) {
            client.send("GET /api HTTP/1.1\r\nHost: x\r\nX-Consumer-Name: admin\r\nx-consumer-groups: admins\r\n"
                    + "X_Consumer_Id: 1\r\nX-Other: kept\r\n\r\n").readResponse();

            RecordedRequest seen = upstream.takeRequest();
            assertThat(seen.headers().keySet()).noneMatch(h -> h.replace('_', '-').toLowerCase().startsWith("x-consumer-"));
            assertThat(seen.header("x-other")).isEqualTo("kept");
        }
    }
}
