package portico.demo;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * A sample service's routes by method and path pattern. Every answer is JSON and names the service
 * in {@code X-Served-By}, so a user calling through the gateway sees who answered. Every service
 * also gets {@code GET /health}. Unknown paths are 404, a known path with another method 405.
 * Called on the server's executor threads; immutable after construction.
 */
final class JsonRouter implements HttpHandler {

    /** One endpoint; may block (the recommendations latency does), never on an event loop. */
    @FunctionalInterface
    interface Endpoint {
        Reply handle(Call call) throws IOException;
    }

    /** Ends an endpoint early with a reply, such as a 400 for a body that is not JSON; stackless. */
    static final class Rejected extends RuntimeException {
        final Reply reply;

        Rejected(Reply reply) {
            super(reply.body().toString(), null, false, false);
            this.reply = reply;
        }
    }

    /** {@code pattern}: segments, where {@code {name}} captures exactly one segment. */
    record Route(String method, String pattern, Endpoint endpoint) {}

    static Route get(String pattern, Endpoint endpoint) {
        return new Route("GET", pattern, endpoint);
    }

    static Route post(String pattern, Endpoint endpoint) {
        return new Route("POST", pattern, endpoint);
    }

    private final String service;
    private final List<Route> routes;

    JsonRouter(String service, List<Route> routes) {
        this.service = service;
        List<Route> all = new ArrayList<>(routes);
        all.add(get("/health", call -> Reply.ok(Json.object().put("status", "up"))));
        this.routes = List.copyOf(all);
    }

    @Override
    public void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            send(exchange, reply(exchange));
        }
    }

    private Reply reply(HttpExchange exchange) {
        List<String> path = segments(exchange.getRequestURI().getPath());
        // HEAD is GET without the body (RFC 9110 section 9.3.2); send() leaves the body out.
        String method = isHead(exchange) ? "GET" : exchange.getRequestMethod();
        TreeSet<String> allowed = new TreeSet<>();
        for (Route route : routes) {
            Map<String, String> captures = match(segments(route.pattern()), path);
            if (captures == null) continue;
            if (!route.method().equals(method)) {
                allowed.add(route.method());
                continue;
            }
            try {
                return route.endpoint().handle(new Call(exchange, captures));
            } catch (Rejected e) {
                return e.reply;
            } catch (IOException | RuntimeException e) {
                return Reply.error(500, "internal error");  // a sample service has no log to point to
            }
        }
        if (allowed.isEmpty()) return Reply.notFound("not found");
        Reply refused = Reply.error(405, "method not allowed");
        return new Reply(405, refused.body(), Map.of("Allow", String.join(", ", allowed)));
    }

    private void send(HttpExchange exchange, Reply reply) throws IOException {
        // A trailing newline keeps the shell prompt off the JSON when a user curls the service.
        byte[] body = (Json.MAPPER.writeValueAsString(reply.body()) + "\n").getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", "application/json");
        exchange.getResponseHeaders().set("X-Served-By", service);
        reply.headers().forEach(exchange.getResponseHeaders()::set);
        if (isHead(exchange)) {
            exchange.sendResponseHeaders(reply.status(), -1);  // -1: no body follows
            return;
        }
        exchange.sendResponseHeaders(reply.status(), body.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(body);
        }
    }

    private static boolean isHead(HttpExchange exchange) {
        return exchange.getRequestMethod().equals("HEAD");
    }

    /** Empty segments dropped, so {@code /users/} and {@code //users} are {@code /users}. */
    private static List<String> segments(String path) {
        return Arrays.stream(path.split("/")).filter(s -> !s.isEmpty()).toList();
    }

    private static Map<String, String> match(List<String> pattern, List<String> path) {
        if (pattern.size() != path.size()) return null;
        Map<String, String> captures = new HashMap<>();
        for (int i = 0; i < pattern.size(); i++) {
            String p = pattern.get(i);
            if (p.startsWith("{") && p.endsWith("}")) captures.put(p.substring(1, p.length() - 1), path.get(i));
            else if (!p.equals(path.get(i))) return null;
        }
        return captures;
    }
}
