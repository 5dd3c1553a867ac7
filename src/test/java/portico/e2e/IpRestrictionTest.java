package portico.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import portico.testing.FakeUpstream;
import portico.testing.GatewayUnderTest;
import portico.testing.ProblemJson;
import portico.testing.RawClient;
import portico.testing.RawResponse;

/**
 * {@code ip_restriction} judges the client address as resolved through {@code trusted_proxies}:
 * behind a trusted proxy, the X-Forwarded-For client; from an untrusted peer, the peer itself,
 * whatever X-Forwarded-For it sends.
 */
class IpRestrictionTest {
    private static final String ROUTES = """
            routes:
              - {name: office, match: {paths: [/office]}, service: api, plugins: {ip_restriction: {allow: [10.0.0.0/8]}}}
              - {name: open, match: {paths: [/open]}, service: api, plugins: {ip_restriction: {deny: [10.6.6.0/24, 192.0.2.1]}}}
              - {name: mixed, match: {paths: [/mixed]}, service: api, plugins: {ip_restriction: {allow: [10.0.0.0/8], deny: [10.6.6.0/24]}}}
            """;

    private static RawResponse get(GatewayUnderTest gw, String path, String forwardedFor) {
        try (RawClient c = gw.raw()) {
            return c.send("GET " + path + " HTTP/1.1\r\nHost: x\r\n"
                    + (forwardedFor == null ? "" : "X-Forwarded-For: " + forwardedFor + "\r\n") + "\r\n").readResponse();
        }
    }

    @Test
    void behindATrustedProxyTheForwardedClientIsJudged() {
        try (FakeUpstream upstream = FakeUpstream.start();
             GatewayUnderTest gw = GatewayUnderTest.start("""
                     version: 1
                     listen: 127.0.0.1:0
                     trusted_proxies: [127.0.0.1/32]
                     services: {api: {url: %s}}
                     """.formatted(upstream.url()) + ROUTES)) {
            assertThat(get(gw, "/office", "10.1.2.3").status()).isEqualTo(200);
            assertThat(get(gw, "/office", "203.0.113.9").status()).isEqualTo(403);
            assertThat(get(gw, "/office", "10.1.2.3, 203.0.113.9").status()).as("the rightmost untrusted hop").isEqualTo(403);
            assertThat(get(gw, "/open", "10.6.6.7").status()).isEqualTo(403);
            assertThat(get(gw, "/open", "192.0.2.1").status()).isEqualTo(403);
            assertThat(get(gw, "/open", "192.0.2.2").status()).isEqualTo(200);
            assertThat(get(gw, "/mixed", "10.6.6.7").status()).as("deny wins").isEqualTo(403);
            assertThat(get(gw, "/mixed", "10.7.0.1").status()).isEqualTo(200);

            RawResponse refused = get(gw, "/office", "203.0.113.9");
            assertThat(ProblemJson.of(refused).detail()).isEqualTo("the client address 203.0.113.9 is not allowed on this route");
        }
    }

    @Test
    void anUntrustedPeerCannotPassForAnotherAddress() {
        try (FakeUpstream upstream = FakeUpstream.start();
             GatewayUnderTest gw = GatewayUnderTest.start("""
                     version: 1
                     listen: 127.0.0.1:0
                     services: {api: {url: %s}}
                     """.formatted(upstream.url()) + ROUTES)) {
            assertThat(get(gw, "/office", "10.1.2.3").status()).as("the peer 127.0.0.1 is judged").isEqualTo(403);
            assertThat(get(gw, "/open", "10.6.6.7").status()).as("a spoofed denied address changes nothing either").isEqualTo(200);
            assertThat(upstream.requestCount()).isEqualTo(1);
        }
    }
}
