package portico.demo;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.sun.net.httpserver.HttpHandler;
import java.time.Clock;
import java.time.Duration;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * The five services of the bundled online shop (examples/ecommerce), each a small JSON server on
 * 127.0.0.1: auth, users, products, orders, recommendations. {@code ./portico demo} starts them
 * behind a gateway; {@link #stop} and {@link #restart} let it show a service going down and back.
 *
 * <p>Every response is {@code application/json} with {@code X-Served-By: <service>}; every service
 * answers {@code GET /health} with {@code {"status":"up"}}, unknown paths with 404
 * {@code {"error":"not found"}}. Nothing is logged per request. Data comes from the classpath
 * ({@code demo/*.json}); users created by POST live until the process ends, across restarts.
 *
 * <p>The JDK's server threads do not end by themselves: call {@link #close()} when done.
 */
public final class SampleServices implements AutoCloseable {

    /** Service name to port, in port order: what examples/ecommerce/portico.yaml points at. */
    public static final Map<String, Integer> DEFAULT_PORTS = defaultPorts();

    /** The issuer of the auth service's tokens, which the demo config's {@code shop-web} consumer names. */
    public static final String TOKEN_ISSUER = AuthService.ISSUER;

    private final Map<String, SampleServer> servers;

    private SampleServices(Map<String, SampleServer> servers) {
        this.servers = servers;
    }

    /** {@link #start(Map, Duration)} with the demo's 150 ms recommendations latency. */
    public static SampleServices start(Map<String, Integer> ports) {
        return start(ports, RecommendationsService.DEMO_LATENCY);
    }

    /** With the demo's 150 ms recommendations latency; the auth service signs with {@code jwtSecret}. */
    public static SampleServices start(Map<String, Integer> ports, byte[] jwtSecret) {
        return start(ports, RecommendationsService.DEMO_LATENCY, jwtSecret);
    }

    /** The auth service signing with {@code DEMO_JWT_SECRET} (or the demo default), as the demo config reads it. */
    public static SampleServices start(Map<String, Integer> ports, Duration recommendationsLatency) {
        return start(ports, recommendationsLatency, AuthService.secretFromEnvironment());
    }

    /**
     * Starts all five services and returns once each is listening.
     *
     * @param ports                  service name to port; 0 picks a free port (tests); a service
     *                               not in the map gets its {@link #DEFAULT_PORTS default}
     * @param recommendationsLatency how long {@code GET /for/{userId}} waits before answering
     * @param jwtSecret              the HS256 secret the auth service signs tokens with: the gateway's
     *                               {@code consumers.shop-web.jwt.secret}
     * @throws IllegalArgumentException       for a name that is no sample service
     * @throws java.io.UncheckedIOException   when a port is taken; nothing is left running then
     */
    public static SampleServices start(Map<String, Integer> ports, Duration recommendationsLatency, byte[] jwtSecret) {
        for (String name : ports.keySet()) known(name);
        Map<String, HttpHandler> handlers = handlers(recommendationsLatency, jwtSecret);
        Map<String, SampleServer> servers = new LinkedHashMap<>();
        SampleServices services = new SampleServices(Collections.unmodifiableMap(servers));
        try {
            for (String name : DEFAULT_PORTS.keySet()) {
                SampleServer server = new SampleServer(name, ports.getOrDefault(name, DEFAULT_PORTS.get(name)), handlers.get(name));
                servers.put(name, server);
                server.start();
            }
        } catch (RuntimeException e) {
            services.close();
            throw e;
        }
        return services;
    }

    /** The names of the services, in port order. */
    public Set<String> names() {
        return servers.keySet();
    }

    /** The port a service listens on (or will again after {@link #restart}); never 0. */
    public int port(String service) {
        return server(service).port();
    }

    /** {@code http://127.0.0.1:PORT}, the base a gateway config's service {@code url} needs. */
    public String url(String service) {
        return "http://127.0.0.1:" + port(service);
    }

    public boolean running(String service) {
        return server(service).running();
    }

    /** Closes the service's socket and connections; calls to it are refused until {@link #restart}. */
    public void stop(String service) {
        server(service).stop();
    }

    /**
     * Starts a service again on the same port with the same data (stopping it first if running).
     *
     * @throws java.io.UncheckedIOException when something else took the port meanwhile
     */
    public void restart(String service) {
        SampleServer server = server(service);
        server.stop();
        server.start();
    }

    /** Stops every service; safe to call twice. */
    @Override
    public void close() {
        servers.values().forEach(SampleServer::stop);
    }

    private SampleServer server(String service) {
        return servers.get(known(service));
    }

    private static String known(String service) {
        if (!DEFAULT_PORTS.containsKey(service)) {
            throw new IllegalArgumentException("unknown sample service: " + service + " (expected one of: "
                    + String.join(", ", DEFAULT_PORTS.keySet()) + ")");
        }
        return service;
    }

    private static Map<String, HttpHandler> handlers(Duration recommendationsLatency, byte[] jwtSecret) {
        ArrayNode products = Json.resource("products.json", ArrayNode.class);
        return Map.of(
                AuthService.NAME, new AuthService(Json.resource("credentials.json", ArrayNode.class), jwtSecret,
                        Clock.systemUTC()).router(),
                UsersService.NAME, new UsersService(Json.resource("users.json", ArrayNode.class), Clock.systemUTC()).router(),
                ProductsService.NAME, new ProductsService(products).router(),
                OrdersService.NAME, new OrdersService(Json.resource("orders.json", ArrayNode.class)).router(),
                RecommendationsService.NAME, new RecommendationsService(Json.resource("recommendations.json", JsonNode.class),
                        products, recommendationsLatency).router());
    }

    private static Map<String, Integer> defaultPorts() {
        Map<String, Integer> ports = new LinkedHashMap<>();
        ports.put(AuthService.NAME, 3001);
        ports.put(UsersService.NAME, 3002);
        ports.put(ProductsService.NAME, 3003);
        ports.put(OrdersService.NAME, 3004);
        ports.put(RecommendationsService.NAME, 3005);
        return Collections.unmodifiableMap(ports);
    }
}
