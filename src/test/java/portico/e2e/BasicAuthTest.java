package portico.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import portico.testing.FakeUpstream;
import portico.testing.GatewayUnderTest;
import portico.testing.RecordedRequest;

/** {@code basic_auth}: users whose passwords the config holds only as bcrypt or PBKDF2 hashes. */
class BasicAuthTest {
    /** "wonderland" and "ops-password". */
    static final String ALICE_BCRYPT = "$2b$10$37XvKbWqcfSeIes1kWyF0ulKqzQifhczYNpGHRiANzJ0JoSVhrUNe";
    static final String OPS_PBKDF2 = "$pbkdf2-sha256$100000$a2l0Y2hlbi1zaW5rLXNhbHQ=$qaFiqYSIumSYCMW8lxEhhA4KTHUlmavs5lFOi0ER+JQ=";
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
                  shop:
                    groups: [staff]
                    basic_auth: {username: alice, password: "%s"}
                  ops:
                    basic_auth:
                      - {username: ops, password: "%s"}
                routes:
                  - {name: api, match: {paths: [/api]}, service: api, plugins: {basic_auth: {realm: shop}}}
                """.formatted(upstream.url(), ALICE_BCRYPT, OPS_PBKDF2));
    }

    @AfterEach
    void stop() {
        if (gw != null) gw.close();
        if (upstream != null) upstream.close();
    }

    private HttpResponse<String> get(String user, String password) {
        String basic = Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
        return gw.send(HttpRequest.newBuilder(gw.uri("/api/x")).header("Authorization", "Basic " + basic).build());
    }

    @Test
    void aBcryptUserAuthenticatesAndThePasswordNeverReachesTheService() {
        assertThat(get("alice", "wonderland").statusCode()).isEqualTo(200);

        RecordedRequest seen = upstream.takeRequest();
        assertThat(seen.header("X-Consumer-Name")).isEqualTo("shop");
        assertThat(seen.header("X-Consumer-Groups")).isEqualTo("staff");
        assertThat(seen.header("Authorization")).isNull();
    }

    @Test
    void aPbkdf2UserAuthenticates() {
        assertThat(get("ops", "ops-password").statusCode()).isEqualTo(200);
        assertThat(upstream.takeRequest().header("X-Consumer-Name")).isEqualTo("ops");
    }

    @Test
    void aRememberedSuccessStillChecksThePassword() {
        assertThat(get("alice", "wonderland").statusCode()).isEqualTo(200);
        assertThat(get("alice", "wonderland").statusCode()).isEqualTo(200);
        assertThat(get("alice", "wonderlan").statusCode()).isEqualTo(401);
    }

    @Test
    void aWrongPasswordOrUnknownUserIs401WithTheBasicChallenge() {
        for (HttpResponse<String> res : java.util.List.of(get("alice", "queen-of-hearts"), get("mallory", "wonderland"))) {
            assertThat(res.statusCode()).isEqualTo(401);
            assertThat(res.headers().firstValue("WWW-Authenticate")).hasValue("Basic realm=\"shop\", charset=\"UTF-8\"");
        }
        assertThat(upstream.requestCount()).isZero();
    }

    @Test
    void malformedBasicCredentialsAre401() {
        HttpResponse<String> res = gw.send(HttpRequest.newBuilder(gw.uri("/api/x")).header("Authorization", "Basic !!!").build());
        assertThat(res.statusCode()).isEqualTo(401);
        HttpResponse<String> none = gw.get("/api/x");
        assertThat(none.statusCode()).isEqualTo(401);
        assertThat(none.headers().firstValue("WWW-Authenticate")).hasValue("Basic realm=\"shop\", charset=\"UTF-8\"");
    }
}
