package portico.demo;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import portico.cli.DemoCommand;
import portico.config.ConfigLoader;
import portico.testing.GatewayUnderTest;

/**
 * The composition parts of examples/ecommerce/portico.yaml in front of the sample services, as
 * {@code ./portico demo} runs it (on free ports, logged in as alice): the dashboard aggregates three
 * services, passes them the caller's identity and degrades without recommendations, user records
 * lose their secrets, and /v1 and /v2 serve two shapes of one legacy service. (DemoCurlsTest plays
 * every printed curl.)
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class DemoGatewayTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private SampleServices services;
    private GatewayUnderTest gw;
    private String token;
    private byte[] secret;

    @BeforeAll
    void start() throws Exception {
        Path example = Path.of("examples/ecommerce/portico.yaml");
        secret = DemoCommand.tokenSecret(ConfigLoader.fromEnvironment().load(example).orThrow());
        services = SampleServices.start(SampleServicesTest.ephemeralPorts(), RecommendationsService.DEMO_LATENCY, secret);
        String yaml = Files.readString(example).replace("listen: 127.0.0.1:8080", "listen: 127.0.0.1:0");
        for (String name : SampleServices.DEFAULT_PORTS.keySet()) {
            yaml = yaml.replace("127.0.0.1:" + SampleServices.DEFAULT_PORTS.get(name), "127.0.0.1:" + services.port(name));
        }
        gw = GatewayUnderTest.start(yaml);
        HttpResponse<String> login = gw.send(HttpRequest.newBuilder(gw.uri("/auth/login")).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(DemoCurls.ALICE)).build());
        token = JSON.readTree(login.body()).get("token").asText();
    }

    private HttpResponse<String> get(String path) {
        return gw.send(HttpRequest.newBuilder(gw.uri(path)).header("Authorization", "Bearer " + token).build());
    }

    @AfterAll
    void stop() {
        if (gw != null) gw.close();
        if (services != null) services.close();
    }

    @Test
    void theDashboardIsUserOrdersAndRecommendationsWithoutSecrets() throws Exception {
        HttpResponse<String> res = get("/dashboard/1");

        assertThat(res.statusCode()).isEqualTo(200);
        assertThat(res.headers().firstValue("portico-degraded")).isEmpty();
        JsonNode body = JSON.readTree(res.body());
        assertThat(body.fieldNames()).toIterable().containsExactly("user", "orders", "recommendations");
        assertThat(body.get("user").get("name").asText()).isEqualTo("Alice Liddell");
        assertThat(body.get("user").has("password_hash") || body.get("user").has("ssn") || body.get("user").has("credit_card")).isFalse();
        assertThat(body.get("orders")).isNotEmpty().allSatisfy(o -> assertThat(o.get("user_id").asInt()).isEqualTo(1));
        assertThat(body.get("recommendations")).hasSize(3);
        assertThat(get("/dashboard/1").headers().firstValue("x-request-id")).isPresent();
    }

    @Test
    void theDashboardNeedsAToken() {
        assertThat(gw.get("/dashboard/1").statusCode()).isEqualTo(401);
    }

    @Test
    void aSignedTokenWithoutSubCannotListEveryonesOrders() {
        // The orders service lists all orders when X-User-Id is missing: the demo's jwt requires sub.
        java.time.Instant now = java.time.Instant.now();
        String noSub = portico.testing.Tokens.sign(new com.nimbusds.jose.JWSHeader(com.nimbusds.jose.JWSAlgorithm.HS256),
                new com.nimbusds.jwt.JWTClaimsSet.Builder().issuer(SampleServices.TOKEN_ISSUER).claim("role", "customer")
                        .issueTime(java.util.Date.from(now)).expirationTime(java.util.Date.from(now.plusSeconds(600))).build(),
                portico.testing.Tokens.mac(secret));

        HttpResponse<String> res = gw.send(HttpRequest.newBuilder(gw.uri("/orders")).header("Authorization", "Bearer " + noSub).build());

        assertThat(res.statusCode()).isEqualTo(401);
        assertThat(res.body()).contains("the token lacks a required claim");
    }

    @Test
    void withRecommendationsStoppedTheDashboardIsDegradedNotBroken() throws Exception {
        services.stop("recommendations");
        try {
            HttpResponse<String> res = get("/dashboard/1");

            assertThat(res.statusCode()).isEqualTo(200);
            assertThat(res.headers().firstValue("portico-degraded")).hasValue("recommendations");
            JsonNode body = JSON.readTree(res.body());
            assertThat(body.get("recommendations")).isEqualTo(JSON.readTree("[]"));
            assertThat(body.get("user").get("id").asInt()).isEqualTo(1);
        } finally {
            services.restart("recommendations");
        }
    }

    @Test
    void userRecordsNeverCarryTheirSecrets() throws Exception {
        JsonNode one = JSON.readTree(get("/users/1").body());
        JsonNode all = JSON.readTree(get("/users").body());

        assertThat(one.get("email").asText()).isEqualTo("alice@example.com");
        assertThat(all).hasSizeGreaterThanOrEqualTo(10);
        for (JsonNode user : all.isArray() ? all : JSON.createArrayNode()) {
            assertThat(user.has("password_hash") || user.has("ssn") || user.has("credit_card")).as(user.toString()).isFalse();
        }
        assertThat(one.has("password_hash") || one.has("ssn") || one.has("credit_card")).isFalse();
    }

    @Test
    void versionOneIsTheLegacyShapeAndVersionTwoTheModernOne() throws Exception {
        HttpResponse<String> v1 = get("/v1/users/1");
        HttpResponse<String> v2 = get("/v2/users/1");

        assertThat(JSON.readTree(v1.body())).isEqualTo(JSON.readTree(
                "{\"user_id\":1,\"full_name\":\"Alice Liddell\",\"mail\":\"alice@example.com\",\"created\":1675165645}"));
        assertThat(v1.headers().firstValue("deprecation")).hasValue("@1735689599");
        assertThat(v1.headers().firstValue("sunset")).isPresent();
        assertThat(JSON.readTree(v2.body())).isEqualTo(JSON.readTree(
                "{\"id\":1,\"name\":\"Alice Liddell\",\"email\":\"alice@example.com\",\"created_at\":1675165645}"));
        assertThat(v2.headers().firstValue("deprecation")).isEmpty();
    }
}
