package portico.route;

import java.util.List;
import java.util.Map;

/**
 * The routing precedence table, shared by the unit test ({@link RoutingPrecedenceTest}) and the
 * end-to-end test over real sockets: {@link #CONFIG} is a complete config whose routes all go to
 * the one service {@code svc}, and each {@link Case} is a request and the route it must take.
 *
 * <p>Routes are listed so that file order would pick the wrong route almost every time.
 */
public final class RoutingCases {

    /** Every route forwards to {@code svc}; end-to-end tests replace its URL with a fake upstream's. */
    public static final String CONFIG = """
            version: 1
            listen: 127.0.0.1:0
            services:
              svc: {url: "http://127.0.0.1:1"}
            routes:
              - {name: users,          service: svc, match: {paths: [/users]}}
              - {name: user-by-id,     service: svc, match: {paths: ["/users/{id}"]}}
              - {name: user-me,        service: svc, match: {paths: [/users/me]}}
              - {name: users-list,     service: svc, match: {paths: ["/users$"], methods: [GET]}}
              - {name: api-host-users, service: svc, match: {hosts: [api.example.com], paths: [/users]}}
              - {name: any-example,    service: svc, match: {hosts: ["*.example.com"]}}
              - {name: any-eu-example, service: svc, match: {hosts: ["*.eu.example.com"]}}
              - {name: www-home,       service: svc, match: {hosts: [www.example.com], paths: ["/$"]}}
              - {name: orders-read,    service: svc, match: {paths: [/orders], methods: [GET, HEAD]}}
              - {name: orders-write,   service: svc, match: {paths: [/orders], methods: [POST]}}
              - {name: api,            service: svc, match: {paths: [/api]}}
              - {name: api-v2,         service: svc, match: {paths: [/api], headers: {X-API-Version: "2"}}}
              - {name: api-v3,         service: svc, match: {paths: [/api], query: {version: "3"}}}
              - {name: search,         service: svc, match: {paths: [/search]}}
              - {name: search-get,     service: svc, match: {paths: [/search], methods: [GET]}}
              - {name: report-by-name, service: svc, match: {paths: ['~^/reports/(?<name>[a-z0-9]+)$']}}
              - {name: report-latest,  service: svc, match: {paths: ["/reports/latest$"]}}
              - {name: files,          service: svc, match: {paths: ['~^/files/v(?<version>\\d+)']}}
              - {name: shop-items,     service: svc, match: {paths: ["/shops/{shop}/items"]}}
              - {name: main-shop,      service: svc, match: {paths: ["/shops/main/{section}"]}}
              - {name: admin,          service: svc, match: {paths: [/admin]}}
              - {name: public,         service: svc, match: {paths: [/public]}}
              - {name: catalog,        service: svc, match: {paths: [/products, /categories]}}
            """;

    /**
     * One request and its expected outcome.
     *
     * @param host     the Host header (lower case, no port); null means whatever the client sends by
     *                 default (the gateway's own address), which no host condition in {@link #CONFIG} matches
     * @param target   the request-target exactly as sent on the request line, query included
     * @param expected a route name, or "404", "405" or "400"
     * @param allow    for "405": the Allow header; null otherwise
     */
    public record Case(String description, String method, String host, String target, Map<String, String> headers,
                       String expected, String allow) {
        @Override
        public String toString() {
            return description;
        }
    }

