package portico.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A real {@code redis-server} (Debian's package; .ci/run installs it) on a free loopback port, with
 * no persistence, for tests of what Portico does with Redis. {@link #kill()} and {@link #restart()}
 * stage an outage on the same port; {@link #pause()} makes it hang (SIGSTOP) as a slow Redis would.
 */
public final class RedisServer implements AutoCloseable {
    private static final Duration READY_WITHIN = Duration.ofSeconds(10);

    private final Path dir;
    private final int port;
    private Process process;

    private RedisServer(Path dir, int port, Process process) {
        this.dir = dir;
        this.port = port;
        this.process = process;
    }

    public static RedisServer start() {
        Path dir;
        try {
            dir = Files.createTempDirectory("portico-redis");
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        // redis-server cannot bind port 0 and say which it got: take a free port, and take another
        // if something else grabbed it before redis-server did.
        IllegalStateException last = null;
        for (int attempt = 0; attempt < 5; attempt++) {
            int port = freePort();
            try {
                return new RedisServer(dir, port, launch(dir, port));
            } catch (IllegalStateException e) {
                last = e;
            }
        }
        throw last;
    }

    public int port() {
        return port;
    }

    /** The URL for {@code cluster.redis}; {@code query} such as {@code "timeout=200ms"}, or null. */
    public String url(String query) {
        return "redis://127.0.0.1:" + port + (query == null ? "" : "?" + query);
    }

    public String url() {
        return url(null);
    }

    /** SIGKILL: connections drop at once, as when a Redis host dies. */
    public void kill() {
        process.destroyForcibly();
        try {
            process.waitFor(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** A fresh, empty Redis on the same port (its script cache empty too, as after a real restart). */
    public void restart() {
        kill();
        process = launch(dir, port);
    }

    /** Stops the process (SIGSTOP): connections stay open but nothing answers. */
    public void pause() {
        signal("-STOP");
    }

    public void resume() {
        signal("-CONT");
    }

    /** One command over a plain socket (RESP inline), for tests to look at or poke Redis; the first reply line. */
    public String command(String... words) {
        StringBuilder resp = new StringBuilder("*" + words.length + "\r\n");
        for (String w : words) resp.append('$').append(w.getBytes(StandardCharsets.UTF_8).length).append("\r\n").append(w).append("\r\n");
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", port), 1000);
            s.setSoTimeout(5000);
            OutputStream out = s.getOutputStream();
            out.write(resp.toString().getBytes(StandardCharsets.UTF_8));
            out.flush();
            return readReply(s.getInputStream());
        } catch (IOException e) {
            throw new IllegalStateException("redis on port " + port + " did not answer " + String.join(" ", words), e);
        }
    }

    /** The Redis server's clock, in seconds since the epoch (TIME), which the rate-limit windows follow. */
    public long serverSeconds() {
        return Long.parseLong(command("TIME").split("\n")[0]);
    }

    /** Calls of one command since start, from INFO commandstats (evalsha, eval ...). */
    public long calls(String command) {
        String info = command("INFO", "commandstats");
        for (String line : info.split("\r\n")) {
            if (line.startsWith("cmdstat_" + command + ":calls=")) {
                String rest = line.substring(("cmdstat_" + command + ":calls=").length());
                return Long.parseLong(rest.substring(0, rest.indexOf(',')));
            }
        }
        return 0;
    }

    @Override
    public void close() {
        if (process.isAlive()) resume();
        kill();
        try (var files = Files.list(dir)) {
            for (Path p : files.toList()) Files.deleteIfExists(p);
            Files.deleteIfExists(dir);
        } catch (IOException ignored) {
            // a temp folder left behind is harmless
        }
    }

    private void signal(String sig) {
        try {
            new ProcessBuilder("kill", sig, Long.toString(process.pid())).inheritIO().start().waitFor(5, TimeUnit.SECONDS);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static Process launch(Path dir, int port) {
        List<String> cmd = new ArrayList<>(List.of(binary(), "--port", Integer.toString(port), "--bind", "127.0.0.1",
                "--save", "", "--appendonly", "no", "--dir", dir.toString(), "--daemonize", "no"));
        Process p;
        try {
            p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(dir.resolve("redis-" + port + ".log").toFile()).start();
        } catch (IOException e) {
            throw new IllegalStateException("cannot start redis-server (apt-get install redis-server)", e);
        }
        long deadline = System.nanoTime() + READY_WITHIN.toNanos();
        while (System.nanoTime() < deadline) {
            if (!p.isAlive()) throw new IllegalStateException("redis-server exited on port " + port + ": " + log(dir, port));
            if (pong(port)) return p;
            try {
                Thread.sleep(20);  // polling a process that starts in a few ms; no clock to inject here
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        p.destroyForcibly();
        throw new IllegalStateException("redis-server did not answer PING on port " + port + ": " + log(dir, port));
    }

    private static boolean pong(int port) {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", port), 200);
            s.setSoTimeout(1000);
            s.getOutputStream().write("PING\r\n".getBytes(StandardCharsets.US_ASCII));
            return readReply(s.getInputStream()).equals("+PONG");
        } catch (IOException e) {
            return false;
        }
    }

    /** The first line of a reply; for a bulk string, its content; for an array, its items one per line. */
    private static String readReply(InputStream in) throws IOException {
        String first = line(in);
        if (first.startsWith("*") && !first.equals("*-1")) {
            StringBuilder items = new StringBuilder();
            for (int i = Integer.parseInt(first.substring(1)); i > 0; i--) {
                if (items.length() > 0) items.append('\n');
                items.append(readReply(in));
            }
            return items.toString();
        }
        if (first.startsWith("$") && !first.equals("$-1")) {
            int n = Integer.parseInt(first.substring(1));
            byte[] body = in.readNBytes(n + 2);
            return new String(body, 0, n, StandardCharsets.UTF_8);
        }
        return first;
    }

    private static String line(InputStream in) throws IOException {
        StringBuilder b = new StringBuilder();
        for (int c; (c = in.read()) != -1; ) {
            if (c == '\n') break;
            if (c != '\r') b.append((char) c);
        }
        return b.toString();
    }

    private static String binary() {
        for (String candidate : List.of("/usr/bin/redis-server", "/usr/local/bin/redis-server")) {
            if (Files.isExecutable(Path.of(candidate))) return candidate;
        }
        return "redis-server";
    }

    private static String log(Path dir, int port) {
        try {
            return Files.readString(dir.resolve("redis-" + port + ".log"));
        } catch (IOException e) {
            return "(no log)";
        }
    }

    private static int freePort() {
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
