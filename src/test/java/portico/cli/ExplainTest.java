package portico.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code portico explain} predicts what the gateway does, CORS preflights included. */
class ExplainTest {
    private static final String CONFIG = """
            version: 1
            services: {api: {url: http://127.0.0.1:9}}
            routes:
              - {name: orders, match: {paths: [/orders], methods: [GET, POST]}, service: api, plugins: {cors: {origins: [https://app.example.com]}}}
              - {name: plain, match: {paths: [/plain], methods: [GET]}, service: api}
            """;

    private static String explain(Path dir, String method, String url, String... headers) throws Exception {
        Path file = dir.resolve("portico.yaml");
        Files.writeString(file, CONFIG);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int code = Explain.run(file, method, url, List.of(headers), new PrintStream(out, true, StandardCharsets.UTF_8), System.err);
        assertThat(code).isZero();
        return out.toString(StandardCharsets.UTF_8);
    }

    @Test
    void aPreflightIsExplainedAsTheGatewayRoutesItByTheMethodItAsksAbout(@TempDir Path dir) throws Exception {
        String text = explain(dir, "OPTIONS", "/orders/7", "Origin: https://app.example.com", "Access-Control-Request-Method: POST");

        assertThat(text).contains("CORS preflight: no route takes OPTIONS here; routed as POST").contains("=> route 'orders'")
                .contains("plugins: cors (route)").doesNotContain("405");
    }

    @Test
    void aPreflightWhereNoCorsAnswersItStays405(@TempDir Path dir) throws Exception {
        String text = explain(dir, "OPTIONS", "/plain", "Origin: https://app.example.com", "Access-Control-Request-Method: GET");

        assertThat(text).contains("=> 405 method not allowed (Allow: GET)").doesNotContain("CORS preflight");
    }
}
