package portico.demo;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import portico.testing.GatewayUnderTest;

/**
 * examples/ecommerce/portico.yaml in front of the sample services, as {@code ./portico demo} runs
 * it (on free ports): every printed curl answers as it says, the dashboard aggregates three
 * services and degrades without recommendations, user records lose their secrets, and /v1 and /v2
 * serve two shapes of one legacy service.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class DemoGatewayTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private SampleServices services;
    private GatewayUnderTest gw;

    @BeforeAll
    void start() throws IOException {
        services = SampleServices.start(SampleServicesTest.ephemeralPorts());  // with the demo's 150 ms recommendations
        String yaml = Files.readString(Path.of("examples/ecommerce/portico.yaml")).replace("listen: 127.0.0.1:8080", "listen: 127.0.0.1:0");
        for (String name : SampleServices.DEFAULT_PORTS.keySet()) {
            yaml = yaml.replace("127.0.0.1:" + SampleServices.DEFAULT_PORTS.get(name), "127.0.0.1:" + services.port(name));
        }
        gw = GatewayUnderTest.start(yaml);
    }

    @AfterAll
    void stop() {
        if (gw != null) gw.close();
        if (services != null) services.close();
    }

    @Test
    void everyPrintedCurlAnswersAsItSays() {
        for (DemoCurls.Example example : DemoCurls.EXAMPLES) {
            HttpRequest.Builder req = HttpRequest.newBuilder(gw.uri(example.path()));
            if (example.body() != null) {
                req.header("Content-Type", "application/json").method(example.method(), HttpRequest.BodyPublishers.ofString(example.body()));
            } else {
                req.method(example.method(), HttpRequest.BodyPublishers.noBody());
            }
            HttpResponse<String> res = gw.send(req.build());
            assertThat(res.statusCode()).as("%s %s: %s", example.method(), example.path(), res.body()).isEqualTo(example.status());
        }
    }

    @Test
    void theDashboardIsUserOrdersAndRecommendationsWithoutSecrets() throws Exception {
        HttpResponse<String> res = gw.get("/dashboard/1");

        assertThat(res.statusCode()).isEqualTo(200);
        assertThat(res.headers().firstValue("portico-degraded")).isEmpty();
        JsonNode body = JSON.readTree(res.body());
        assertThat(body.fieldNames()).toIterable().containsExactly("user", "orders", "recommendations");
        assertThat(body.get("user").get("name").asText()).isEqualTo("Alice Liddell");
        assertThat(body.get("user").has("password_hash") || body.get("user").has("ssn") || body.get("user").has("credit_card")).isFalse();
        assertThat(body.get("orders")).isNotEmpty().allSatisfy(o -> assertThat(o.get("user_id").asInt()).isEqualTo(1));
        assertThat(body.get("recommendations")).hasSize(3);
    }

    @Test
    void withRecommendationsStoppedTheDashboardIsDegradedNotBroken() throws Exception {
        services.stop("recommendations");
        try {
            HttpResponse<String> res = gw.get("/dashboard/1");

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
        JsonNode one = JSON.readTree(gw.get("/users/1").body());
        JsonNode all = JSON.readTree(gw.get("/users").body());

        assertThat(one.get("email").asText()).isEqualTo("alice@example.com");
        assertThat(all).hasSizeGreaterThanOrEqualTo(10);
        for (JsonNode user : all.isArray() ? all : JSON.createArrayNode()) {
            assertThat(user.has("password_hash") || user.has("ssn") || user.has("credit_card")).as(user.toString()).isFalse();
        }
        assertThat(one.has("password_hash") || one.has("ssn") || one.has("credit_card")).isFalse();
    }

    @Test
    void versionOneIsTheLegacyShapeAndVersionTwoTheModernOne() throws Exception {
        HttpResponse<String> v1 = gw.get("/v1/users/1");
        HttpResponse<String> v2 = gw.get("/v2/users/1");

        assertThat(JSON.readTree(v1.body())).isEqualTo(JSON.readTree(
                "{\"user_id\":1,\"full_name\":\"Alice Liddell\",\"mail\":\"alice@example.com\",\"created\":1675165645}"));
        assertThat(v1.headers().firstValue("deprecation")).hasValue("@1735689599");
        assertThat(v1.headers().firstValue("sunset")).isPresent();
        assertThat(JSON.readTree(v2.body())).isEqualTo(JSON.readTree(
                "{\"id\":1,\"name\":\"Alice Liddell\",\"email\":\"alice@example.com\",\"created_at\":1675165645}"));
        assertThat(v2.headers().firstValue("deprecation")).isEmpty();
    }
}
