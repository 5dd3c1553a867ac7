package portico.demo;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpExchange;
import java.io.IOException;
import java.io.InputStream;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;

/** One request as an endpoint sees it: path captures, query parameters, headers and a JSON body. */
final class Call {
    /** Sample bodies are a login or a new user; anything bigger is a mistake worth a 413. */
    private static final int MAX_BODY_BYTES = 64 * 1024;

    private final HttpExchange exchange;
    private final Map<String, String> captures;

    Call(HttpExchange exchange, Map<String, String> captures) {
        this.exchange = exchange;
        this.captures = Map.copyOf(captures);
    }

    /** The path segment a {@code {name}} in the route pattern captured. */
    String capture(String name) {
        String value = captures.get(name);
        if (value == null) throw new IllegalArgumentException("no capture named " + name);
        return value;
    }

    /** The first value of a query parameter, decoded; null when absent. */
    String query(String name) {
        return queryParameters().get(name);
    }

    /** The first value of a request header; null when absent. */
    String header(String name) {
        return exchange.getRequestHeaders().getFirst(name);
    }

    /** The body parsed as JSON; a {@link JsonRouter.Rejected} 400 or 413 when it cannot be. */
    JsonNode jsonBody() throws IOException {
        byte[] body;
        try (InputStream in = exchange.getRequestBody()) {
            body = in.readNBytes(MAX_BODY_BYTES + 1);
        }
        if (body.length > MAX_BODY_BYTES) {
            throw new JsonRouter.Rejected(Reply.error(413, "body larger than " + MAX_BODY_BYTES + " bytes"));
        }
        try {
            JsonNode node = Json.MAPPER.readTree(body);
            if (node == null || node.isMissingNode()) throw new JsonRouter.Rejected(Reply.error(400, "body is empty, expected JSON"));
            return node;
        } catch (JacksonException e) {
            throw new JsonRouter.Rejected(Reply.error(400, "body is not valid JSON"));
        }
    }

    private Map<String, String> queryParameters() {
        String raw = exchange.getRequestURI().getRawQuery();
        Map<String, String> parameters = new HashMap<>();
        if (raw == null || raw.isEmpty()) return parameters;
        for (String pair : raw.split("&")) {
            int eq = pair.indexOf('=');
            String name = decode(eq < 0 ? pair : pair.substring(0, eq));
            String value = eq < 0 ? "" : decode(pair.substring(eq + 1));
            parameters.putIfAbsent(name, value);
        }
        return parameters;
    }

    private static String decode(String s) {
        try {
            return URLDecoder.decode(s, StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {  // a stray '%' is the client's mistake, not a 500
            throw new JsonRouter.Rejected(Reply.error(400, "malformed query string"));
        }
    }
}
