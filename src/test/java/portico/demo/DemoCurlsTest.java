package portico.demo;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.http.HttpRequest;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import portico.cli.DemoCommand;
import portico.config.ConfigLoader;
import portico.config.GatewayConfig;
import portico.config.TargetConfig;
import portico.testing.GatewayUnderTest;
import portico.testing.ProblemJson;

/**
 * The demo's printed curls, played through a real gateway running examples/ecommerce/portico.yaml
 * (its ports moved to free ones) in front of the sample services: log in, keep the token, call
 * with it; calls without a valid token get the gateway's 401.
 */
class DemoCurlsTest {
    private static final Path EXAMPLE = Path.of("examples/ecommerce/portico.yaml");
    private static final ObjectMapper JSON = new ObjectMapper();

    private static SampleServices services;
    private static GatewayUnderTest gw;

    @BeforeAll
    static void start() throws Exception {
        GatewayConfig config = ConfigLoader.fromEnvironment().load(EXAMPLE).orThrow();
        services = SampleServices.start(SampleServicesTest.ephemeralPorts(), Duration.ZERO, DemoCommand.tokenSecret(config));
        String yaml = Files.readString(EXAMPLE).replace("listen: 127.0.0.1:8080", "listen: 127.0.0.1:0");
        for (Map.Entry<String, Integer> e : SampleServices.DEFAULT_PORTS.entrySet()) {
            yaml = yaml.replace("http://127.0.0.1:" + e.getValue(), services.url(e.getKey()));
        }
        gw = GatewayUnderTest.start(yaml);
    }

    @AfterAll
    static void stop() {
        if (gw != null) gw.close();
        if (services != null) services.close();
    }

    @Test
    void linesAreACommentThenACommandEach() {
        List<String> lines = DemoCurls.lines("localhost:8080");
        assertThat(lines).hasSize(2 * DemoCurls.EXAMPLES.size());
        for (int i = 0; i < lines.size(); i += 2) {
            assertThat(lines.get(i)).startsWith("# ");
            assertThat(lines.get(i + 1)).matches("(TOKEN=\\$\\()?curl -si? .*");
        }
        assertThat(lines).contains(
                "TOKEN=$(curl -s -X POST localhost:8080/auth/login -H 'Content-Type: application/json' "
                        + "-d '{\"username\":\"alice\",\"password\":\"wonderland\"}' | sed -E 's/.*\"token\":\"([^\"]+)\".*/\\1/'); echo \"$TOKEN\"",
                "curl -s localhost:8080/users/1 -H \"Authorization: Bearer $TOKEN\"",
                "curl -s 'localhost:8080/products?category=books'",
                "curl -si localhost:8080/products/7",
                "curl -si localhost:8080/users/1");
    }

    @Test
    void aTrailingSlashOrSchemeInTheBaseIsKept() {
        assertThat(DemoCurls.lines("http://127.0.0.1:8080/")).contains("curl -si http://127.0.0.1:8080/products/7");
    }

    @Test
    void theExampleConfigIsValidAndPointsAtTheSampleServices() throws Exception {
        GatewayConfig config = ConfigLoader.fromEnvironment().load(EXAMPLE).orThrow();
        assertThat(config.listen()).hasToString("[http://127.0.0.1:8080]");
        for (String name : SampleServices.DEFAULT_PORTS.keySet()) {
            TargetConfig target = config.services().get(name).targets().get(0);
            assertThat(target.port()).as(name).isEqualTo(SampleServices.DEFAULT_PORTS.get(name));
            assertThat(target.host()).isEqualTo("127.0.0.1");
        }
        assertThat(DemoCommand.tokenSecret(config)).as("the secret the auth service signs with").isNotNull();
    }

    @Test
    void everyCurlGetsItsStatusThroughTheGateway() throws Exception {
        String token = null;
        for (DemoCurls.Example example : DemoCurls.EXAMPLES) {
            HttpRequest.Builder request = HttpRequest.newBuilder(gw.uri(example.path())).timeout(Duration.ofSeconds(10));
            switch (example.auth()) {
                case TOKEN -> request.header("Authorization", "Bearer " + token);
                case FORGED -> request.header("Authorization", "Bearer " + DemoCurls.FORGED_TOKEN);
                default -> { }
            }
            if (example.body() != null) {
                request.header("Content-Type", "application/json").method(example.method(), BodyPublishers.ofString(example.body()));
            } else {
                request.method(example.method(), BodyPublishers.noBody());
            }
            HttpResponse<String> res = gw.send(request.build());

            assertThat(res.statusCode()).as("%s %s", example.method(), example.path()).isEqualTo(example.status());
            if (example.auth() == DemoCurls.Auth.LOGIN) token = JSON.readTree(res.body()).get("token").asText();
            if (example.auth() == DemoCurls.Auth.NONE && example.status() == 401 && example.path().startsWith("/users")) {
                assertThat(ProblemJson.of(res).type()).isEqualTo("urn:portico:error:unauthenticated");
                assertThat(res.headers().firstValue("WWW-Authenticate")).hasValue("Bearer realm=\"portico\"");
            } else if (example.auth() == DemoCurls.Auth.FORGED) {
                assertThat(res.headers().firstValue("WWW-Authenticate")).hasValueSatisfying(v -> assertThat(v).contains("invalid_token"));
            } else if (!example.path().startsWith("/dashboard")) {  // an aggregated answer is the gateway's own
                assertThat(res.headers().firstValue("X-Served-By")).as("%s %s", example.method(), example.path()).isPresent();
            }
        }
        assertThat(token).as("the first example logs in").isNotNull();
    }

    @Test
    void myOrdersAreTheOrdersOfTheUserInTheToken() throws Exception {
        for (String[] login : new String[][] {{"alice", "wonderland", "1"}, {"bob", "builder", "2"}}) {
            HttpResponse<String> res = gw.send(HttpRequest.newBuilder(gw.uri("/auth/login")).header("Content-Type", "application/json")
                    .POST(BodyPublishers.ofString("{\"username\":\"" + login[0] + "\",\"password\":\"" + login[1] + "\"}")).build());
            String token = JSON.readTree(res.body()).get("token").asText();

            JsonNode orders = JSON.readTree(gw.send(HttpRequest.newBuilder(gw.uri("/orders"))
                    .header("Authorization", "Bearer " + token).header("X-User-Id", "3").build()).body());

            assertThat(orders.size()).as(login[0]).isPositive();
            orders.forEach(o -> assertThat(o.get("user_id").asText()).as(login[0]).isEqualTo(login[2]));
        }
    }

    @Test
    void productBrowsingAndLoginNeedNoTokenAndEverythingElseDoes() {
        assertThat(gw.get("/products").statusCode()).isEqualTo(200);
        for (String path : List.of("/users", "/orders", "/orders/1", "/recommendations/for/1", "/legacy/users/1")) {
            assertThat(gw.get(path).statusCode()).as(path).isEqualTo(401);
        }
    }
}
