package portico.plugin.cors;

import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletionStage;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;
import portico.config.ConfigNode;
import portico.config.RouteConfig;
import portico.error.ErrorKind;
import portico.error.GatewayException;
import portico.http.Exchange;
import portico.plugin.Phase;
import portico.plugin.Plugin;
import portico.plugin.PluginFactory;
import portico.plugin.Verdict;

/**
 * {@code cors}: cross-origin requests from browsers (the Fetch standard's CORS protocol). A
 * preflight is answered here with 204, before authentication, so it never needs a token; an
 * actual request from an allowed origin proceeds, and every answer to it, the service's or the
 * gateway's own (a 401 included), gets {@code Access-Control-Allow-Origin}. A cross-origin request
 * or preflight from an origin, method or header not allowed is refused with 403. Same-origin
 * requests (the Origin is the request's own host) pass untouched.
 */
public final class CorsPlugin implements Plugin {
    public static final PluginFactory<Config> FACTORY =
            PluginFactory.of("cors", Phase.CORS, CorsPlugin::parse, (c, ctx) -> new CorsPlugin(c, ctx.config().routes()));

    static final List<String> DEFAULT_METHODS = List.of("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE");
    static final Duration MAX_MAX_AGE = Duration.ofHours(24);

    /**
     * @param origins       {@code origins}: exact origins, {@code https://*.example.com} patterns
     *                      or {@code ~regex}; required. {@code "*"} alone: any origin
     * @param anyOrigin     {@code origins: ["*"]}
     * @param methods       {@code methods}: allowed in preflights, where the route takes them; default GET,
     *                      HEAD, POST, PUT, PATCH, DELETE
     * @param headers       {@code headers}: request headers allowed, lower case; null (default) allows
     *                      whatever a preflight asks for
     * @param exposeHeaders {@code expose_headers}: response headers scripts may read; default none
     * @param credentials   {@code credentials}: cookies and Authorization allowed; default false, never with {@code *}
     * @param maxAge        {@code max_age}: how long a browser may reuse a preflight answer; default 10m, at most 24h
     */
    public record Config(List<Pattern> origins, boolean anyOrigin, Set<String> methods, Set<String> headers,
                         List<String> exposeHeaders, boolean credentials, Duration maxAge) {
        public Config {
            origins = List.copyOf(origins);
            methods = Set.copyOf(methods);
            headers = headers == null ? null : Set.copyOf(headers);
            exposeHeaders = List.copyOf(exposeHeaders);
        }
    }

    /** The methods a preflight may be allowed on one route, and the header value that lists them. */
    private record Allowed(Set<String> methods, String header) {
        static Allowed of(Set<String> methods) {
            List<String> ordered = new ArrayList<>(methods);
            ordered.sort(null);
            return new Allowed(Set.copyOf(methods), String.join(", ", ordered));
        }
    }

    private final Config config;
    private final Allowed everywhere;
    /** Per route that names its methods: only those of {@code methods} it takes, so a GET route never advertises DELETE. */
    private final Map<String, Allowed> byRoute;

    CorsPlugin(Config config, List<RouteConfig> routes) {
        this.config = config;
        this.everywhere = Allowed.of(config.methods());
        Map<String, Allowed> own = new HashMap<>();
        for (RouteConfig r : routes) {
            if (r.match().methods().isEmpty()) continue;
            Set<String> both = new LinkedHashSet<>(config.methods());
            both.retainAll(r.match().methods());
            own.put(r.name(), Allowed.of(both));
        }
        this.byRoute = Map.copyOf(own);
    }

