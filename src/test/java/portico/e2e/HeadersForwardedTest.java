package portico.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import portico.testing.FakeUpstream;
import portico.testing.GatewayUnderTest;
import portico.testing.RawClient;
import portico.testing.RecordedRequest;

/**
 * What the upstream learns about the client (CONTRACT section 5, "Client address"): the gateway
 * says who connected, how and to which host; only a trusted proxy may add to that story, and
 * {@code Host} names the target unless the route preserves it.
 */
class HeadersForwardedTest {
    private static final String SPOOFED = "X-Forwarded-For: 203.0.113.9\r\n"
            + "Forwarded: for=203.0.113.9;proto=https\r\n"
            + "X-Real-IP: 203.0.113.9\r\n"
            + "X-Forwarded-Proto: https\r\n"
            + "X-Forwarded-Host: evil.example\r\n"
            + "X-Forwarded-Port: 443\r\n"
            + "X-Forwarded-Prefix: /evil\r\n";

    private static String config(FakeUpstream upstream, String extra) {
        return """
                version: 1
                listen: 127.0.0.1:0
                %s
                services: {api: {url: %s}}
                routes:
                  - {name: api, match: {paths: [/api]}, service: api}
                  - {name: kept-host, match: {paths: [/kept]}, service: api, preserve_host: true}
                """.formatted(extra, upstream.url());
    }

    private static RecordedRequest forward(GatewayUnderTest gw, FakeUpstream upstream, String head) {
        try (RawClient client = gw.raw()) {
            assertThat(client.send(head).readResponse().status()).isEqualTo(200);
            return upstream.takeRequest();
        }
    }

    @Test
    void upstreamLearnsThePeerTheSchemeAndTheHost() {
        try (FakeUpstream upstream = FakeUpstream.start();
             GatewayUnderTest gw = GatewayUnderTest.start(config(upstream, ""))) {
            RecordedRequest seen = forward(gw, upstream, "GET /api HTTP/1.1\r\nHost: shop.example:8080\r\n\r\n");

            assertThat(seen.headers("x-forwarded-for")).containsExactly("127.0.0.1");
            assertThat(seen.headers("x-forwarded-proto")).containsExactly("http");
            assertThat(seen.headers("x-forwarded-host")).containsExactly("shop.example:8080");
            assertThat(seen.headers("host")).containsExactly("127.0.0.1:" + upstream.port());
        }
    }

    @Test
    void untrustedPeersForwardingClaimsAreDiscarded() {
        try (FakeUpstream upstream = FakeUpstream.start();
             GatewayUnderTest gw = GatewayUnderTest.start(config(upstream, ""))) {
            RecordedRequest seen = forward(gw, upstream, "GET /api HTTP/1.1\r\nHost: shop.example\r\n" + SPOOFED + "\r\n");

            assertThat(seen.headers("x-forwarded-for")).containsExactly("127.0.0.1");
            assertThat(seen.headers("x-forwarded-proto")).containsExactly("http");
            assertThat(seen.headers("x-forwarded-host")).containsExactly("shop.example");
            assertThat(seen.headers().keySet()).doesNotContain("forwarded", "x-real-ip", "x-forwarded-port", "x-forwarded-prefix");
        }
    }

    @Test
    void untrustedPeerCannotSneakXffInThroughCaseOrRepetition() {
        try (FakeUpstream upstream = FakeUpstream.start();
             GatewayUnderTest gw = GatewayUnderTest.start(config(upstream, ""))) {
            RecordedRequest seen = forward(gw, upstream,
                    "GET /api HTTP/1.1\r\nHost: x\r\nx-forwarded-for: 10.0.0.1\r\nX-FORWARDED-FOR: 10.0.0.2\r\n\r\n");

            assertThat(seen.headers("x-forwarded-for")).containsExactly("127.0.0.1");
        }
    }

    @Test
    void trustedProxysChainIsKeptAndThePeerAppended() {
        try (FakeUpstream upstream = FakeUpstream.start();
             GatewayUnderTest gw = GatewayUnderTest.start(config(upstream, "trusted_proxies: [127.0.0.1/32]"))) {
            RecordedRequest seen = forward(gw, upstream, "GET /api HTTP/1.1\r\nHost: x\r\n"
                    + "X-Forwarded-For: 203.0.113.9, 10.1.1.1\r\nX-Forwarded-For: 10.2.2.2\r\n"
                    + "X-Forwarded-Proto: https\r\nX-Forwarded-Host: shop.example\r\nX-Real-IP: 203.0.113.9\r\n\r\n");

            assertThat(seen.headers("x-forwarded-for")).containsExactly("203.0.113.9, 10.1.1.1, 10.2.2.2, 127.0.0.1");
            assertThat(seen.headers("x-forwarded-proto")).containsExactly("https");
            assertThat(seen.headers("x-forwarded-host")).containsExactly("shop.example");
            assertThat(seen.headers("x-real-ip")).containsExactly("203.0.113.9");
        }
    }

    @Test
    void trustedProxyWithoutAChainIsJustThePeer() {
        try (FakeUpstream upstream = FakeUpstream.start();
             GatewayUnderTest gw = GatewayUnderTest.start(config(upstream, "trusted_proxies: [127.0.0.1/32]"))) {
            RecordedRequest seen = forward(gw, upstream, "GET /api HTTP/1.1\r\nHost: x\r\n\r\n");

            assertThat(seen.headers("x-forwarded-for")).containsExactly("127.0.0.1");
            assertThat(seen.headers("x-forwarded-proto")).containsExactly("http");
        }
    }

    @Test
    void trustingAnotherNetworkDoesNotTrustThisPeer() {
        try (FakeUpstream upstream = FakeUpstream.start();
             GatewayUnderTest gw = GatewayUnderTest.start(config(upstream, "trusted_proxies: [10.0.0.0/8]"))) {
            RecordedRequest seen = forward(gw, upstream, "GET /api HTTP/1.1\r\nHost: x\r\n" + SPOOFED + "\r\n");

            assertThat(seen.headers("x-forwarded-for")).containsExactly("127.0.0.1");
            assertThat(seen.headers().keySet()).doesNotContain("forwarded", "x-real-ip");
        }
    }

    @Test
    void preserveHostSendsTheClientsHost() {
        try (FakeUpstream upstream = FakeUpstream.start();
             GatewayUnderTest gw = GatewayUnderTest.start(config(upstream, ""))) {
            RecordedRequest seen = forward(gw, upstream, "GET /kept HTTP/1.1\r\nHost: shop.example:8080\r\n\r\n");

            assertThat(seen.headers("host")).containsExactly("shop.example:8080");
            assertThat(seen.headers("x-forwarded-host")).containsExactly("shop.example:8080");
        }
    }
}
