package portico.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jwt.JWTClaimsSet;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.security.KeyPair;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import portico.testing.FakeClock;
import portico.testing.FakeUpstream;
import portico.testing.GatewayUnderTest;
import portico.testing.ProblemJson;
import portico.testing.RecordedRequest;
import portico.testing.Tokens;

/**
 * The jwt plugin end to end: tokens minted here with nimbus (HS256 by a consumer's secret, ES256
 * by a consumer's public key, RS256 and EdDSA by the plugin's static key) are verified at the
 * gateway, their claims reach the service as headers, and time is the injected clock's.
 */
class JwtTest {
    static final String SECRET = "shop-web-secret-that-is-at-least-32-bytes";
    private final FakeClock clock = FakeClock.now();
    private static final ECKey partnerKey = Tokens.ecKey("partner-1");
    private static final RSAKey idpKey = Tokens.rsaKey("idp-1");
    private static final KeyPair edKey = Tokens.ed25519Key();
    private FakeUpstream upstream;
    private GatewayUnderTest gw;

    @BeforeEach
    void start() {
        upstream = FakeUpstream.start();
        gw = GatewayUnderTest.start("""
                version: 1
                listen: 127.0.0.1:0
                services: {api: {url: %s}}
                consumers:
                  shop-web:
                    groups: [customers, web]
                    jwt: {issuer: shop-web, secret: ${SHOP_SECRET}}
                  partner:
                    jwt:
                      issuer: partner
                      algorithm: ES256
                      public_key: |
                %s
                routes:
                  - name: api
                    match: {paths: [/api]}
                    service: api
                    plugins:
                      jwt: {claims_to_headers: {sub: X-User-Id, role: X-User-Role}}
                  - name: public
                    match: {paths: [/public]}
                    service: api
                  - name: idp
                    match: {paths: [/idp]}
                    service: api
                    plugins:
                      jwt:
                        issuer: https://idp.example
                        audience: [orders-api]
                        claims_to_headers: {sub: X-User-Id}
                        public_key: |
                %s
                  - name: ed
                    match: {paths: [/ed]}
                    service: api
                    plugins:
                      jwt:
                        public_key: |
                %s
                  - name: admin
                    match: {paths: [/admin]}
                    service: api
                    plugins:
                      jwt: {roles: [admin], scopes: [orders:write]}
                  - name: browser
                    match: {paths: [/browser]}
                    service: api
                    plugins:
                      jwt: {cookie: session, query: access_token}
                """.formatted(upstream.url(), Tokens.pem(Tokens.publicKey(partnerKey), " ".repeat(12)),
                        Tokens.pem(Tokens.publicKey(idpKey), " ".repeat(12)), Tokens.pem(edKey.getPublic(), " ".repeat(12))),
                Map.of("SHOP_SECRET", SECRET), clock, clock.ticker());
    }

    @AfterEach
    void stop() {
        if (gw != null) gw.close();
        if (upstream != null) upstream.close();
    }

    private HttpResponse<String> get(String path, String token, String... headers) {
        HttpRequest.Builder b = HttpRequest.newBuilder(gw.uri(path));
        if (token != null) b.header("Authorization", "Bearer " + token);
        if (headers.length > 0) b.headers(headers);
        return gw.send(b.build());
    }

    private String shopToken(String subject) {
        return Tokens.hs256(SECRET, Tokens.claims(clock, "shop-web", subject).claim("role", "customer").build());
    }

    @Test
    void aConsumersHs256TokenPassesAndItsClaimsReachTheServiceAsHeaders() {
        HttpResponse<String> res = get("/api/orders", shopToken("42"));

        assertThat(res.statusCode()).isEqualTo(200);
        RecordedRequest seen = upstream.takeRequest();
        assertThat(seen.header("X-User-Id")).isEqualTo("42");
        assertThat(seen.header("X-User-Role")).isEqualTo("customer");
        assertThat(seen.header("X-Consumer-Name")).isEqualTo("shop-web");
        assertThat(seen.header("X-Consumer-Groups")).isEqualTo("customers, web");
    }

