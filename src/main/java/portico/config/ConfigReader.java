package portico.config;

import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Reads the YAML tree into {@link GatewayConfig}. Each section declares its keys (so unknown ones
 * are reported with a suggestion) and checks its values where it reads them; cross-references
 * (a route's service) are checked once everything is read.
 */
final class ConfigReader {
    private static final Set<String> METHODS = Set.of("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "TRACE", "CONNECT");
    private static final Pattern HOST_PATTERN = Pattern.compile("(\\*\\.)?[a-z0-9]([a-z0-9-]*[a-z0-9])?(\\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*\\.?");
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.-]*");
    private static final Pattern TOKEN = Pattern.compile("[!#$%&'*+.^_`|~0-9A-Za-z-]+");

    private final String source;

    ConfigReader(String source) {
        this.source = source;
    }

    GatewayConfig read(ConfigNode root) {
        if (!root.object("version", "listen", "trusted_proxies", "limits", "shutdown_grace", "services", "routes")) {
            if (root.present()) return null;
        }
        ConfigNode version = root.get("version");
        if (!version.present()) {
            version.error("is required (version: 1)");
        } else {
            version.integer(1, 1, 1);
        }
        List<ListenerConfig> listen = listeners(root.get("listen"));
        List<Cidr> trusted = cidrs(root.get("trusted_proxies"));
        Limits limits = limits(root.get("limits"));
        Duration grace = root.get("shutdown_grace").duration(Duration.ofSeconds(30));
        Map<String, ServiceConfig> services = services(root.get("services"));
        List<RouteConfig> routes = routes(root.get("routes"), services);
        return new GatewayConfig(source, listen, trusted, limits, grace, services, routes);
    }

    private List<ListenerConfig> listeners(ConfigNode node) {
        List<ListenerConfig> out = new ArrayList<>();
        if (!node.present()) {
            out.add(new ListenerConfig("0.0.0.0", 8080, null));
            return out;
        }
        for (ConfigNode item : node.items()) {
            if (item.isObject()) {
                item.object("address", "tls");
                ListenerConfig.Tls tls = null;
                ConfigNode t = item.get("tls");
                if (t.present() && t.object("cert", "key")) {
                    String cert = t.get("cert").requiredText();
                    String key = t.get("key").requiredText();
                    if (cert != null && key != null) tls = new ListenerConfig.Tls(resolve(cert), resolve(key));
                }
                ListenerConfig l = address(item.get("address"), tls);
                if (l != null) out.add(l);
            } else {
                ListenerConfig l = address(item, null);
                if (l != null) out.add(l);
            }
        }
        if (out.isEmpty() && !node.problems().hasErrors()) node.error("needs at least one address");
        return out;
    }

    private java.nio.file.Path resolve(String file) {
        java.nio.file.Path p = java.nio.file.Path.of(file);
        java.nio.file.Path base = java.nio.file.Path.of(source).toAbsolutePath().getParent();
        return p.isAbsolute() || base == null ? p : base.resolve(p);
    }

    private ListenerConfig address(ConfigNode node, ListenerConfig.Tls tls) {
        String text = node.requiredText();
        if (text == null) return null;
        int colon = text.lastIndexOf(':');
        if (colon <= 0) {
            node.error("expected HOST:PORT such as 0.0.0.0:8080, was '" + text + "'");
            return null;
        }
        String host = text.substring(0, colon);
        if (host.startsWith("[") && host.endsWith("]")) host = host.substring(1, host.length() - 1);
        int port;
        try {
            port = Integer.parseInt(text.substring(colon + 1));
        } catch (NumberFormatException e) {
            port = -1;
        }
        if (port < 0 || port > 65535) {
            node.error("port must be within 0..65535, was '" + text.substring(colon + 1) + "'");
            return null;
        }
        return new ListenerConfig(host, port, tls);
    }

    private List<Cidr> cidrs(ConfigNode node) {
        List<Cidr> out = new ArrayList<>();
        for (ConfigNode item : node.items()) {
            String s = item.text(null);
            if (s == null) continue;
            try {
                out.add(Cidr.parse(s));
            } catch (IllegalArgumentException e) {
                item.error(e.getMessage());
            }
        }
        return out;
    }

    private Limits limits(ConfigNode node) {
        Limits d = Limits.DEFAULTS;
        node.object("max_header_bytes", "max_uri_bytes", "max_body_bytes", "max_connections", "header_timeout", "keepalive_timeout");
        long header = positive(node.get("max_header_bytes"), d.maxHeaderBytes());
        long uri = positive(node.get("max_uri_bytes"), d.maxUriBytes());
        long body = positive(node.get("max_body_bytes"), d.maxBodyBytes());
        int conns = node.get("max_connections").integer(d.maxConnections(), 1, 1_000_000);
        Duration headerTimeout = positive(node.get("header_timeout"), d.headerTimeout());
        Duration keepAlive = positive(node.get("keepalive_timeout"), d.keepAliveTimeout());
        if (header > Integer.MAX_VALUE / 2) {
            node.get("max_header_bytes").error("must be at most 1GB");
            header = d.maxHeaderBytes();
        }
        if (uri > Integer.MAX_VALUE / 2) {
            node.get("max_uri_bytes").error("must be at most 1GB");
            uri = d.maxUriBytes();
        }
        return new Limits(header, uri, body, conns, headerTimeout, keepAlive);
    }

    private static long positive(ConfigNode node, long fallback) {
        long v = node.size(fallback);
        if (v <= 0) {
            node.error("must be more than 0");
            return fallback;
        }
        return v;
    }

    private static Duration positive(ConfigNode node, Duration fallback) {
        Duration v = node.duration(fallback);
        if (v.isZero() || v.isNegative()) {
            node.error("must be more than 0");
            return fallback;
        }
        return v;
    }

    private Map<String, ServiceConfig> services(ConfigNode node) {
        Map<String, ServiceConfig> out = new LinkedHashMap<>();
        for (Map.Entry<String, ConfigNode> e : node.entries().entrySet()) {
            String name = e.getKey();
            ConfigNode s = e.getValue();
            if (!NAME.matcher(name).matches()) {
                s.error("a service name may have letters, digits, '_', '.' and '-', was '" + name + "'");
            }
            if (!s.object("url", "targets", "timeouts")) {
                if (!s.present()) s.error("needs a url or targets");
                continue;
            }
            List<TargetConfig> targets = new ArrayList<>();
            ConfigNode url = s.get("url");
            ConfigNode list = s.get("targets");
            if (url.present() && list.present()) {
                list.error("give either url or targets, not both");
            } else if (url.present()) {
                TargetConfig t = target(url, 1);
                if (t != null) targets.add(t);
            } else if (list.present()) {
                for (ConfigNode item : list.items()) {
                    item.object("url", "weight");
                    int weight = item.get("weight").integer(1, 1, 1000);
                    TargetConfig t = target(item.get("url"), weight);
                    if (t != null) targets.add(t);
                }
                if (list.items().isEmpty()) list.error("needs at least one target");
            } else {
                s.error("needs a url or targets");
            }
            ConfigNode to = s.get("timeouts");
            to.object("connect", "response", "idle");
            Timeouts d = Timeouts.DEFAULTS;
            Timeouts timeouts = new Timeouts(positive(to.get("connect"), d.connect()),
                    positive(to.get("response"), d.response()), positive(to.get("idle"), d.idle()));
            out.put(name, new ServiceConfig(name, targets, timeouts));
        }
        return out;
    }

    private TargetConfig target(ConfigNode node, int weight) {
        String text = node.requiredText();
        if (text == null) return null;
        URI uri;
        try {
            uri = new URI(text);
        } catch (URISyntaxException e) {
            node.error("not a valid URL: " + e.getReason());
            return null;
        }
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("http") && !scheme.equals("https")) {
            node.error("expected an http:// or https:// URL, was '" + text + "'");
            return null;
        }
        if (uri.getHost() == null) {
            node.error("the URL has no host: '" + text + "'");
            return null;
        }
        if (uri.getRawQuery() != null || uri.getRawFragment() != null || uri.getRawUserInfo() != null) {
            node.error("a service URL may have a path but no query, fragment or user info");
            return null;
        }
        boolean tls = scheme.equals("https");
        int port = uri.getPort() >= 0 ? uri.getPort() : (tls ? 443 : 80);
        String host = uri.getHost();
        if (host.startsWith("[") && host.endsWith("]")) host = host.substring(1, host.length() - 1);
        String path = uri.getRawPath() == null ? "" : uri.getRawPath();
        while (path.endsWith("/")) path = path.substring(0, path.length() - 1);
        return new TargetConfig(text, tls, host, port, path, weight);
    }

    private List<RouteConfig> routes(ConfigNode node, Map<String, ServiceConfig> services) {
        List<RouteConfig> out = new ArrayList<>();
        Set<String> names = new HashSet<>();
        List<ConfigNode> items = node.items();
        for (int i = 0; i < items.size(); i++) {
            ConfigNode r = items.get(i);
            if (!r.object("name", "match", "service", "strip_prefix", "preserve_host")) {
                if (r.present()) continue;
            }
            String name = r.get("name").requiredText();
            if (name != null && !NAME.matcher(name).matches()) {
                r.get("name").error("a route name may have letters, digits, '_', '.' and '-', was '" + name + "'");
            } else if (name != null && !names.add(name)) {
                r.get("name").error("another route is already named '" + name + "'");
            }
            MatchConfig match = match(r.get("match"));
            ConfigNode svc = r.get("service");
            String service = svc.requiredText();
            if (service != null && !services.containsKey(service)) {
                svc.error("no service named '" + service + "'" + Suggest.didYouMean(service, services.keySet()));
            }
            boolean strip = r.get("strip_prefix").bool(false);
            boolean preserve = r.get("preserve_host").bool(false);
            out.add(new RouteConfig(i, name == null ? "#" + i : name, match, service, strip, preserve, r.mark()));
        }
        return out;
    }

    private MatchConfig match(ConfigNode m) {
        if (!m.present()) {
            m.error("is required (for example match: {paths: [/users]})");
            return new MatchConfig(List.of(), Set.of(), List.of(), Map.of(), Map.of());
        }
        m.object("paths", "methods", "hosts", "headers", "query");
        List<String> paths = new ArrayList<>();
        for (ConfigNode p : m.get("paths").items()) {
            String s = p.requiredText();
            if (s == null) continue;
            if (!s.startsWith("/") && !s.startsWith("~")) {
                p.error("a path pattern starts with '/' (or '~' for a regex), was '" + s + "'");
                continue;
            }
            try {
                portico.route.PathPattern.compile(s);
            } catch (IllegalArgumentException e) {
                p.error(e.getMessage());
                continue;
            }
            paths.add(s);
        }
        Set<String> methods = new LinkedHashSet<>();
        for (ConfigNode meth : m.get("methods").items()) {
            String s = meth.requiredText();
            if (s == null) continue;
            String up = s.toUpperCase(Locale.ROOT);
            if (!METHODS.contains(up) && !TOKEN.matcher(s).matches()) {
                meth.error("not an HTTP method: '" + s + "'");
                continue;
            }
            methods.add(up);
        }
        List<String> hosts = new ArrayList<>();
        for (ConfigNode h : m.get("hosts").items()) {
            String s = h.requiredText();
            if (s == null) continue;
            String low = s.toLowerCase(Locale.ROOT);
            if (!HOST_PATTERN.matcher(low).matches()) {
                h.error("expected a host name such as api.example.com or *.example.com, was '" + s + "'");
                continue;
            }
            hosts.add(low.endsWith(".") ? low.substring(0, low.length() - 1) : low);
        }
        Map<String, String> headers = new LinkedHashMap<>();
        for (Map.Entry<String, String> e : m.get("headers").stringMap().entrySet()) {
            if (!TOKEN.matcher(e.getKey()).matches()) {
                m.get("headers").get(e.getKey()).error("not a header name");
                continue;
            }
            headers.put(e.getKey().toLowerCase(Locale.ROOT), e.getValue());
        }
        Map<String, String> query = m.get("query").stringMap();
        return new MatchConfig(paths, methods, hosts, headers, query);
    }
}
