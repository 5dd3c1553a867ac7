package portico.demo;

import com.sun.net.httpserver.HttpHandler;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One sample service's HTTP server on 127.0.0.1. It can be stopped and started again on the same
 * port (a JDK {@link HttpServer} cannot restart, so each start makes a new one). Thread-safe.
 */
final class SampleServer {
    /** Enough for a demo's parallel aggregation calls while recommendations sleep. */
    private static final int THREADS = 8;

    private final String name;
    private final HttpHandler handler;
    private int port;
    private HttpServer server;
    private ExecutorService executor;

    /** {@code port}: 0 picks a free one on the first start, then every restart reuses it. */
    SampleServer(String name, int port, HttpHandler handler) {
        this.name = name;
        this.port = port;
        this.handler = handler;
    }

    synchronized void start() {
        if (server != null) return;
        InetSocketAddress address = new InetSocketAddress(InetAddress.getLoopbackAddress(), port);
        HttpServer created;
        try {
            created = HttpServer.create(address, 0);
        } catch (IOException e) {
            throw new UncheckedIOException(name + ": cannot listen on 127.0.0.1:" + port + ": " + e.getMessage(), e);
        }
        executor = Executors.newFixedThreadPool(THREADS, daemonThreads());
        created.setExecutor(executor);
        created.createContext("/", handler);
        created.start();
        server = created;
        port = created.getAddress().getPort();
    }

    /** Closes the listening socket and every open connection: new calls are refused at once. */
    synchronized void stop() {
        if (server == null) return;
        server.stop(0);
        executor.shutdownNow();
        server = null;
        executor = null;
    }

    synchronized int port() {
        return port;
    }

    synchronized boolean running() {
        return server != null;
    }

    /** Daemon threads, so a forgotten close() never keeps a JVM alive through the executor. */
    private ThreadFactory daemonThreads() {
        AtomicInteger count = new AtomicInteger();
        return runnable -> {
            Thread thread = new Thread(runnable, "demo-" + name + "-" + count.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        };
    }
}
