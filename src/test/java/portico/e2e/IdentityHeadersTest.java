package portico.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;
import portico.config.ConfigException;
import portico.config.ConfigLoader;
import portico.config.GatewayConfig;
import portico.config.PluginSpec;
import portico.plugin.jwt.JwtPlugin;
import portico.testing.FakeUpstream;
import portico.testing.GatewayUnderTest;
import portico.testing.RawClient;
import portico.testing.RawResponse;
import portico.testing.RecordedRequest;
import portico.testing.Tokens;

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

    @Test
    void aFramingHeaderNamedInClaimsToHeadersIsNeitherStrippedNorSetEvenPastCheck() {
        try (FakeUpstream upstream = FakeUpstream.start().respond("/", 200, "{}")) {
            GatewayConfig checked = valid("""
                    version: 1
                    listen: 127.0.0.1:0
                    services: {api: {url: %s}}
                    consumers:
                      web: {jwt: {issuer: web, secret: %s}}
                    routes:
                      - {name: open, match: {paths: [/open]}, service: api, plugins: {jwt: off}}
                      - {name: a, match: {paths: [/a]}, service: api}
                    plugins:
                      jwt: {claims_to_headers: {sub: X-User-Id}}
                    """.formatted(upstream.url(), SECRET));
            // check refuses these names; a config built another way must still not strip or set them.
            GatewayConfig forced = withClaimsToHeaders(checked, Map.of("sub", "X-User-Id", "cl", "Content-Length",
                    "te", "Transfer-Encoding", "h", "X-Forwarded-For"));
            try (GatewayUnderTest gw = GatewayUnderTest.start(forced); RawClient client = gw.raw()) {
                String smuggled = "GET /admin/delete-everything HTTP/1.1\r\nHost: x\r\n\r\n";
                RawResponse res = client.send("POST /open HTTP/1.1\r\nHost: x\r\nContent-Length: " + smuggled.length()
                        + "\r\n\r\n" + smuggled).readResponse();

                assertThat(res.status()).isEqualTo(200);
                RecordedRequest seen = upstream.takeRequest();
                assertThat(seen.path()).isEqualTo("/open");
                assertThat(seen.bodyText()).isEqualTo(smuggled);

                String token = Tokens.hs256(SECRET, Tokens.claims(java.time.Clock.systemUTC(), "web", "42")
                        .claim("cl", "0").claim("te", "chunked").claim("h", "10.9.9.9").build());
                client.send("GET /a HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + token + "\r\n\r\n").readResponse();
                RecordedRequest authenticated = upstream.takeRequest();
                assertThat(authenticated.header("X-User-Id")).isEqualTo("42");
                assertThat(authenticated.headers().keySet()).noneMatch(h -> h.equalsIgnoreCase("Transfer-Encoding"));
                assertThat(authenticated.header("X-Forwarded-For")).isEqualTo("127.0.0.1");
                assertThat(upstream.recorded()).as("no second request hidden in a body").isEmpty();
            }
        }
    }

    private static final String SECRET = "web-secret-that-is-at-least-32-bytes-long";

    private static GatewayConfig valid(String yaml) {
        try {
            return new ConfigLoader(Map.of()).parse("test.yaml", yaml).orThrow();
        } catch (ConfigException e) {
            throw new AssertionError(e.getMessage(), e);
        }
    }

    private static GatewayConfig withClaimsToHeaders(GatewayConfig c, Map<String, String> mapping) {
        PluginSpec spec = c.plugins().get("jwt");
        JwtPlugin.Config j = (JwtPlugin.Config) spec.settings();
        JwtPlugin.Config forced = new JwtPlugin.Config(j.algorithms(), j.issuer(), j.audience(), j.jwksUrl(), j.jwksRefresh(),
                j.jwksMinInterval(), j.publicKey(), j.keyClaim(), j.consumerClaim(), j.clockSkew(), j.requiredClaims(), j.scopes(),
                j.roles(), j.roleClaim(), j.cookie(), j.query(), mapping, j.anonymous());
        Map<String, PluginSpec> plugins = new java.util.HashMap<>(c.plugins());
        plugins.put("jwt", new PluginSpec("jwt", forced, false, spec.mark()));
        return new GatewayConfig(c.source(), c.listen(), c.trustedProxies(), c.limits(), c.shutdownGrace(), c.cluster(), c.services(),
                c.routes(), c.consumers(), plugins);
    }
}
