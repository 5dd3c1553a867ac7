package portico.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.Base64;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import portico.testing.FakeUpstream;
import portico.testing.GatewayUnderTest;
import portico.testing.ProblemJson;
import portico.testing.Tokens;

/**
 * A refused credential is told the reason that applies, not the nearest one: a token of an
 * unknown issuer is not an "algorithm" problem, a claim of the wrong type is not "not a JWT", a
 * crit header is not a bad signature; and a 401 on a route with several authentication plugins
 * carries every one's challenge.
 */
class AuthRefusalReasonsTest {
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
                  ops:
                    api_keys: [ops-key-0123456789abcdef]
                    basic_auth: {username: ops, password: "$2b$10$37XvKbWqcfSeIes1kWyF0ulKqzQifhczYNpGHRiANzJ0JoSVhrUNe"}
                routes:
                  - {name: api, match: {paths: [/api]}, service: api, plugins: {jwt: {}}}
                  - {name: ops, match: {paths: [/ops]}, service: api, plugins: {jwt: {}, key_auth: {}, basic_auth: {realm: ops}}}
                """.formatted(upstream.url(), SECRET));
    }

    @AfterAll
    static void stop() {
        if (gw != null) gw.close();
        if (upstream != null) upstream.close();
    }

    private static String payload(String claims) {
        long now = CLOCK.instant().getEpochSecond();
        return "{\"iat\":" + now + ",\"exp\":" + (now + 600) + "," + claims + "}";
    }

    static Stream<Arguments> tokens() {
        return Stream.of(
                Arguments.of("an issuer no consumer has", Tokens.hs256("some-other-secret-that-is-32-bytes-long",
                        Tokens.claims(CLOCK, "stranger", "1").build()), "the token's iss names no configured issuer"),
                Arguments.of("no iss at all", Tokens.hs256Json(SECRET, payload("\"sub\":\"1\"")),
                        "the token has no iss claim to find its key by"),
                Arguments.of("exp as text", Tokens.hs256Json(SECRET, "{\"iss\":\"shop-web\",\"exp\":\"soon\"}"),
                        "the token's exp claim has the wrong type"),
                Arguments.of("iss as a list", Tokens.hs256Json(SECRET, payload("\"iss\":[\"shop-web\",\"x\"]")),
                        "the token's iss claim has the wrong type"),
                Arguments.of("sub as an object", Tokens.hs256Json(SECRET, payload("\"iss\":\"shop-web\",\"sub\":{\"id\":1}")),
                        "the token's sub claim has the wrong type"),
                Arguments.of("a claim name twice", Tokens.hs256Json(SECRET, payload("\"iss\":\"shop-web\",\"sub\":\"1\",\"sub\":\"2\"")),
                        "the token's claims are not a JSON object with each name once"),
                Arguments.of("a crit header", Tokens.sign(new JWSHeader.Builder(JWSAlgorithm.HS256).criticalParams(Set.of("ext"))
                        .customParam("ext", 1).build(), Tokens.claims(CLOCK, "shop-web", "1").build(), Tokens.mac(SECRET.getBytes(
                                StandardCharsets.UTF_8))), "the token's crit header names extensions the gateway does not process"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("tokens")
    void aRefusedTokenIsToldTheReasonThatApplies(String what, String token, String reason) {
        HttpResponse<String> res = gw.send(HttpRequest.newBuilder(gw.uri("/api/x")).header("Authorization", "Bearer " + token).build());

        assertThat(res.statusCode()).isEqualTo(401);
        assertThat(ProblemJson.of(res).detail()).isEqualTo(reason);
        assertThat(res.headers().allValues("WWW-Authenticate")).containsExactly(
                "Bearer realm=\"portico\", error=\"invalid_token\", error_description=\"" + reason + "\"");
    }

    @Test
    void severalBadCredentialsGetEveryChallengeEachRefusalWithItsOwn() {
        String basic = "Basic " + Base64.getEncoder().encodeToString("ops:wrong".getBytes(StandardCharsets.UTF_8));

        HttpResponse<String> res = gw.send(HttpRequest.newBuilder(gw.uri("/ops/x")).header("Authorization", basic)
                .header("X-API-Key", "not-a-key-0123456789abcdef").build());

        assertThat(res.statusCode()).isEqualTo(401);
        assertThat(ProblemJson.of(res).detail()).isEqualTo("the API key is not valid");
        assertThat(res.headers().allValues("WWW-Authenticate")).containsExactly(
                "Bearer realm=\"portico\"",
                "ApiKey realm=\"portico\", header=\"X-API-Key\"",
                "Basic realm=\"ops\", charset=\"UTF-8\"");
        assertThat(upstream.recorded()).isEmpty();
    }

    @Test
    void noCredentialAtAllGetsEveryChallenge() {
        HttpResponse<String> res = gw.get("/ops/x");

        assertThat(res.statusCode()).isEqualTo(401);
        assertThat(ProblemJson.of(res).detail()).isEqualTo("credentials are required");
        assertThat(res.headers().allValues("WWW-Authenticate")).hasSize(3);
    }
}
