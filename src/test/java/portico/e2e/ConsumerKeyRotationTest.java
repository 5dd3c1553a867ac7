package portico.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jwt.JWTClaimsSet;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import portico.testing.FakeUpstream;
import portico.testing.GatewayUnderTest;
import portico.testing.ProblemJson;
import portico.testing.Tokens;

/**
 * A consumer with two keys of one algorithm (the old and the new, while rotating) is told apart
 * by kid, as a JWKS is: each key verifies the tokens that name it; a token without a kid, which
 * either key could have signed, is refused rather than tried against both.
 */
class ConsumerKeyRotationTest {
    static final ECKey CURRENT = Tokens.ecKey("p-2024");
    static final ECKey NEXT = Tokens.ecKey("p-2025");
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
                  partner:
                    jwt:
                      - issuer: partner
                        algorithm: ES256
                        kid: p-2024
                        public_key: |
                %s
                      - issuer: partner
                        algorithm: ES256
                        public_key: '%s'
                routes:
                  - {name: api, match: {paths: [/api]}, service: api, plugins: {jwt: {}}}
                """.formatted(upstream.url(), Tokens.pem(Tokens.publicKey(CURRENT), " ".repeat(12)),
                NEXT.toPublicJWK().toJSONString()));  // the JWK's own kid, p-2025, names the second key
    }

    @AfterAll
    static void stop() {
        if (gw != null) gw.close();
        if (upstream != null) upstream.close();
    }

    private static HttpResponse<String> get(String token) {
        return gw.send(HttpRequest.newBuilder(gw.uri("/api/x")).header("Authorization", "Bearer " + token).build());
    }

    private static String signed(ECKey key, String kid) {
        JWTClaimsSet claims = Tokens.claims(CLOCK, "partner", "p-1").build();
        return Tokens.sign(new JWSHeader.Builder(JWSAlgorithm.ES256).keyID(kid).build(), claims, Tokens.ec(key));
    }

    @Test
    void eachKeyVerifiesTheTokensThatNameIt() {
        assertThat(get(signed(CURRENT, "p-2024")).statusCode()).isEqualTo(200);
        assertThat(get(signed(NEXT, "p-2025")).statusCode()).isEqualTo(200);
        assertThat(upstream.takeRequest().header("X-Consumer-Name")).isEqualTo("partner");
    }

    @Test
    void aTokenWithoutAKidIsRefusedWhenEitherKeyCouldHaveSignedIt() {
        HttpResponse<String> res = get(signed(CURRENT, null));

        assertThat(res.statusCode()).isEqualTo(401);
        assertThat(ProblemJson.of(res).detail()).isEqualTo("the token has no kid and several keys could have signed it");
    }

    @Test
    void aKidOfNoKeyOrTheOtherKeysSignatureIsRefused() {
        assertThat(ProblemJson.of(get(signed(CURRENT, "p-2099"))).detail()).isEqualTo("no key of the issuer matches the token's kid");
        assertThat(ProblemJson.of(get(signed(NEXT, "p-2024"))).detail()).isEqualTo("the token's signature does not verify");
    }
}
