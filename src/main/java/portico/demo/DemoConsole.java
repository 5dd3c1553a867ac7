package portico.demo;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * The demo's terminal: {@code stop NAME} takes a sample service down (its connections are refused),
 * {@code start NAME} brings it back on the same port, so the gateway's breaker, retries and health
 * checks can be watched at work. Reads on its own daemon thread; never on an event loop.
 */
public final class DemoConsole {
    private final SampleServices services;
    private final PrintStream out;

    DemoConsole(SampleServices services, PrintStream out) {
        this.services = services;
        this.out = out;
    }

    /** Reads commands from {@code in} until it ends, on a daemon thread. */
    public static void start(InputStream in, SampleServices services, PrintStream out) {
        DemoConsole console = new DemoConsole(services, out);
        Thread t = new Thread(() -> console.readAll(new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))),
                "demo-console");
        t.setDaemon(true);
        t.start();
    }

    /** One line for the demo's banner. */
    public static String usage() {
        return "Type 'stop recommendations' (or any service) to take it down, 'start recommendations' to bring it back.";
    }

    void readAll(BufferedReader in) {
        try {
            for (String line; (line = in.readLine()) != null; ) {
                String answer = handle(line);
                if (answer != null) out.println(answer);
            }
        } catch (IOException e) {
            // The terminal went away: nothing more to read.
        }
    }

    /** @return what to print, or null for a blank line */
    String handle(String line) {
        String[] words = line.trim().toLowerCase(Locale.ROOT).split("\\s+");
        if (words.length == 1 && words[0].isEmpty()) return null;
        if (words.length != 2 || !(words[0].equals("stop") || words[0].equals("start"))) {
            return "commands: stop NAME, start NAME (services: " + String.join(", ", services.names()) + ")";
        }
        String name = words[1];
        if (!services.names().contains(name)) {
            return "no sample service '" + name + "' (services: " + String.join(", ", services.names()) + ")";
        }
        try {
            if (words[0].equals("stop")) {
                services.stop(name);
                return name + " stopped: 127.0.0.1:" + services.port(name) + " refuses connections";
            }
            services.restart(name);
            return name + " started again on 127.0.0.1:" + services.port(name);
        } catch (UncheckedIOException e) {
            return "cannot start " + name + ": " + e.getMessage();
        }
    }
}
