package portico.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code portico routes} lists routes in the order requests try them (specificity, not file order);
 * {@code portico explain} names the route a request takes and why each other route did not.
 */
class RoutesAndExplainTest {
    private static final String CONFIG = """
            version: 1
            services: {users: {url: http://127.0.0.1:3002}, admin: {url: http://127.0.0.1:3009}}
            routes:
              - {name: users, match: {paths: [/users]}, service: users}
              - {name: user, match: {paths: ["/users/{id}"], methods: [GET]}, service: users, strip_prefix: true}
              - {name: admin-users, match: {paths: [/users], hosts: [admin.example.com]}, service: admin}
            """;

    @TempDir
    Path dir;
    private Path file;
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    @BeforeEach
    void writeConfig() throws IOException {
        file = dir.resolve("portico.yaml");
        Files.writeString(file, CONFIG);
    }

    private PrintStream stream(ByteArrayOutputStream to) {
        return new PrintStream(to, true, StandardCharsets.UTF_8);
    }

    private List<String> outLines() {
        return out.toString(StandardCharsets.UTF_8).lines().toList();
    }

    @Test
    void routesAreListedInMatchOrderWithTheirConditions() {
        int code = RouteList.run(file, stream(out), stream(err));

        assertThat(code).isZero();
        List<String> lines = outLines();
        assertThat(lines).hasSize(4);
        assertThat(lines.get(1)).startsWith("1").contains("admin-users", "admin.example.com", "/users", "admin");
        assertThat(lines.get(2)).startsWith("2").contains("user ", "GET", "/users/{id}", "strip_prefix");
        assertThat(lines.get(3)).startsWith("3").contains("users", "ALL", "/users");
    }

    @Test
    void explainNamesTheWinnerAndWhyTheOthersLost() {
        int code = Explain.run(file, "GET", "http://shop.example.com/users/7", List.of(), stream(out), stream(err));

        assertThat(code).isZero();
        assertThat(outLines()).contains(
                "admin-users  no: host shop.example.com is not admin.example.com",
                "user         MATCHES (path /users/{id}, id=7) and wins",
                "users        matches too, but route 'user' takes precedence",
                "=> route 'user'");
    }

    @Test
    void explainSaysWhenTheAnswerWouldBe405AndWhichMethodsAreAllowed() throws IOException {
        Files.writeString(file, """
                version: 1
                services: {users: {url: http://127.0.0.1:3002}}
                routes:
                  - {name: users, match: {paths: [/users], methods: [GET, POST]}, service: users}
                """);

        int code = Explain.run(file, "DELETE", "/users/1", List.of(), stream(out), stream(err));

        assertThat(code).isZero();
        assertThat(outLines()).contains("users  no: method DELETE is not GET or POST", "=> 405 method not allowed (Allow: GET, POST)");
    }

    @Test
    void bothRefuseAConfigThatDoesNotExist() {
        Path missing = dir.resolve("missing.yaml");

        assertThat(RouteList.run(missing, stream(out), stream(err))).isEqualTo(1);
        assertThat(Explain.run(missing, "GET", "/", List.of(), stream(out), stream(err))).isEqualTo(1);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains(missing + ":0:0: no such file");
    }
}
