package portico.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jwt.JWTClaimsSet;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import portico.testing.FakeUpstream;
import portico.testing.GatewayUnderTest;
import portico.testing.RecordedRequest;
import portico.testing.Tokens;

/**
 * The attack table: every token an attacker could forge or replay is refused with 401 and never
 * reaches the service. Three kinds of route: a consumer's HS256 secret (/api), a static RSA key
 * (/rsa) and a JWKS with two keys (/jwks); each route also takes a valid token, so the refusals
 * are not an accident of configuration.
 */
class JwtAttackTest {
    static final String SECRET = "shop-web-secret-that-is-at-least-32-bytes";
    static final String OTHER_SECRET = "another-consumers-secret-of-32-bytes-or-more";
    static final String IDP = "https://idp.example";
    static final Clock CLOCK = Clock.systemUTC();
    static final RSAKey RSA = Tokens.rsaKey("rsa-1");
    static final RSAKey K1 = Tokens.rsaKey("k1");
    static final RSAKey K2 = Tokens.rsaKey("k2");
    static final ECKey STRANGER = Tokens.ecKey("k1");

    static FakeUpstream upstream;
    static FakeUpstream jwksServer;
    static GatewayUnderTest gw;

    @BeforeAll
    static void start() {
        upstream = FakeUpstream.start();
        jwksServer = FakeUpstream.start().handle("/jwks", (req, res) -> res.header("Content-Type", "application/json")
                .body(new JWKSet(List.of(K1.toPublicJWK(), K2.toPublicJWK())).toString()));
        gw = GatewayUnderTest.start("""
                version: 1
                listen: 127.0.0.1:0
                services: {api: {url: %s}}
                consumers:
                  shop-web:
                    jwt: {issuer: shop-web, secret: %s}
                  other:
                    jwt: {issuer: other, secret: %s}
                routes:
                  - name: api
                    match: {paths: [/api]}
                    service: api
                    plugins:
                      jwt: {claims_to_headers: {sub: X-User-Id}}
                  - name: rsa
                    match: {paths: [/rsa]}
                    service: api
                    plugins:
                      jwt:
                        issuer: %s
                        audience: orders-api
                        public_key: |
                %s
                  - name: jwks
                    match: {paths: [/jwks]}
                    service: api
                    plugins:
                      jwt: {issuer: %s, jwks_url: %s/jwks}
                """.formatted(upstream.url(), SECRET, OTHER_SECRET, IDP, Tokens.pem(Tokens.publicKey(RSA), " ".repeat(12)),
                IDP, jwksServer.url()));
    }

    @BeforeEach
    void forgetEarlierRequests() {
        for (int i = upstream.recorded().size(); i > 0; i--) upstream.takeRequest();
    }

    @AfterAll
    static void stop() {
        if (gw != null) gw.close();
        if (upstream != null) upstream.close();
        if (jwksServer != null) jwksServer.close();
    }

    static JWTClaimsSet.Builder idp() {
        return Tokens.claims(CLOCK, IDP, "u-1").audience("orders-api");
    }

    static JWTClaimsSet.Builder shop() {
        return Tokens.claims(CLOCK, "shop-web", "42");
    }

    static String noneToken(JWTClaimsSet claims) {
        return Tokens.b64("{\"alg\":\"none\",\"typ\":\"JWT\"}") + "." + Tokens.b64(claims.toString()) + ".";
    }