    @Test
    void claimHeadersSentByTheClientAreReplacedOrRemovedOnEveryRoute() {
        get("/api/orders", shopToken("42"), "X-User-Id", "1", "x_user_role", "admin");
        RecordedRequest authenticated = upstream.takeRequest();
        assertThat(authenticated.headers("X-User-Id")).containsExactly("42");
        assertThat(authenticated.headers().keySet()).doesNotContain("x_user_role");
        assertThat(authenticated.header("X-User-Role")).isEqualTo("customer");

        get("/public/info", null, "X-User-Id", "1", "X-User-Role", "admin");
        RecordedRequest open = upstream.takeRequest();
        assertThat(open.header("X-User-Id")).isNull();
        assertThat(open.header("X-User-Role")).isNull();
    }

    @Test
    void noTokenIs401WithABearerChallengeAsProblemJson() {
        HttpResponse<String> res = get("/api/orders", null);

        assertThat(res.statusCode()).isEqualTo(401);
        assertThat(res.headers().allValues("WWW-Authenticate")).containsExactly("Bearer realm=\"portico\"");
        assertThat(ProblemJson.of(res).type()).isEqualTo("urn:portico:error:unauthenticated");
        assertThat(upstream.requestCount()).isZero();
    }

    @Test
    void aBadTokenIs401WithInvalidTokenAndAReasonThatNamesNoKey() {
        HttpResponse<String> res = get("/api/orders", Tokens.hs256("another-secret-that-is-at-least-32-bytes", Tokens.claims(clock, "shop-web", "42").build()));

        assertThat(res.statusCode()).isEqualTo(401);
        assertThat(res.headers().firstValue("WWW-Authenticate")).hasValue(
                "Bearer realm=\"portico\", error=\"invalid_token\", error_description=\"the token's signature does not verify\"");
        assertThat(res.body()).doesNotContain(SECRET).contains("the token's signature does not verify");
    }

    @Test
    void anEs256TokenIsVerifiedWithTheConsumersPublicKey() {
        HttpResponse<String> res = get("/api/x", Tokens.es256(partnerKey, Tokens.claims(clock, "partner", "p-7").build()));

        assertThat(res.statusCode()).isEqualTo(200);
        assertThat(upstream.takeRequest().header("X-Consumer-Name")).isEqualTo("partner");
    }

    @Test
    void anRs256TokenIsVerifiedWithTheStaticKeyAndNeedsTheIssuerAndAudience() {
        JWTClaimsSet good = Tokens.claims(clock, "https://idp.example", "u-1").audience(List.of("orders-api", "other")).build();
        assertThat(get("/idp/x", Tokens.rs256(idpKey, good)).statusCode()).isEqualTo(200);
        RecordedRequest seen = upstream.takeRequest();
        assertThat(seen.header("X-User-Id")).isEqualTo("u-1");
        assertThat(seen.header("X-Consumer-Name")).as("a token of no configured consumer").isNull();

        HttpResponse<String> noAudience = get("/idp/x", Tokens.rs256(idpKey, Tokens.claims(clock, "https://idp.example", "u-1").build()));
        assertThat(noAudience.statusCode()).isEqualTo(401);
    }

    @Test
    void anEdDsaTokenIsVerifiedWithAnEd25519Key() {
        assertThat(get("/ed/x", Tokens.eddsa(edKey, Tokens.claims(clock, "anyone", "e-1").build())).statusCode()).isEqualTo(200);
        KeyPair other = Tokens.ed25519Key();
        assertThat(get("/ed/x", Tokens.eddsa(other, Tokens.claims(clock, "anyone", "e-1").build())).statusCode()).isEqualTo(401);
    }