    static Config parse(ConfigNode node) {
        node.object("origins", "methods", "headers", "expose_headers", "credentials", "max_age");
        ConfigNode originsNode = node.get("origins");
        if (!originsNode.present()) {
            originsNode.error("is required (for example origins: [https://app.example.com])");
            return null;
        }
        List<Pattern> origins = new ArrayList<>();
        boolean any = false;
        for (ConfigNode item : originsNode.items()) {
            String o = item.requiredText();
            if (o == null) continue;
            if (o.equals("*")) {
                any = true;
                continue;
            }
            Pattern p = originPattern(o, item);
            if (p != null) origins.add(p);
        }
        if (any && !origins.isEmpty()) originsNode.error("'*' already allows every origin; list no others with it");
        if (!any && origins.isEmpty() && originsNode.items().isEmpty()) originsNode.error("needs at least one origin");
        Set<String> methods = new LinkedHashSet<>();
        ConfigNode methodsNode = node.get("methods");
        for (ConfigNode item : methodsNode.items()) {
            String m = item.requiredText();
            if (m != null) methods.add(m.toUpperCase(Locale.ROOT));
        }
        if (!methodsNode.present()) methods.addAll(DEFAULT_METHODS);
        Set<String> headers = null;
        if (node.get("headers").present()) {
            headers = new LinkedHashSet<>();
            for (String h : node.get("headers").strings()) headers.add(h.toLowerCase(Locale.ROOT));
        }
        List<String> expose = node.get("expose_headers").strings();
        ConfigNode credentialsNode = node.get("credentials");
        boolean credentials = credentialsNode.bool(false);
        if (credentials && any) {
            credentialsNode.error("cannot be true with origins '*': browsers refuse credentials for any origin; list the origins");
        }
        ConfigNode maxAgeNode = node.get("max_age");
        Duration maxAge = maxAgeNode.duration(Duration.ofMinutes(10));
        if (maxAge.compareTo(MAX_MAX_AGE) > 0) {
            maxAgeNode.error("must be at most 24h");
            maxAge = MAX_MAX_AGE;
        }
        return new Config(origins, any, methods, headers, expose, credentials, maxAge);
    }

    /** An origin as written: exact (compared ignoring case), with {@code *} for one or more host labels, or {@code ~regex}. */
    private static Pattern originPattern(String o, ConfigNode item) {
        if (o.startsWith("~")) {
            try {
                return Pattern.compile(o.substring(1), Pattern.CASE_INSENSITIVE);
            } catch (PatternSyntaxException e) {
                item.error("not a valid regex: " + e.getDescription());
                return null;
            }
        }
        if (!o.matches("(?i)https?://[^/?#\\s]+")) {
            item.error("an origin is scheme://host[:port] with no path, such as https://app.example.com; was '" + o + "'");
            return null;
        }
        StringBuilder regex = new StringBuilder();
        for (String part : o.split("\\*", -1)) {
            if (regex.length() > 0) regex.append("[A-Za-z0-9-]+(?:\\.[A-Za-z0-9-]+)*");
            regex.append(Pattern.quote(part));
        }
        return Pattern.compile(regex.toString(), Pattern.CASE_INSENSITIVE);
    }

    private boolean allowed(String origin) {
        if (config.anyOrigin()) return true;
        for (Pattern p : config.origins()) {
            if (p.matcher(origin).matches()) return true;
        }
        return false;
    }

