package portico.testing;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.BufferedOutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A small blocking HTTP/1.1 server on port 0 for end-to-end tests: records what arrived, answers
 * from scripted handlers (longest path prefix wins), and plays {@link Fault}s at the byte level.
 * Deliberately not built on Netty, so that it cannot share a bug with the gateway under test.
 */
public final class FakeUpstream implements AutoCloseable {
    public static final int RECORDED_BODY_LIMIT = 1024 * 1024;

    /** Answers one request. */
    @FunctionalInterface
    public interface Handler {
        void handle(RecordedRequest request, Responder response) throws Exception;
    }

    private final ServerSocket server;
    private final ExecutorService threads = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "fake-upstream");
        t.setDaemon(true);
        return t;
    });
    private final ConcurrentSkipListMap<String, Handler> handlers = new ConcurrentSkipListMap<>();
    private final Map<String, Fault> faults = new ConcurrentHashMap<>();
    private final BlockingQueue<RecordedRequest> requests = new LinkedBlockingQueue<>();
    private final AtomicInteger connections = new AtomicInteger();
    private final AtomicInteger requestCount = new AtomicInteger();
    private final AtomicInteger open = new AtomicInteger();
    private final Set<Socket> sockets = ConcurrentHashMap.newKeySet();
    private volatile Fault acceptFault;
    private volatile boolean closed;

    private FakeUpstream(int port) throws IOException {
        server = new ServerSocket();
        server.setReuseAddress(true);
        server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 512);
        threads.execute(this::acceptLoop);
    }

    public static FakeUpstream start() {
        return start(0);
    }

    /** On a given port, e.g. to bring an upstream back where it was. */
    public static FakeUpstream start(int port) {
        try {
            return new FakeUpstream(port);
        } catch (IOException e) {
            throw new IllegalStateException("cannot start fake upstream", e);
        }
    }

    public int port() {
        return server.getLocalPort();
    }

    public String url() {
        return "http://127.0.0.1:" + port();
    }

    /** Answers requests under {@code pathPrefix} with this status and (JSON) body. */
    public FakeUpstream respond(String pathPrefix, int status, String body) {
        return handle(pathPrefix, (req, res) -> res.status(status).body(body));
    }

    public FakeUpstream handle(String pathPrefix, Handler handler) {
        handlers.put(pathPrefix, handler);
        return this;
    }

    public FakeUpstream fault(String pathPrefix, Fault fault) {
        faults.put(pathPrefix, fault);
        return this;
    }

    /** A fault for every new connection, before any request is read. */
    public FakeUpstream faultOnAccept(Fault fault) {
        this.acceptFault = fault;
        return this;
    }

    /** The next recorded request; fails after 5 s with "no request reached the upstream". */
    public RecordedRequest takeRequest() {
        try {
            RecordedRequest r = requests.poll(5, TimeUnit.SECONDS);
            if (r == null) throw new AssertionError("no request reached the upstream");
            return r;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    public List<RecordedRequest> recorded() {
        return new ArrayList<>(requests);
    }

    public int requestCount() {
        return requestCount.get();
    }

    /** Connections accepted so far. */
    public int connectionCount() {
        return connections.get();
    }

    /** Connections open now. */
    public int openConnections() {
        return open.get();
    }

    private void acceptLoop() {
        while (!closed) {
            try {
                Socket s = server.accept();
                int id = connections.incrementAndGet();
                open.incrementAndGet();
                sockets.add(s);
                if (closed) {
                    // Accepted while close() ran: nobody will serve it, so it must not stay open
                    // (the gateway would wait on it for its response timeout).
                    closeQuietly(s);
                    return;
                }
                try {
                    threads.execute(() -> serve(s, id));
                } catch (java.util.concurrent.RejectedExecutionException e) {
                    closeQuietly(s);
                    return;
                }
            } catch (IOException e) {
                return;
            }
        }
    }

    private void serve(Socket s, int connectionId) {
        try (s) {
            s.setTcpNoDelay(true);
            if (acceptFault == Fault.CLOSE_ON_ACCEPT) return;
            InputStream in = new BufferedInputStream(s.getInputStream());
            OutputStream out = new BufferedOutputStream(s.getOutputStream(), 64 * 1024);
            while (!closed) {
                RecordedRequest req = readRequest(in, connectionId);
                if (req == null) return;
                requestCount.incrementAndGet();
                requests.add(req);
                Fault fault = lookup(faults, req.path());
                if (fault != null) {
                    play(fault, s, out);
                    return;
                }
                Handler h = lookup(handlers, req.path());
                Responder res = new Responder(out);
                if (h == null) {
                    res.status(200).body("{\"ok\":true}");
                } else {
                    h.handle(req, res);
                    if (!res.committed()) res.body(new byte[0]);
                }
                out.flush();
                if (res.closeAfter || "close".equalsIgnoreCase(req.header("connection"))) return;
            }
        } catch (Exception e) {
            // The peer went away or a fault ended the connection: nothing to report.
        } finally {
            open.decrementAndGet();
            sockets.remove(s);
        }
    }

    private static <T> T lookup(Map<String, T> byPrefix, String path) {
        String best = null;
        for (String prefix : byPrefix.keySet()) {
            if (path.startsWith(prefix) && (best == null || prefix.length() > best.length())) best = prefix;
        }
        return best == null ? null : byPrefix.get(best);
    }

    private void play(Fault fault, Socket s, OutputStream out) throws IOException, InterruptedException {
        switch (fault) {
            case RESET_BEFORE_RESPONSE -> reset(s);
            case RESET_MID_BODY -> {
                out.write(("HTTP/1.1 200 OK\r\nContent-Length: 1048576\r\nContent-Type: text/plain\r\n\r\n0123456789")
                        .getBytes(StandardCharsets.US_ASCII));
                out.flush();
                Thread.sleep(100);
                reset(s);
            }
            case NO_RESPONSE -> waitForClose(s);
            case SLOW_HEADERS -> {
                out.write("HTTP/1.1 200 OK\r\n".getBytes(StandardCharsets.US_ASCII));
                out.flush();
                waitForClose(s);
            }
            case SLOW_BODY -> {
                out.write(("HTTP/1.1 200 OK\r\nContent-Length: 1048576\r\nContent-Type: text/plain\r\n\r\n0123456789")
                        .getBytes(StandardCharsets.US_ASCII));
                out.flush();
                waitForClose(s);
            }
            case GARBAGE_STATUS_LINE -> {
                out.write("SMTP READY 220 hello\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
                out.flush();
                waitForClose(s);
            }
            case CLOSE_ON_ACCEPT -> { }
        }
    }

    private static void reset(Socket s) throws IOException {
        s.setSoLinger(true, 0);  // close with RST, not FIN
        s.close();
    }

    private void waitForClose(Socket s) {
        try {
            s.setSoTimeout(30_000);
            while (!closed && s.getInputStream().read() >= 0) {
                // discard until the other side closes
            }
        } catch (IOException e) {
            // closed
        }
    }

    private static RecordedRequest readRequest(InputStream in, int connectionId) throws IOException {
        String line = readLine(in);
        if (line == null) return null;
        while (line.isEmpty()) {
            line = readLine(in);
            if (line == null) return null;
        }
        String[] parts = line.split(" ");
        if (parts.length != 3) throw new IOException("bad request line: " + line);
        Map<String, List<String>> headers = new LinkedHashMap<>();
        for (String h = readLine(in); h != null && !h.isEmpty(); h = readLine(in)) {
            int colon = h.indexOf(':');
            if (colon <= 0) throw new IOException("bad header: " + h);
            headers.computeIfAbsent(h.substring(0, colon).trim().toLowerCase(Locale.ROOT), k -> new ArrayList<>())
                    .add(h.substring(colon + 1).trim());
        }
        boolean chunked = headers.getOrDefault("transfer-encoding", List.of()).stream()
                .anyMatch(v -> v.toLowerCase(Locale.ROOT).contains("chunked"));
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        long length = 0;
        if (chunked) {
            while (true) {
                String sizeLine = readLine(in);
                if (sizeLine == null) throw new IOException("eof in chunk size");
                int semi = sizeLine.indexOf(';');
                long size = Long.parseLong((semi < 0 ? sizeLine : sizeLine.substring(0, semi)).trim(), 16);
                if (size == 0) {
                    while (true) {
                        String trailer = readLine(in);
                        if (trailer == null || trailer.isEmpty()) break;
                    }
                    break;
                }
                length += copy(in, size, body);
                readLine(in);
            }
        } else if (headers.containsKey("content-length")) {
            long size = Long.parseLong(headers.get("content-length").get(0));
            length = copy(in, size, body);
        }
        byte[] recorded = length <= RECORDED_BODY_LIMIT ? body.toByteArray() : null;
        return new RecordedRequest(parts[0], parts[1], headers, recorded, length, chunked, connectionId);
    }

    private static long copy(InputStream in, long size, ByteArrayOutputStream keep) throws IOException {
        byte[] buf = new byte[64 * 1024];
        long left = size;
        while (left > 0) {
            int n = in.read(buf, 0, (int) Math.min(buf.length, left));
            if (n < 0) throw new IOException("eof in body");
            if (keep.size() + n <= RECORDED_BODY_LIMIT) keep.write(buf, 0, n);
            left -= n;
        }
        return size;
    }

    private static String readLine(InputStream in) throws IOException {
        StringBuilder sb = new StringBuilder();
        int c;
        while ((c = in.read()) >= 0) {
            if (c == '\n') {
                int len = sb.length();
                if (len > 0 && sb.charAt(len - 1) == '\r') sb.setLength(len - 1);
                return sb.toString();
            }
            sb.append((char) c);
        }
        return sb.length() == 0 ? null : sb.toString();
    }

    @Override
    public void close() {
        closed = true;
        try {
            server.close();
        } catch (IOException e) {
            // already closed
        }
        for (Socket s : sockets) {
            try {
                s.close();
            } catch (IOException e) {
                // already closed
            }
        }
        threads.shutdownNow();
    }

    private static void closeQuietly(Socket s) {
        try {
            s.close();
        } catch (IOException e) {
            // already closed
        }
    }

    static boolean isReset(Exception e) {
        return e instanceof SocketException;
    }
}
