package portico.demo;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandlers;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import portico.config.ConfigLoader;
import portico.config.GatewayConfig;
import portico.config.RouteConfig;
import portico.config.TargetConfig;

class DemoCurlsTest {
    private static final Path EXAMPLE = Path.of("examples/ecommerce/portico.yaml");

    @Test
    void linesAreACommentThenACurlEach() {
        List<String> lines = DemoCurls.lines("localhost:8080");
        assertThat(lines).hasSize(2 * DemoCurls.EXAMPLES.size());
        for (int i = 0; i < lines.size(); i += 2) {
            assertThat(lines.get(i)).startsWith("# ");
            assertThat(lines.get(i + 1)).startsWith("curl -s");
        }
        assertThat(lines).contains(
                "curl -s localhost:8080/users/1",
                "curl -s 'localhost:8080/products?category=books'",
                "curl -si localhost:8080/products/7",
                "curl -s -X POST localhost:8080/auth/login -H 'Content-Type: application/json' "
                        + "-d '{\"username\":\"alice\",\"password\":\"wonderland\"}'");
    }

    @Test
    void aTrailingSlashOrSchemeInTheBaseIsKept() {
        assertThat(DemoCurls.lines("http://127.0.0.1:8080/")).contains("curl -s http://127.0.0.1:8080/users/1");
    }

    @Test
    void theExampleConfigIsValid() throws Exception {
        GatewayConfig config = ConfigLoader.fromEnvironment().load(EXAMPLE).orThrow();
        assertThat(config.listen()).hasToString("[http://127.0.0.1:8080]");
        for (String name : SampleServices.DEFAULT_PORTS.keySet()) {
            TargetConfig target = config.services().get(name).targets().get(0);
            assertThat(target.port()).as(name).isEqualTo(SampleServices.DEFAULT_PORTS.get(name));
            assertThat(target.host()).isEqualTo("127.0.0.1");
        }
    }

    /**
     * Plays each printed curl the way the gateway will (CONTRACT section 5: segment-boundary prefix,
     * most specific route, strip_prefix, base path) straight at the sample services, so a route
     * that sends a curl to a path no service serves fails here, before any gateway exists.
     */
    @Test
    void everyCurlReachesTheRightServiceThroughTheExampleRoutes() throws Exception {
        GatewayConfig config = ConfigLoader.fromEnvironment().load(EXAMPLE).orThrow();
        HttpClient http = HttpClient.newHttpClient();
        try (SampleServices services = SampleServices.start(SampleServicesTest.ephemeralPorts(), Duration.ZERO)) {
            for (DemoCurls.Example example : DemoCurls.EXAMPLES) {
                String path = example.path().split("\\?")[0];
                String query = example.path().contains("?") ? example.path().substring(path.length()) : "";
                RouteConfig route = route(config, example.method(), path).orElse(null);
                if (route == null || !SampleServices.DEFAULT_PORTS.containsKey(route.service())) {
                    continue;  // an aggregate or a route to another service's base path: DemoGatewayTest replays it through a gateway
                }
                String prefix = prefix(route, path).orElseThrow();
                String rest = route.stripPrefix() ? path.substring(prefix.length()) : path;
                String upstream = config.services().get(route.service()).targets().get(0).basePath()
                        + (rest.isEmpty() ? "/" : rest) + query;

                HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(services.url(route.service()) + upstream));
                if (example.body() != null) {
                    request.header("Content-Type", "application/json")
                            .method(example.method(), BodyPublishers.ofString(example.body()));
                } else {
                    request.method(example.method(), BodyPublishers.noBody());
                }
                HttpResponse<String> res = http.send(request.build(), BodyHandlers.ofString());
                assertThat(res.statusCode()).as("%s %s -> %s %s", example.method(), example.path(), route.service(), upstream)
                        .isEqualTo(example.status());
                assertThat(res.headers().firstValue("X-Served-By")).hasValue(route.service());
            }
        }
    }

    private static Optional<RouteConfig> route(GatewayConfig config, String method, String path) {
        return config.routes().stream()
                .filter(r -> r.match().methods().isEmpty() || r.match().methods().contains(method))
                .filter(r -> prefix(r, path).isPresent())
                .max(Comparator.comparingInt(r -> prefix(r, path).orElseThrow().length()));
    }

    /** The route's longest literal path pattern that is a segment-boundary prefix of the path. */
    private static Optional<String> prefix(RouteConfig route, String path) {
        return route.match().paths().stream()
                .filter(p -> path.equals(p) || path.startsWith(p.endsWith("/") ? p : p + "/"))
                .max(Comparator.comparingInt(String::length));
    }
}
