package portico.demo;

import java.util.ArrayList;
import java.util.List;

/**
 * The curl lines {@code ./portico demo} prints: each a {@code #} comment saying what it shows, then
 * the command, so the whole block can be pasted into a shell. The first logs in and keeps the
 * token in {@code $TOKEN}; the calls after it send it, as every route but login and the product
 * catalogue requires. They follow examples/ecommerce/portico.yaml; DemoCurlsTest plays them through
 * a gateway running that config.
 */
public final class DemoCurls {

    /** What a curl sends as credentials. */
    enum Auth {
        /** nothing */
        NONE,
        /** logs in and keeps the token in $TOKEN */
        LOGIN,
        /** {@code -H "Authorization: Bearer $TOKEN"} */
        TOKEN,
        /** an unsigned token ({@code alg: none}) that the gateway must refuse */
        FORGED
    }

    /** An unsigned token claiming to be user 1: {"alg":"none"} . {"iss":"portico-demo-auth","sub":"1"} . (no signature). */
    static final String FORGED_TOKEN = "eyJhbGciOiJub25lIn0.eyJpc3MiOiJwb3J0aWNvLWRlbW8tYXV0aCIsInN1YiI6IjEifQ.";

    /**
     * One example request.
     *
     * @param body        JSON sent with {@code Content-Type: application/json}; null for none
     * @param status      what the answer's status is, checked by the test
     * @param showHeaders {@code -i}, for the examples whose point is in a header
     */
    record Example(String comment, String method, String path, String body, int status, boolean showHeaders, Auth auth) {
        static Example get(String comment, String path, int status) {
            return new Example(comment, "GET", path, null, status, false, Auth.TOKEN);
        }

        static Example post(String comment, String path, String body, int status) {
            return new Example(comment, "POST", path, body, status, false, Auth.TOKEN);
        }

        Example withHeaders() {
            return new Example(comment, method, path, body, status, true, auth);
        }

        Example sending(Auth credentials) {
            return new Example(comment, method, path, body, status, showHeaders, credentials);
        }
    }

    static final String ALICE = "{\"username\":\"alice\",\"password\":\"wonderland\"}";

    static final List<Example> EXAMPLES = List.of(
            Example.post("log in as alice: the answer is a JWT signed for the gateway (HS256); keep it in $TOKEN",
                    "/auth/login", ALICE, 200).sending(Auth.LOGIN),
            Example.get("books only, no login needed: the query string reaches the products service untouched",
                    "/products?category=books", 200).sending(Auth.NONE),
            Example.get("one product, with headers: X-Served-By names the service that answered", "/products/7", 200)
                    .withHeaders().sending(Auth.NONE),
            Example.get("every user, with the token (the users route keeps the path: /users goes upstream as /users)", "/users", 200),
            Example.get("one user: the gateway's response_transform strips password_hash, ssn and credit_card", "/users/1", 200),
            Example.get("no such user: the service's own 404 passes through", "/users/99", 404),
            Example.post("create a user: 201 and its new id", "/users",
                    "{\"name\":\"Zoe Washburne\",\"email\":\"zoe@example.com\"}", 201),
            Example.get("my orders: the gateway sends the token's sub as X-User-Id, so only alice's come back", "/orders", 200),
            Example.get("one order", "/orders/3", 200),
            Example.get("recommendations for user 1, ~150 ms on purpose (strip_prefix: /recommendations/for/1 -> /for/1)",
                    "/recommendations/for/1", 200),
            Example.get("the dashboard: user, orders and recommendations in one call, at the latency of the slowest",
                    "/dashboard/1", 200).withHeaders(),
            Example.get("version 1: the legacy shape, with Deprecation and Sunset headers", "/v1/users/1", 200).withHeaders(),
            Example.get("version 2: the same legacy service, renamed to the modern shape by a response transform",
                    "/v2/users/1", 200),
            Example.get("no token: 401 from the gateway, with a Bearer challenge; the service is never called", "/users/1", 401)
                    .withHeaders().sending(Auth.NONE),
            Example.get("a forged, unsigned token (alg none): 401 invalid_token", "/users/1", 401)
                    .withHeaders().sending(Auth.FORGED),
            Example.post("a wrong password: 401 from the auth service", "/auth/login",
                    "{\"username\":\"alice\",\"password\":\"queen-of-hearts\"}", 401).sending(Auth.NONE));

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
            lines.add(command(base, example));
        }
        return List.copyOf(lines);
    }

    private static String command(String base, Example example) {
        StringBuilder curl = new StringBuilder(example.showHeaders() ? "curl -si" : "curl -s");
        if (!example.method().equals("GET")) curl.append(" -X ").append(example.method());
        String url = base + example.path();
        // Quoted where a shell would read '?' as a glob (zsh refuses the command outright).
        curl.append(' ').append(url.contains("?") ? "'" + url + "'" : url);
        switch (example.auth()) {
            case TOKEN -> curl.append(" -H \"Authorization: Bearer $TOKEN\"");
            case FORGED -> curl.append(" -H 'Authorization: Bearer ").append(FORGED_TOKEN).append('\'');
            default -> { }
        }
        if (example.body() != null) {
            curl.append(" -H 'Content-Type: application/json' -d '").append(example.body()).append('\'');
        }
        if (example.auth() == Auth.LOGIN) {
            // No jq needed: the token is the one "token" string in the answer.
            return "TOKEN=$(" + curl + " | sed -E 's/.*\"token\":\"([^\"]+)\".*/\\1/'); echo \"$TOKEN\"";
        }
        return curl.toString();
    }
}
