package portico.testing;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A gateway in a child JVM, started as a user starts it ({@code portico run -c FILE}) with the JVM
 * options a test chooses, e.g. {@code -Xmx256m} to prove that memory stays bounded. Signals are
 * real: {@link #terminate()} sends SIGTERM. Everything the child prints is kept for failure
 * messages.
 */
public final class GatewayProcess implements AutoCloseable {
    private static final Pattern LISTENING = Pattern.compile("listening on (\\S+):(\\d+) ");
    private static final Duration STARTUP = Duration.ofSeconds(30);

    private final Process process;
    private final Path config;
    private final List<String> output = new CopyOnWriteArrayList<>();
    private final CompletableFuture<Integer> listening = new CompletableFuture<>();
    private final Thread reader;

    private GatewayProcess(Process process, Path config) {
        this.process = process;
        this.config = config;
        reader = new Thread(this::readOutput, "gateway-process-output");
        reader.setDaemon(true);
        reader.start();
    }

    /** Starts {@code portico run} on this YAML and waits for its "listening on" line. */
    public static GatewayProcess start(String yaml, String... jvmOptions) {
        Path config;
        try {
            config = Files.createTempFile("portico-", ".yaml");
            Files.writeString(config, yaml);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(List.of(jvmOptions));
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), "portico.Portico", "run", "-c", config.toString()));
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
        pb.environment().put("PORTICO_LOG_LEVEL", "INFO");
        GatewayProcess gp;
        try {
            gp = new GatewayProcess(pb.start(), config);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start " + command, e);
        }
        gp.awaitListening();
        return gp;
    }

    private void readOutput() {
        try (BufferedReader in = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
            for (String line; (line = in.readLine()) != null; ) {
                output.add(line);
                Matcher m = LISTENING.matcher(line);
                if (m.find()) listening.complete(Integer.parseInt(m.group(2)));
            }
        } catch (IOException e) {
            // the child is gone
        } finally {
            listening.completeExceptionally(new IllegalStateException("the gateway exited before listening"));
        }
    }

    private void awaitListening() {
        try {
            listening.get(STARTUP.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException | TimeoutException e) {
            close();
            throw new AssertionError("gateway did not start within " + STARTUP + ":\n" + output(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            close();
            throw new AssertionError(e);
        }
    }

    public int port() {
        return listening.join();
    }

    public URI uri(String pathAndQuery) {
        return URI.create("http://127.0.0.1:" + port() + pathAndQuery);
    }

    /**
     * Sends SIGTERM, as an orchestrator stopping the gateway does. Through the process handle:
     * {@link Process#destroy()} sends the same signal but also closes our end of the child's
     * output, which would lose everything it logs while shutting down.
     */
    public void terminate() {
        process.toHandle().destroy();
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    /** The exit code; fails when the process is still running after {@code within}. */
    public int awaitExit(Duration within) {
        try {
            if (!process.waitFor(within.toMillis(), TimeUnit.MILLISECONDS)) {
                throw new AssertionError("gateway still running " + within + " after being asked to stop:\n" + output());
            }
            reader.join(5_000);  // the last lines may still be in the pipe
            return process.exitValue();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    /** Everything the child printed so far (stdout and stderr), one line each. */
    public String output() {
        return String.join("\n", output);
    }

    @Override
    public void close() {
        if (process.isAlive()) {
            process.destroyForcibly();
            try {
                process.waitFor(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        try {
            Files.deleteIfExists(config);
        } catch (IOException e) {
            // a temp file; the OS cleans up
        }
    }
}
