package portico.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.RSAKey;
import java.net.http.HttpRequest;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import portico.testing.FakeClock;
import portico.testing.FakeUpstream;
import portico.testing.GatewayUnderTest;
import portico.testing.ProblemJson;
import portico.testing.Tokens;

/**
 * Keys from a real JWKS endpoint (a test server the gateway fetches from, asynchronously): a new
 * kid is picked up, a removed one stops working, unknown kids cannot make the gateway fetch more
 * than once per jwks_min_interval, and an outage keeps the keys fetched before. Time moves on the
 * injected clock, never by sleeping.
 */
class JwksTest {
    static final String IDP = "https://idp.example";
    static final RSAKey K1 = Tokens.rsaKey("k1");
    static final RSAKey K2 = Tokens.rsaKey("k2");

    private final FakeClock clock = FakeClock.now();
    private final AtomicReference<List<JWK>> published = new AtomicReference<>(List.of(K1.toPublicJWK()));
    private final AtomicInteger jwksStatus = new AtomicInteger(200);
    private final AtomicInteger fetches = new AtomicInteger();
    private FakeUpstream upstream;
    private FakeUpstream idp;
    private GatewayUnderTest gw;

    @BeforeEach
    void start() {
        upstream = FakeUpstream.start();
        idp = FakeUpstream.start().handle("/.well-known/jwks.json", (req, res) -> {
            fetches.incrementAndGet();
            res.status(jwksStatus.get()).header("Content-Type", "application/json").body(new JWKSet(published.get()).toString());
        });
        gw = GatewayUnderTest.start("""
                version: 1
                listen: 127.0.0.1:0
                services: {api: {url: %s}}
                routes:
                  - name: api
                    match: {paths: [/api]}
                    service: api
                    plugins:
                      jwt: {issuer: %s, jwks_url: %s/.well-known/jwks.json, jwks_refresh: 10m, jwks_min_interval: 30s}
                """.formatted(upstream.url(), IDP, idp.url()), Map.of(), clock, clock.ticker());
        await().atMost(Duration.ofSeconds(5)).until(() -> fetches.get() == 1);  // fetched when the plugin was created
    }

    @AfterEach
    void stop() {
        if (gw != null) gw.close();
        if (upstream != null) upstream.close();
        if (idp != null) idp.close();
    }

    private void publish(RSAKey... keys) {
        published.set(Arrays.stream(keys).map(k -> (JWK) k.toPublicJWK()).toList());
    }

    private int call(RSAKey signer) {
        String token = Tokens.rs256(signer, Tokens.claims(clock, IDP, "u-1").build());
        return gw.send(HttpRequest.newBuilder(gw.uri("/api/x")).header("Authorization", "Bearer " + token).build()).statusCode();
    }

    @Test
    void aNewKidIsPickedUpAndTheOldOneWorksUntilTheIssuerRemovesIt() {
        assertThat(call(K1)).isEqualTo(200);

        publish(K1, K2);
        clock.advance(Duration.ofSeconds(31));  // past jwks_min_interval: an unknown kid may fetch
        assertThat(call(K2)).isEqualTo(200);
        assertThat(call(K1)).isEqualTo(200);
        assertThat(fetches.get()).isEqualTo(2);

        publish(K2);
        assertThat(call(K1)).as("still in the cached set").isEqualTo(200);
        clock.advance(Duration.ofMinutes(11));  // past jwks_refresh: the set is fetched again behind the requests
        call(K2);
        await().atMost(Duration.ofSeconds(5)).until(() -> call(K1) == 401);
        assertThat(call(K2)).isEqualTo(200);
    }

    @Test
    void unknownKidsFetchAtMostOncePerMinInterval() {
        publish(K1, K2);

        assertThat(call(K2)).as("k2 appeared right after the first fetch").isEqualTo(401);
        for (int i = 0; i < 5; i++) call(Tokens.rsaKey("forged-" + i));
        assertThat(fetches.get()).isEqualTo(1);

        clock.advance(Duration.ofSeconds(31));
        assertThat(call(K2)).isEqualTo(200);
        for (int i = 0; i < 5; i++) call(Tokens.rsaKey("forged-again-" + i));
        assertThat(fetches.get()).isEqualTo(2);
    }

    @Test
    void anOutageKeepsTheKeysFetchedBefore() {
        assertThat(call(K1)).isEqualTo(200);

        jwksStatus.set(503);
        clock.advance(Duration.ofMinutes(11));
        assertThat(call(K1)).isEqualTo(200);
        await().atMost(Duration.ofSeconds(5)).until(() -> fetches.get() == 2);
        assertThat(call(K1)).as("after the failed refresh").isEqualTo(200);

        idp.close();  // gone altogether: connections refused
        clock.advance(Duration.ofMinutes(11));
        assertThat(call(K1)).isEqualTo(200);
        assertThat(call(K1)).isEqualTo(200);
    }

    @Test
    void withoutAnyKeysYetTokensAreRefusedAndTheReasonSaysSo() {
        gw.close();
        gw = null;
        jwksStatus.set(500);
        fetches.set(0);
        try (GatewayUnderTest fresh = GatewayUnderTest.start("""
                version: 1
                listen: 127.0.0.1:0
                services: {api: {url: %s}}
                routes:
                  - name: api
                    match: {paths: [/api]}
                    service: api
                    plugins:
                      jwt: {issuer: %s, jwks_url: %s/.well-known/jwks.json, jwks_refresh: 5m}
                """.formatted(upstream.url(), IDP, idp.url()), Map.of(), clock, clock.ticker())) {
            await().atMost(Duration.ofSeconds(5)).until(() -> fetches.get() == 1);
            String token = Tokens.rs256(K1, Tokens.claims(clock, IDP, "u-1").build());
            var res = fresh.send(HttpRequest.newBuilder(fresh.uri("/api/x")).header("Authorization", "Bearer " + token).build());

            assertThat(res.statusCode()).isEqualTo(401);
            assertThat(ProblemJson.of(res).detail()).isEqualTo("the issuer's signing keys are not available");
        }
    }
}
