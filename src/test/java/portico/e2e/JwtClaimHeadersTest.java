package portico.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import portico.testing.FakeUpstream;
import portico.testing.GatewayUnderTest;
import portico.testing.ProblemJson;
import portico.testing.RecordedRequest;
import portico.testing.Tokens;

/**
 * What a service learns from claims_to_headers is exactly the claim, or the token is refused: a
 * value a header cannot carry (outside printable ASCII, CR, LF, NUL, spaces at the ends) is a 401,
 * never a '?' that two users share or a header silently left out; a required claim that is null
 * counts as missing. /api maps sub and role; /strict also requires sub.
 */
class JwtClaimHeadersTest {
    static final String SECRET = "shop-web-secret-that-is-at-least-32-bytes";
    static final Clock CLOCK = Clock.systemUTC();
    static FakeUpstream upstream;
    static GatewayUnderTest gw;

    @BeforeAll
    static void start() {
        upstream = FakeUpstream.start();
        gw = GatewayUnderTest.start("""
                version: 1
                listen: 127.0.0.1:0
                services: {api: {url: %s}}
                consumers:
                  shop-web: {jwt: {issuer: shop-web, secret: %s}}
                  partner: {api_keys: [partner-key-0123456789abcdef]}
                routes:
                  - name: api
                    match: {paths: [/api]}
                    service: api
                    plugins: {jwt: {claims_to_headers: {sub: X-User-Id, role: X-User-Role}}}
                  - name: strict
                    match: {paths: [/strict]}
                    service: api
                    plugins: {jwt: {required_claims: [exp, sub], claims_to_headers: {sub: X-User-Id}}}
                  - name: either
                    match: {paths: [/either]}
                    service: api
                    plugins: {jwt: {claims_to_headers: {sub: X-User-Id, role: X-User-Role}}, key_auth: {}}
                """.formatted(upstream.url(), SECRET));
    }

    @AfterAll
    static void stop() {
        if (gw != null) gw.close();
        if (upstream != null) upstream.close();
    }

    @BeforeEach
    void forgetEarlierRequests() {
        for (int i = upstream.recorded().size(); i > 0; i--) upstream.takeRequest();
    }

    private static HttpResponse<String> get(String path, String token, String... headers) {
        HttpRequest.Builder b = HttpRequest.newBuilder(gw.uri(path)).header("Authorization", "Bearer " + token);
        if (headers.length > 0) b.headers(headers);
        return gw.send(b.build());
    }

    private static String tokenFor(String subject) {
        return Tokens.hs256(SECRET, Tokens.claims(CLOCK, "shop-web", subject).build());
    }

    private static String payload(String claims) {
        long now = CLOCK.instant().getEpochSecond();
        return "{\"iss\":\"shop-web\",\"iat\":" + now + "," + claims + "}";
    }

    @ParameterizedTest(name = "sub {0}")
    @ValueSource(strings = {"中", "文", "Ω", "é", "42\r\nX-Admin: 1", "42\n", "4\u00002", " 42", "42 ", "42\t"})
    void aClaimAHeaderCannotCarryExactlyRefusesTheToken(String subject) {
        HttpResponse<String> res = get("/api/orders", tokenFor(subject));

        assertThat(res.statusCode()).isEqualTo(401);
        assertThat(ProblemJson.of(res).detail()).isEqualTo(
                "the token's sub claim cannot be carried in a header (printable ASCII only, no spaces at either end)");
        assertThat(res.headers().firstValue("WWW-Authenticate").orElseThrow()).contains("error=\"invalid_token\"");
        assertThat(upstream.recorded()).isEmpty();
    }

    @Test
    void printableAsciiWithInnerSpacesPassesUnchanged() {
        assertThat(get("/api/orders", tokenFor("user 42 (ops)")).statusCode()).isEqualTo(200);

        assertThat(upstream.takeRequest().header("X-User-Id")).isEqualTo("user 42 (ops)");
    }

    @Test
    void aListClaimWhoseItemHoldsACommaIsRefusedRatherThanJoinedAmbiguously() {
        String token = Tokens.hs256(SECRET, Tokens.claims(CLOCK, "shop-web", "42").claim("role", java.util.List.of("admin, user")).build());

        assertThat(get("/api/orders", token).statusCode()).isEqualTo(401);

        String plain = Tokens.hs256(SECRET, Tokens.claims(CLOCK, "shop-web", "42").claim("role", java.util.List.of("admin", "user")).build());
        assertThat(get("/api/orders", plain).statusCode()).isEqualTo(200);
        assertThat(upstream.takeRequest().header("X-User-Role")).isEqualTo("admin, user");
    }

    @Test
    void aNullExpDoesNotMakeATokenThatNeverExpires() {
        HttpResponse<String> res = get("/api/orders", Tokens.hs256Json(SECRET, payload("\"sub\":\"42\",\"exp\":null")));

        assertThat(res.statusCode()).isEqualTo(401);
        assertThat(ProblemJson.of(res).detail()).isEqualTo("the token lacks a required claim");
        assertThat(upstream.recorded()).isEmpty();
    }

    @Test
    void aRequiredClaimThatIsNullOrEmptyCountsAsMissing() {
        long exp = CLOCK.instant().getEpochSecond() + 600;
        for (String sub : new String[] {"\"sub\":null,", "\"sub\":\"\",", ""}) {
            HttpResponse<String> res = get("/strict/orders", Tokens.hs256Json(SECRET, payload(sub + "\"exp\":" + exp)));

            assertThat(res.statusCode()).as(sub).isEqualTo(401);
            assertThat(ProblemJson.of(res).detail()).isEqualTo("the token lacks a required claim");
        }
        assertThat(upstream.recorded()).isEmpty();
    }

    @Test
    void aMappedClaimTheTokenLacksSendsNoHeaderAndTheClientsCopyStaysRemoved() {
        String noRole = tokenFor("42");

        assertThat(get("/api/orders", noRole, "X-User-Role", "admin").statusCode()).isEqualTo(200);

        RecordedRequest seen = upstream.takeRequest();
        assertThat(seen.header("X-User-Id")).isEqualTo("42");
        assertThat(seen.header("X-User-Role")).isNull();
    }

    @Test
    void aTokenRefusedForItsClaimsLeavesNoHeaderBehindForAnotherAuthenticator() {
        String badRole = Tokens.hs256(SECRET, Tokens.claims(CLOCK, "shop-web", "42").claim("role", "ad\nmin").build());

        HttpResponse<String> alone = get("/api/orders", badRole);
        assertThat(alone.statusCode()).isEqualTo(401);
        assertThat(ProblemJson.of(alone).detail()).startsWith("the token's role claim cannot be carried in a header");

        assertThat(get("/either/orders", badRole, "X-API-Key", "partner-key-0123456789abcdef").statusCode()).isEqualTo(200);
        RecordedRequest seen = upstream.takeRequest();
        assertThat(seen.header("X-Consumer-Name")).isEqualTo("partner");
        assertThat(seen.header("X-User-Id")).as("the sub of a token that was refused").isNull();
    }
}
