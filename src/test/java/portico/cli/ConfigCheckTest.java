package portico.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;
import portico.Portico;

/**
 * {@code portico check} as a user runs it on a file: exit 0 with one summary line on stdout when the
 * config is usable, exit 1 with every error on stderr as {@code FILE:LINE:COL: path: message}, and
 * warnings (a route no request can reach) on stderr without failing. {@code run} refuses the same
 * bad config before it binds anything.
 */
class ConfigCheckTest {
    @TempDir
    Path dir;

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    private int check(String yaml) throws IOException {
        Path file = dir.resolve("portico.yaml");
        Files.writeString(file, yaml);
        return ConfigCheck.run(file, new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
    }

    private List<String> stderrLines() {
        String text = err.toString(StandardCharsets.UTF_8);
        return text.isEmpty() ? List.of() : text.lines().toList();
    }

    @Test
    void aValidConfigPrintsOneSummaryLineAndExitsZero() throws IOException {
        int code = check("""
                version: 1
                services: {users: {url: http://127.0.0.1:3002}}
                routes:
                  - {name: users, match: {paths: [/users]}, service: users}
                """);

        assertThat(code).isZero();
        assertThat(out.toString(StandardCharsets.UTF_8)).isEqualTo(dir.resolve("portico.yaml") + ": OK (1 route, 1 service)\n");
        assertThat(stderrLines()).isEmpty();
    }

    @Test
    void everyErrorIsPrintedWithItsFileLineAndColumnAndTheExitCodeIsOne() throws IOException {
        int code = check("""
                version: 1
                limits:
                  max_body_bytes: 10 megabytes
                services:
                  users: {url: 127.0.0.1:3002}
                routes:
                  - name: users
                    match: {paths: [/users]}
                    service: user
                """);

        String file = dir.resolve("portico.yaml").toString();
        assertThat(code).isEqualTo(1);
        assertThat(stderrLines()).containsExactly(
                file + ":3:19: limits.max_body_bytes: expected a size such as 512B, 16KB or 10MB, was '10 megabytes'",
                file + ":5:16: services.users.url: a service URL starts with http:// or https://, was '127.0.0.1:3002'",
                file + ":9:14: routes[0].service: no service named 'user', did you mean 'users'?");
        assertThat(out.toString(StandardCharsets.UTF_8)).isEmpty();
    }

    @Test
    void aRouteThatAnotherRouteShadowsCompletelyIsAWarningAndTheConfigIsStillUsable() throws IOException {
        int code = check("""
                version: 1
                services: {users: {url: http://127.0.0.1:3002}}
                routes:
                  - name: users
                    match: {paths: [/users]}
                    service: users
                  - name: user-reads
                    match: {paths: [/users], methods: [GET]}
                    service: users
                  - name: users-again
                    match: {paths: [/users]}
                    service: users
                """);

        String file = dir.resolve("portico.yaml").toString();
        assertThat(code).isZero();
        assertThat(stderrLines()).containsExactly(file + ":10:5: warning: routes[2]: route 'users-again' has the same match as"
                + " route 'users', which comes first in the file; this one never matches");
        assertThat(out.toString(StandardCharsets.UTF_8)).endsWith(": OK (3 routes, 1 service, 1 warning)\n");
    }

    @Test
    void aRouteCoveredByABroaderOneIsNamedWithTheRouteThatWins() throws IOException {
        int code = check("""
                version: 1
                services: {users: {url: http://127.0.0.1:3002}}
                routes:
                  - name: users-get-post
                    match: {paths: [/users], methods: [GET, POST]}
                    service: users
                  - name: users-get
                    match: {paths: [/users], methods: [GET]}
                    service: users
                """);

        String file = dir.resolve("portico.yaml").toString();
        assertThat(code).isZero();
        assertThat(stderrLines()).containsExactly(file + ":7:5: warning: routes[1]: route 'users-get' never matches:"
                + " route 'users-get-post' matches every request it does and takes precedence");
    }

    @Test
    void runRefusesABadConfigWithExitOneInsteadOfStartingHalfAGateway() throws IOException {
        Path file = dir.resolve("bad.yaml");
        Files.writeString(file, """
                version: 1
                listen: 127.0.0.1:0
                services: {users: {url: http://127.0.0.1:3002}}
                routes:
                  - {name: users, match: {paths: [/users]}, service: nobody}
                """);

        // execute(), not main(): main would System.exit the test JVM. A valid config would block here.
        int code = new CommandLine(new Portico()).execute("run", "-c", file.toString());

        assertThat(code).isEqualTo(1);
    }
}