    public static final List<Case> CASES = List.of(
            // path specificity
            go("an exact pattern comes before a prefix of the same path", "GET", null, "/users", "users-list"),
            go("a route whose method fails gives way to the next match", "POST", null, "/users", "users"),
            go("an exact pattern does not match the path with a trailing slash", "GET", null, "/users/", "users"),
            go("a capture comes before a shorter prefix", "GET", null, "/users/42", "user-by-id"),
            go("a literal segment comes before a capture at the same position", "GET", null, "/users/me", "user-me"),
            go("a capture pattern is a prefix too", "GET", null, "/users/42/orders", "user-by-id"),
            go("a literal pattern is a prefix too", "GET", null, "/users/me/settings", "user-me"),
            go("a prefix stops at a segment boundary: /usersX is not /users", "GET", null, "/usersX", "404"),
            go("the leftmost differing segment decides: literal main beats {shop}", "GET", null, "/shops/main/items", "main-shop"),
            go("a capture matches any other segment", "GET", null, "/shops/north/items", "shop-items"),
            go("a route with several paths matches each", "GET", null, "/categories/7", "catalog"),
            go("a route with several paths matches each (the other)", "GET", null, "/products", "catalog"),
            go("paths are case-sensitive", "GET", null, "/ADMIN", "404"),
            // hosts
            go("an exact host comes before no host, even with a shorter path", "GET", "api.example.com", "/users/me", "api-host-users"),
            go("a host with a trailing dot is the same host", "GET", "api.example.com.", "/users", "api-host-users"),
            go("when the exact host has no matching path, the wildcard host is next", "GET", "api.example.com", "/orders", "any-example"),
            go("a wildcard host comes before no host", "GET", "shop.example.com", "/users/me", "any-example"),
            go("a longer wildcard suffix comes first", "GET", "paris.eu.example.com", "/users", "any-eu-example"),
            go("a wildcard matches more than one label", "GET", "a.b.example.com", "/x", "any-example"),
            go("*.example.com does not match example.com itself", "GET", "example.com", "/users/42", "user-by-id"),
            go("an exact root pattern matches / only", "GET", "www.example.com", "/", "www-home"),
            go("an exact root pattern does not match other paths", "GET", "www.example.com", "/about", "any-example"),
            // methods, headers, query
            go("methods select between routes of the same path", "GET", null, "/orders", "orders-read"),
            go("methods select between routes of the same path (write)", "POST", null, "/orders", "orders-write"),
            go("HEAD is a method like any other", "HEAD", null, "/orders/7", "orders-read"),
            new Case("405 when host and path match but no route allows the method", "DELETE", null, "/orders/7",
                    Map.of(), "405", "GET, HEAD, POST"),
            go("404, not 405, when no route matches the path", "DELETE", null, "/nothing/here", "404"),
            go("without conditions met, the unconditioned route", "GET", null, "/api/items", "api"),
            new Case("a header condition comes before no condition", "GET", null, "/api/items",
                    Map.of("X-API-Version", "2"), "api-v2", null),
            new Case("header values are compared exactly", "GET", null, "/api/items",
                    Map.of("X-API-Version", "1"), "api", null),
            go("a query condition comes before no condition", "GET", null, "/api/items?version=3", "api-v3"),
            new Case("equal specificity: file order decides", "GET", null, "/api/items?version=3",
                    Map.of("X-API-Version", "2"), "api-v2", null),
            go("a method list counts as a condition", "GET", null, "/search?q=x", "search-get"),
            go("other methods go to the unconditioned route", "POST", null, "/search", "search"),
            // regexes
            go("a literal pattern comes before a regex", "GET", null, "/reports/latest", "report-latest"),
            go("a regex matches what no literal pattern does", "GET", null, "/reports/q3", "report-by-name"),
            go("an anchored regex is exact", "GET", null, "/reports/q3/pdf", "404"),
            go("an unanchored regex is a prefix", "GET", null, "/files/v2/a.txt", "files"),
            go("an unanchored regex stops at a segment boundary", "GET", null, "/files/v2x", "404"),
            // normalization and traversal
            go("%2F is not a separator: ..%2Fadmin stays one segment under /public", "GET", null, "/public/..%2Fadmin", "public"),
            go("an encoded slash in any case stays encoded", "GET", null, "/public/%2e%2e%2fadmin", "public"),
            go("%2e%2e is a dot segment and reaches /admin, as /admin itself would", "GET", null, "/public/%2e%2e/admin", "admin"),
            go("a plain dot-dot segment is removed before routing", "GET", null, "/public/../admin", "admin"),
            go("dot segments above the root stay at the root", "GET", null, "/../../admin/x", "admin"),
            go("duplicate slashes are merged", "GET", null, "//admin//x", "admin"),
            go("encoded unreserved characters are decoded", "GET", null, "/%61dmin", "admin"),
            go("an encoded backslash is refused", "GET", null, "/public/..%5Cadmin", "400"),
            go("an encoded NUL is refused", "GET", null, "/public/a%00", "400"),
            go("a malformed escape is refused", "GET", null, "/public/%zz", "400"));

    private RoutingCases() {}

    private static Case go(String description, String method, String host, String target, String expected) {
        return new Case(description, method, host, target, Map.of(), expected, null);
    }
}
