package portico.config;

import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
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
    private static final List<String> METHODS = List.of("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "TRACE", "CONNECT");
    private static final Pattern HOST_PATTERN = Pattern.compile("(\\*\\.)?[a-z0-9]([a-z0-9-]*[a-z0-9])?(\\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*\\.?");
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.-]*");
    private static final Pattern TOKEN = Pattern.compile("[!#$%&'*+.^_`|~0-9A-Za-z-]+");

    private static final long ONE_GB = 1L << 30;  // Netty's decoder limits are ints

    private final String source;
    private final PluginSettingsReader pluginReader = new PluginSettingsReader();

    ConfigReader(String source) {
        this.source = source;
    }

    private ClusterConfig cluster(ConfigNode node) {
        if (!node.object("redis")) return ClusterConfig.NONE;
        ConfigNode redis = node.get("redis");
        String url = redis.text(null);
        if (url == null) return ClusterConfig.NONE;
        if (!url.startsWith("redis://") && !url.startsWith("rediss://")) {
            redis.error("expected a redis:// or rediss:// URL, was '" + url + "'");
            return ClusterConfig.NONE;
        }
        if (!RedisUrl.check(redis, url)) return ClusterConfig.NONE;
        return new ClusterConfig(url);
    }

    private Map<String, ConsumerConfig> consumers(ConfigNode node) {
        Map<String, ConsumerConfig> out = new LinkedHashMap<>();
        List<String> keys = new ArrayList<>(List.of("groups", "plugins"));
        keys.addAll(pluginReader.credentialKeys());
        for (Map.Entry<String, ConfigNode> e : node.entries().entrySet()) {
            String name = e.getKey();
            ConfigNode c = e.getValue();
            if (!NAME.matcher(name).matches()) {
                c.error("a consumer name may have letters, digits, '_', '.' and '-', was '" + name + "'");
            }
            c.object(keys.toArray(String[]::new));
            List<String> groups = new ArrayList<>();
            for (ConfigNode g : c.get("groups").items()) {
                String group = g.requiredText();
                if (group != null) groups.add(group);
            }
            Map<String, List<Object>> credentials = pluginReader.credentials(c);
            Map<String, PluginSpec> own = pluginReader.read(c.get("plugins"), true);
            out.put(name, new ConsumerConfig(name, groups, credentials, own, c.mark()));
        }
        pluginReader.checkAcrossConsumers(out, node.problems());
        return out;
    }

    GatewayConfig read(ConfigNode root) {
        if (!root.object("version", "listen", "trusted_proxies", "limits", "shutdown_grace", "cluster", "services", "routes",
                "consumers", "plugins")) {
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
        ClusterConfig cluster = cluster(root.get("cluster"));
        Map<String, ServiceConfig> services = services(root.get("services"));
        List<RouteConfig> routes = routes(root.get("routes"), services);
        Map<String, ConsumerConfig> consumers = consumers(root.get("consumers"));
        Map<String, PluginSpec> plugins = pluginReader.read(root.get("plugins"));
        GatewayConfig config = new GatewayConfig(source, listen, trusted, limits, grace, cluster, services, routes, consumers, plugins);
        pluginReader.checkRoutes(config, root.problems());
        // Only on a config without errors: a consumer whose credential was refused would otherwise
        // also show up as "no key can verify a token".
        if (!root.problems().hasErrors()) pluginReader.crossCheck(config);
        return config;
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
                ListenerConfig l = address(item.get("address"), tls(item.get("tls")));
                if (l != null) out.add(l);
            } else {
                ListenerConfig l = address(item, null);
                if (l != null) out.add(l);
            }
        }
        if (out.isEmpty() && !node.problems().hasErrors()) node.error("needs at least one address");
        return out;
    }

    private ListenerConfig.Tls tls(ConfigNode t) {
        if (!t.object("certificates")) return null;
        ConfigNode list = t.get("certificates");
        List<ListenerConfig.Certificate> certificates = new ArrayList<>();
        for (ConfigNode c : list.items()) {
            if (!c.object("cert", "key")) {
                if (!c.present()) c.error("needs cert and key");
                continue;
            }
            java.nio.file.Path cert = pemFile(c.get("cert"));
            java.nio.file.Path key = pemFile(c.get("key"));
            if (cert != null && key != null) certificates.add(new ListenerConfig.Certificate(cert, key));
        }
        if (!list.present()) {
            list.error("is required (a list of {cert, key})");
            return null;
        }
        if (list.isList() && list.items().isEmpty()) {
            list.error("needs at least one {cert, key}");
            return null;
        }
        if (certificates.size() > 1) {
            list.warning("only the first certificate is served for now; choosing one by SNI is not implemented yet");
        }
        return certificates.isEmpty() ? null : new ListenerConfig.Tls(certificates);
    }

    /** A file named relative to the config file; checked here so that {@code check} finds a typo, not startup. */
    private java.nio.file.Path pemFile(ConfigNode node) {
        String name = node.requiredText();
        if (name == null) return null;
        java.nio.file.Path file = resolve(name);
        if (!java.nio.file.Files.isReadable(file)) {
            node.error("cannot read " + file);
            return null;
        }
        return file;
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
                Cidr c = Cidr.parse(s);
                out.add(c);
                String meant = c.hostBitsCleared();
                if (meant != null) item.warning("has host bits set, so it means all of " + meant + "; write that, or the address alone for just one");
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
        if (header > ONE_GB) {
            node.get("max_header_bytes").error("must be at most 1GB");
            header = d.maxHeaderBytes();
        }
        if (uri > ONE_GB) {
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
            if (!s.object(serviceKeys("url", "targets", "timeouts", "plugins"))) {
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
                List<ConfigNode> items = list.items();
                Map<String, String> seen = new HashMap<>();
                for (ConfigNode item : items) {
                    if (!item.object("url", "weight")) {
                        if (!item.present()) item.error("needs a url");
                        continue;
                    }
                    int weight = item.get("weight").integer(1, 1, 1000);
                    TargetConfig t = target(item.get("url"), weight);
                    if (t == null) continue;
                    // Listed twice, one address would be two targets with their own pools and health.
                    String first = seen.putIfAbsent((t.tls() ? "https://" : "http://") + t.authority().toLowerCase(Locale.ROOT)
                            + t.basePath(), item.path().substring(item.path().lastIndexOf('.') + 1));
                    if (first != null) {
                        item.get("url").error("the same target as " + first + "; list it once, with a weight");
                        continue;
                    }
                    targets.add(t);
                }
                if (items.isEmpty() && list.isList()) list.error("needs at least one target");
            } else {
                s.error("needs a url or targets");
            }
            ConfigNode to = s.get("timeouts");
            to.object("connect", "response", "idle");
            Timeouts d = Timeouts.DEFAULTS;
            Timeouts timeouts = new Timeouts(positive(to.get("connect"), d.connect()),
                    positive(to.get("response"), d.response()), positive(to.get("idle"), d.idle()));
            Map<String, PluginSpec> own = pluginReader.read(s.get("plugins"));
            out.put(name, new ServiceConfig(name, targets, timeouts, own, ResilienceReader.service(s)));
        }
        return out;
    }

    private static String[] serviceKeys(String... own) {
        String[] all = java.util.Arrays.copyOf(own, own.length + ResilienceReader.SERVICE_KEYS.length);
        System.arraycopy(ResilienceReader.SERVICE_KEYS, 0, all, own.length, ResilienceReader.SERVICE_KEYS.length);
        return all;
    }

    static boolean isToken(String s) {
        return TOKEN.matcher(s).matches();
    }

    private TargetConfig target(ConfigNode node, int weight) {
        String text = node.requiredText();
        if (text == null) return null;
        if (!text.contains("://")) {
            node.error("a service URL starts with http:// or https://, was '" + text + "'");
            return null;
        }
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
        if (uri.getPort() == 0 || uri.getPort() > 65535) {
            node.error("the port must be within 1..65535, was " + uri.getPort());
            return null;
        }
        int port = uri.getPort() > 0 ? uri.getPort() : (tls ? 443 : 80);
        String host = uri.getHost();
        if (host.startsWith("[") && host.endsWith("]")) host = host.substring(1, host.length() - 1);
        String path = uri.getRawPath() == null ? "" : uri.getRawPath();
        while (path.endsWith("/")) path = path.substring(0, path.length() - 1);
        return new TargetConfig(text, tls, host, port, path, weight);
    }

    private List<RouteConfig> routes(ConfigNode node, Map<String, ServiceConfig> services) {
        List<RouteConfig> out = new ArrayList<>();
        Map<String, ConfigNode> names = new HashMap<>();
        List<ConfigNode> items = node.items();
        for (int i = 0; i < items.size(); i++) {
            ConfigNode r = items.get(i);
            if (!r.object("name", "match", "service", "aggregate", "strip_prefix", "preserve_host", "retries", "plugins")) {
                if (r.present()) continue;
            }
            String name = r.get("name").requiredText();
            if (name != null && !NAME.matcher(name).matches()) {
                r.get("name").error("a route name may have letters, digits, '_', '.' and '-', was '" + name + "'");
            } else if (name != null && names.containsKey(name)) {
                ConfigNode first = names.get(name);
                r.get("name").error("route name '" + name + "' is already used by " + first.path().replace(".name", "")
                        + " (line " + first.mark().line() + ")");
            } else if (name != null) {
                names.put(name, r.get("name"));
            }
            MatchConfig match = match(r.get("match"));
            ConfigNode svc = r.get("service");
            ConfigNode agg = r.get("aggregate");
            String service = null;
            AggregateConfig aggregate = null;
            if (agg.present()) {
                if (svc.present()) svc.error("give either service or aggregate, not both");
                aggregate = AggregateReader.read(agg, match, services);
                for (String ignored : List.of("strip_prefix", "preserve_host")) {
                    if (r.get(ignored).present()) r.get(ignored).warning("has no effect on an aggregate route: each part names its own path");
                }
            } else {
                service = svc.requiredText();
                if (service != null && !services.containsKey(service)) {
                    svc.error("no service named '" + service + "'" + Suggest.didYouMean(service, services.keySet()));
                }
            }
            boolean strip = r.get("strip_prefix").bool(false);
            boolean preserve = r.get("preserve_host").bool(false);
            Map<String, PluginSpec> own = pluginReader.read(r.get("plugins"));
            Boolean retryNonIdempotent = ResilienceReader.route(r.get("retries"));
            out.add(new RouteConfig(i, name == null ? "#" + i : name, match, service, strip, preserve, own, r.mark(), aggregate,
                    retryNonIdempotent));
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
            String close = METHODS.contains(up) ? "" : Suggest.didYouMean(up, METHODS);
            if (!close.isEmpty()) meth.warning("'" + s + "' is not a standard HTTP method" + close);
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
