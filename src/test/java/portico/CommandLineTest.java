package portico;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import picocli.CommandLine;
import portico.testing.GatewayUnderTest;
import portico.testing.LogCapture;

/** The command line as a user meets it: help on every subcommand, and a one-line reason when run cannot start. */
class CommandLineTest {

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"run", "check", "routes", "explain", "demo"})
    void everySubcommandAnswersHelpWithItsUsage(String subcommand) {
        for (String flag : List.of("-h", "--help")) {
            StringWriter out = new StringWriter();
            int code = new CommandLine(new Portico()).setOut(new PrintWriter(out)).execute(subcommand, flag);

            assertThat(code).as(flag).isZero();
            assertThat(out.toString()).as(flag).startsWith("Usage: portico " + subcommand);
        }
    }

    @Test
    void runOnAnAddressInUseSaysWhichInOneLineAndExits1(@TempDir Path dir) throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            Path config = dir.resolve("portico.yaml");
            Files.writeString(config, """
                    version: 1
                    listen: 127.0.0.1:%d
                    services: {api: {url: http://127.0.0.1:9}}
                    routes: [{name: api, match: {paths: [/]}, service: api}]
                    """.formatted(taken.getLocalPort()));

            Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-cp", System.getProperty("java.class.path"), "portico.Portico", "run", "-c", config.toString())
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            String stderr = readAll(p);

            assertThat(p.waitFor(30, TimeUnit.SECONDS)).as("exited").isTrue();
            assertThat(p.exitValue()).isEqualTo(1);
            assertThat(stderr.lines().toList()).containsExactly(
                    "cannot listen on 127.0.0.1:" + taken.getLocalPort() + ": address already in use");
        }
    }

    private static String readAll(Process p) throws IOException {
        return new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
    }

    @Test
    void theReadyLineWritesAnIpv6AddressInBracketsAndCountsInTheSingular() {
        try (LogCapture log = LogCapture.of(portico.runtime.Gateway.class);
             GatewayUnderTest gw = GatewayUnderTest.start("""
                     version: 1
                     listen: "[::]:0"
                     services: {api: {url: http://127.0.0.1:9}}
                     routes: [{name: api, match: {paths: [/]}, service: api}]
                     """)) {
            assertThat(log.lines("listening on")).singleElement().asString()
                    .matches("listening on \\[::]:" + gw.port() + " \\(\\w+, 1 route, 1 service\\)");
        }
    }
}
