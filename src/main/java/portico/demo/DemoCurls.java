package portico.demo;

import java.util.ArrayList;
import java.util.List;

/**
 * The curl lines {@code ./portico demo} prints: each a {@code #} comment saying what it shows, then
 * the command, so the whole block can be pasted into a shell. They follow the routes of
 * examples/ecommerce/portico.yaml; DemoCurlsTest replays them through those routes.
 */
public final class DemoCurls {

    /**
     * One example request.
     *
     * @param body        JSON sent with {@code Content-Type: application/json}; null for none
     * @param status      what the service answers, checked by the test
     * @param showHeaders {@code -i}, for the examples whose point is in a header
     */
    record Example(String comment, String method, String path, String body, int status, boolean showHeaders) {
        static Example get(String comment, String path, int status) {
            return new Example(comment, "GET", path, null, status, false);
        }

        static Example post(String comment, String path, String body, int status) {
            return new Example(comment, "POST", path, body, status, false);
        }

        Example withHeaders() {
            return new Example(comment, method, path, body, status, true);
        }
    }

    static final List<Example> EXAMPLES = List.of(
            Example.get("every user (the users route keeps the path: /users goes upstream as /users)", "/users", 200),
            Example.get("one user: the gateway's response_transform strips password_hash, ssn and credit_card", "/users/1", 200),
            Example.get("no such user: the service's own 404 passes through", "/users/99", 404),
            Example.post("create a user: 201 and its new id", "/users",
                    "{\"name\":\"Zoe Washburne\",\"email\":\"zoe@example.com\"}", 201),
            Example.get("books only: the query string reaches the products service untouched", "/products?category=books", 200),
            Example.get("one product, with headers: X-Served-By names the service that answered", "/products/7", 200)
                    .withHeaders(),
            Example.get("one order", "/orders/3", 200),
            Example.get("recommendations for user 1, ~150 ms on purpose (strip_prefix: /recommendations/for/1 -> /for/1)",
                    "/recommendations/for/1", 200),
            Example.post("log in as alice: a bearer token (strip_prefix: /auth/login -> /login)", "/auth/login",
                    "{\"username\":\"alice\",\"password\":\"wonderland\"}", 200),
            Example.post("a wrong password: 401", "/auth/login",
                    "{\"username\":\"alice\",\"password\":\"queen-of-hearts\"}", 401),
            Example.get("the dashboard: user, orders and recommendations in one call, at the latency of the slowest",
                    "/dashboard/1", 200).withHeaders(),
            Example.get("version 1: the legacy shape, with Deprecation and Sunset headers", "/v1/users/1", 200).withHeaders(),
            Example.get("version 2: the same legacy service, renamed to the modern shape by a response transform",
                    "/v2/users/1", 200));

    private DemoCurls() {}

    /**
     * @param gatewayBase where the gateway listens as a user would type it, such as
     *                    {@code localhost:8080} or {@code http://127.0.0.1:8080}
     * @return comment and command lines, alternating
     */
    public static List<String> lines(String gatewayBase) {
        String base = gatewayBase.endsWith("/") ? gatewayBase.substring(0, gatewayBase.length() - 1) : gatewayBase;
        List<String> lines = new ArrayList<>();
        for (Example example : EXAMPLES) {
            lines.add("# " + example.comment());
            lines.add(curl(base, example));
        }
        return List.copyOf(lines);
    }

    private static String curl(String base, Example example) {
        StringBuilder curl = new StringBuilder(example.showHeaders() ? "curl -si" : "curl -s");
        if (!example.method().equals("GET")) curl.append(" -X ").append(example.method());
        String url = base + example.path();
        // Quoted where a shell would read '?' as a glob (zsh refuses the command outright).
        curl.append(' ').append(url.contains("?") ? "'" + url + "'" : url);
        if (example.body() != null) {
            curl.append(" -H 'Content-Type: application/json' -d '").append(example.body()).append('\'');
        }
        return curl.toString();
    }
}
