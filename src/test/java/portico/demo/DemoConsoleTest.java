package portico.demo;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The demo terminal's commands take a sample service down and bring it back on the same port. */
class DemoConsoleTest {

    @Test
    void stopAndStartTakeAServiceDownAndBack() {
        ByteArrayOutputStream printed = new ByteArrayOutputStream();
        try (SampleServices services = SampleServices.start(SampleServicesTest.ephemeralPorts(), Duration.ZERO)) {
            int port = services.port("recommendations");
            DemoConsole console = new DemoConsole(services, new PrintStream(printed, true, StandardCharsets.UTF_8));

            console.readAll(new BufferedReader(new StringReader("stop recommendations\n")));
            assertThat(services.running("recommendations")).isFalse();

            console.readAll(new BufferedReader(new StringReader("\n  START Recommendations \n")));
            assertThat(services.running("recommendations")).isTrue();
            assertThat(services.port("recommendations")).isEqualTo(port);
            assertThat(printed.toString(StandardCharsets.UTF_8)).isEqualTo(
                    "recommendations stopped: 127.0.0.1:" + port + " refuses connections\n"
                            + "recommendations started again on 127.0.0.1:" + port + "\n");
        }
    }

    @Test
    void anythingElseGetsTheListOfCommands() {
        try (SampleServices services = SampleServices.start(SampleServicesTest.ephemeralPorts(), Duration.ZERO)) {
            DemoConsole console = new DemoConsole(services, System.out);

            assertThat(console.handle("kill recommendations")).startsWith("commands: stop NAME, start NAME");
            assertThat(console.handle("stop payments")).startsWith("no sample service 'payments'");
            assertThat(console.handle("   ")).isNull();
        }
    }
}