    static Stream<Arguments> attacks() {
        Instant now = CLOCK.instant();
        String pemOfRsa = Tokens.pem(Tokens.publicKey(RSA), "");
        return Stream.of(
                Arguments.of("alg none on a secret route", "/api", noneToken(shop().build())),
                Arguments.of("alg none on a public-key route", "/rsa", noneToken(idp().build())),
                Arguments.of("alg none with an empty signature and kid", "/jwks",
                        Tokens.b64("{\"alg\":\"none\",\"kid\":\"k1\"}") + "." + Tokens.b64(idp().build().toString()) + "."),
                Arguments.of("HS256 signed with the RSA public key's PEM", "/rsa",
                        Tokens.sign(new JWSHeader(JWSAlgorithm.HS256), idp().build(), Tokens.mac(pemOfRsa.getBytes(StandardCharsets.US_ASCII)))),
                Arguments.of("HS256 signed with the RSA public key's DER", "/rsa",
                        Tokens.sign(new JWSHeader(JWSAlgorithm.HS256), idp().build(), Tokens.mac(Tokens.publicKey(RSA).getEncoded()))),
                Arguments.of("HS256 with a JWKS kid, signed with that key's DER", "/jwks",
                        Tokens.sign(new JWSHeader.Builder(JWSAlgorithm.HS256).keyID("k1").build(), idp().build(),
                                Tokens.mac(Tokens.publicKey(K1).getEncoded()))),
                Arguments.of("expired", "/api", Tokens.hs256(SECRET, shop()
                        .issueTime(Date.from(now.minusSeconds(3600))).expirationTime(Date.from(now.minusSeconds(600))).build())),
                Arguments.of("not yet valid", "/api", Tokens.hs256(SECRET, shop().notBeforeTime(Date.from(now.plusSeconds(600))).build())),
                Arguments.of("wrong issuer on the static key", "/rsa", Tokens.rs256(RSA, Tokens.claims(CLOCK, "https://evil.example", "u-1")
                        .audience("orders-api").build())),
                Arguments.of("wrong issuer on the JWKS", "/jwks", Tokens.rs256(K1, Tokens.claims(CLOCK, "https://evil.example", "u-1").build())),
                Arguments.of("wrong audience", "/rsa", Tokens.rs256(RSA, idp().audience("billing-api").build())),
                Arguments.of("tampered payload, HS256", "/api", Tokens.tampered(Tokens.hs256(SECRET, shop().build()), c -> {
                    c.put("sub", "1");
                    return c;
                })),
                Arguments.of("tampered payload, RS256", "/rsa", Tokens.tampered(Tokens.rs256(RSA, idp().build()), c -> {
                    c.put("sub", "admin");
                    return c;
                })),
                Arguments.of("signed by another consumer's secret as shop-web", "/api", Tokens.hs256(OTHER_SECRET, shop().build())),
                Arguments.of("missing kid while the JWKS has several keys", "/jwks",
                        Tokens.sign(new JWSHeader(JWSAlgorithm.RS256), idp().build(), Tokens.rsa(K1))),
                Arguments.of("a kid the issuer never published", "/jwks",
                        Tokens.sign(new JWSHeader.Builder(JWSAlgorithm.RS256).keyID("k9").build(), idp().build(), Tokens.rsa(RSA))),
                Arguments.of("ES256 under a JWKS kid that is RSA", "/jwks", Tokens.es256(STRANGER, idp().build())),
                Arguments.of("a JWKS kid signed by a different key", "/jwks",
                        Tokens.sign(new JWSHeader.Builder(JWSAlgorithm.RS256).keyID("k1").build(), idp().build(), Tokens.rsa(K2))),
                Arguments.of("not a JWT at all", "/api", "not-a.jwt"),
                Arguments.of("an encrypted-looking five-part token", "/api", "eyJhbGciOiJSU0EtT0FFUCIsImVuYyI6IkEyNTZHQ00ifQ.a.b.c.d"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("attacks")
    void isRefusedWith401AndNeverReachesTheService(String attack, String path, String token) {
        int before = upstream.requestCount();

        HttpResponse<String> res = gw.send(HttpRequest.newBuilder(gw.uri(path + "/x")).header("Authorization", "Bearer " + token).build());

        assertThat(res.statusCode()).as(attack).isEqualTo(401);
        assertThat(res.headers().firstValue("WWW-Authenticate")).as(attack)
                .hasValueSatisfying(v -> assertThat(v).startsWith("Bearer realm=\"portico\", error=\"invalid_token\""));
        assertThat(res.body()).doesNotContain(SECRET).doesNotContain("BEGIN PUBLIC KEY");
        assertThat(upstream.requestCount()).as(attack).isEqualTo(before);
    }

    @Test
    void everyRouteTakesAValidToken() {
        for (Map.Entry<String, String> valid : Map.of(
                "/api", Tokens.hs256(SECRET, shop().build()),
                "/rsa", Tokens.rs256(RSA, idp().build()),
                "/jwks", Tokens.rs256(K2, idp().build())).entrySet()) {
            HttpResponse<String> res = gw.send(HttpRequest.newBuilder(gw.uri(valid.getKey() + "/x"))
                    .header("Authorization", "Bearer " + valid.getValue()).build());
            assertThat(res.statusCode()).as(valid.getKey()).isEqualTo(200);
        }
    }

    @Test
    void aTokenInTheQueryStringIsIgnoredWhenOnlyTheHeaderIsAllowed() {
        String valid = Tokens.hs256(SECRET, shop().build());

        HttpResponse<String> res = gw.get("/api/x?access_token=" + valid + "&jwt=" + valid);

        assertThat(res.statusCode()).isEqualTo(401);
        assertThat(res.headers().firstValue("WWW-Authenticate")).hasValue("Bearer realm=\"portico\"");
    }

    @Test
    void identityHeadersSentByTheClientNeverReachTheService() {
        String valid = Tokens.hs256(SECRET, shop().build());

        gw.send(HttpRequest.newBuilder(gw.uri("/api/x")).header("Authorization", "Bearer " + valid)
                .header("X-User-Id", "1").header("X-Consumer-Name", "admin").header("X-Consumer-Groups", "admins").build());

        RecordedRequest seen = upstream.takeRequest();
        assertThat(seen.headers("X-User-Id")).containsExactly("42");
        assertThat(seen.headers("X-Consumer-Name")).containsExactly("shop-web");
        assertThat(seen.headers("X-Consumer-Groups")).isEmpty();
    }

    @Test
    void twoAuthorizationHeadersAre400WhicheverComesFirst() {
        String valid = Tokens.hs256(SECRET, shop().build());
        for (String[] order : new String[][] {{valid, "forged"}, {"forged", valid}}) {
            try (portico.testing.RawClient client = gw.raw()) {
                portico.testing.RawResponse res = client.send("GET /api/x HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + order[0]
                        + "\r\nAuthorization: Bearer " + order[1] + "\r\n\r\n").readResponse();

                assertThat(res.status()).isEqualTo(400);
                assertThat(portico.testing.ProblemJson.of(res).detail()).isEqualTo("more than one Authorization header");
            }
        }
        assertThat(upstream.recorded()).isEmpty();
    }
}