    @Override
    public CompletionStage<Verdict> onRequest(Exchange ex) {
        HttpRequest req = ex.request();
        String origin = req.headers().get(HttpHeaderNames.ORIGIN);
        if (origin == null || sameOrigin(origin, req)) return Verdict.PROCEED;
        if (!allowed(origin)) return GatewayException.failed(ErrorKind.FORBIDDEN, "origin " + origin + " is not allowed (cors)");
        String asked = req.headers().get(HttpHeaderNames.ACCESS_CONTROL_REQUEST_METHOD);
        if (!req.method().equals(HttpMethod.OPTIONS) || asked == null) return Verdict.PROCEED;
        asked = asked.trim();
        Allowed allowed = byRoute.getOrDefault(ex.routeName(), everywhere);
        if (!allowed.methods().contains(asked)) {
            return GatewayException.failed(ErrorKind.FORBIDDEN, "method " + asked + " is not allowed for cross-origin requests (cors)");
        }
        List<String> askedHeaders = new ArrayList<>();
        for (String h : req.headers().getAll(HttpHeaderNames.ACCESS_CONTROL_REQUEST_HEADERS)) {
            for (String name : h.split(",")) {
                String n = name.trim().toLowerCase(Locale.ROOT);
                if (n.isEmpty()) continue;
                if (config.headers() != null && !config.headers().contains(n)) {
                    return GatewayException.failed(ErrorKind.FORBIDDEN, "header " + n + " is not allowed for cross-origin requests (cors)");
                }
                askedHeaders.add(n);
            }
        }
        HttpHeaders h = new DefaultHttpHeaders();
        h.set(HttpHeaderNames.ACCESS_CONTROL_ALLOW_METHODS, allowed.header());
        if (!askedHeaders.isEmpty()) h.set(HttpHeaderNames.ACCESS_CONTROL_ALLOW_HEADERS, String.join(", ", askedHeaders));
        h.set(HttpHeaderNames.ACCESS_CONTROL_MAX_AGE, config.maxAge().toSeconds());
        h.add(HttpHeaderNames.VARY, "Access-Control-Request-Method, Access-Control-Request-Headers");
        return Verdict.respond(new Verdict.Respond(204, h, new byte[0]));
    }

    @Override
    public void onResponse(Exchange ex, HttpResponse head) {
        HttpRequest req = ex.request();
        String origin = req.headers().get(HttpHeaderNames.ORIGIN);
        boolean wildcard = config.anyOrigin() && !config.credentials();
        // The answer depends on the Origin unless it is '*' for everyone: shared caches must know.
        if (!wildcard) addVaryOrigin(head.headers());
        if (origin == null || sameOrigin(origin, req) || !allowed(origin)) return;
        HttpHeaders h = head.headers();
        h.set(HttpHeaderNames.ACCESS_CONTROL_ALLOW_ORIGIN, wildcard ? "*" : origin);
        if (config.credentials()) h.set(HttpHeaderNames.ACCESS_CONTROL_ALLOW_CREDENTIALS, "true");
        else h.remove(HttpHeaderNames.ACCESS_CONTROL_ALLOW_CREDENTIALS);
        boolean preflight = req.method().equals(HttpMethod.OPTIONS) && req.headers().contains(HttpHeaderNames.ACCESS_CONTROL_REQUEST_METHOD);
        if (!preflight && !config.exposeHeaders().isEmpty()) {
            h.set(HttpHeaderNames.ACCESS_CONTROL_EXPOSE_HEADERS, String.join(", ", config.exposeHeaders()));
        }
    }

    private static void addVaryOrigin(HttpHeaders h) {
        for (String v : h.getAll(HttpHeaderNames.VARY)) {
            for (String part : v.split(",")) {
                String p = part.trim();
                if (p.equals("*") || p.equalsIgnoreCase("Origin")) return;
            }
        }
        h.add(HttpHeaderNames.VARY, "Origin");
    }

    /** The page's own origin: its host and port are the request's Host (a browser sends Origin on same-origin POSTs too). */
    private static boolean sameOrigin(String origin, HttpRequest req) {
        String host = req.headers().get(HttpHeaderNames.HOST);
        if (host == null) return false;
        try {
            URI u = new URI(origin);
            if (u.getHost() == null || u.getScheme() == null) return false;
            int port = u.getPort() >= 0 ? u.getPort() : (u.getScheme().equalsIgnoreCase("https") ? 443 : 80);
            String authority = u.getHost() + ":" + port;
            String h = host.contains(":") && !host.endsWith("]") ? host : host + ":" + (u.getScheme().equalsIgnoreCase("https") ? 443 : 80);
            return authority.equalsIgnoreCase(h);
        } catch (URISyntaxException e) {
            return false;
        }
    }
}