    @Test
    void expiryIsJudgedByTheInjectedClockWithTheClockSkew() {
        String token = Tokens.hs256(SECRET, Tokens.claims(clock, "shop-web", "42")
                .expirationTime(Date.from(clock.instant().plusSeconds(60))).build());
        assertThat(get("/api/x", token).statusCode()).isEqualTo(200);

        clock.advance(Duration.ofSeconds(100));  // expired 40s ago: within the default 60s skew
        assertThat(get("/api/x", token).statusCode()).isEqualTo(200);

        clock.advance(Duration.ofSeconds(30));  // expired 70s ago
        HttpResponse<String> late = get("/api/x", token);
        assertThat(late.statusCode()).isEqualTo(401);
        assertThat(ProblemJson.of(late).detail()).isEqualTo("the token has expired");
    }

    @Test
    void aTokenWithoutExpIsRefusedByDefault() {
        JWTClaimsSet noExp = new JWTClaimsSet.Builder().issuer("shop-web").subject("42").issueTime(Date.from(clock.instant())).build();

        HttpResponse<String> res = get("/api/x", Tokens.hs256(SECRET, noExp));

        assertThat(res.statusCode()).isEqualTo(401);
        assertThat(ProblemJson.of(res).detail()).isEqualTo("the token lacks a required claim");
    }

    @Test
    void aValidTokenWithoutTheRoleOrScopeIs403InsufficientScope() {
        String customer = Tokens.hs256(SECRET, Tokens.claims(clock, "shop-web", "42").claim("role", "customer")
                .claim("scope", "orders:read orders:write").build());
        String admin = Tokens.hs256(SECRET, Tokens.claims(clock, "shop-web", "1").claim("role", "admin")
                .claim("scope", "orders:read orders:write").build());
        String adminWithoutScope = Tokens.hs256(SECRET, Tokens.claims(clock, "shop-web", "1").claim("role", List.of("admin")).build());

        HttpResponse<String> refused = get("/admin/x", customer);
        assertThat(refused.statusCode()).isEqualTo(403);
        assertThat(refused.headers().firstValue("WWW-Authenticate")).hasValueSatisfying(v -> assertThat(v).contains("insufficient_scope"));
        assertThat(get("/admin/x", admin).statusCode()).isEqualTo(200);
        assertThat(get("/admin/x", adminWithoutScope).statusCode()).isEqualTo(403);
    }

    @Test
    void aTokenInTheConfiguredCookieOrQueryIsAcceptedAndRemovedBeforeForwarding() {
        String token = shopToken("42");

        assertThat(get("/browser/a", null, "Cookie", "theme=dark; session=" + token + "; lang=en").statusCode()).isEqualTo(200);
        assertThat(upstream.takeRequest().header("Cookie")).isEqualTo("theme=dark; lang=en");

        assertThat(get("/browser/b?x=1&access_token=" + token + "&y=%2F", null).statusCode()).isEqualTo(200);
        assertThat(upstream.takeRequest().target()).isEqualTo("/browser/b?x=1&y=%2F");
    }

    @Test
    void theAuthorizationHeaderItselfStillReachesTheService() {
        String token = shopToken("42");
        get("/api/x", token);
        assertThat(upstream.takeRequest().header("Authorization")).isEqualTo("Bearer " + token);
    }

    @Test
    void aTokenIssuedInTheFutureIsRefused() {
        Instant later = clock.instant().plusSeconds(600);
        String token = Tokens.hs256(SECRET, new JWTClaimsSet.Builder().issuer("shop-web").subject("42")
                .issueTime(Date.from(later)).expirationTime(Date.from(later.plusSeconds(600))).build());

        HttpResponse<String> res = get("/api/x", token);

        assertThat(res.statusCode()).isEqualTo(401);
        assertThat(ProblemJson.of(res).detail()).isEqualTo("the token was issued in the future");
    }

    @Test
    void twoTokensInTheQueryAre401WhicheverIsValid() {
        String token = shopToken("42");

        HttpResponse<String> res = get("/browser/b?access_token=" + token + "&access_token=forged", null);

        assertThat(res.statusCode()).isEqualTo(401);
        assertThat(ProblemJson.of(res).detail()).isEqualTo("the query carries more than one token");
        assertThat(upstream.recorded()).isEmpty();
    }
}
