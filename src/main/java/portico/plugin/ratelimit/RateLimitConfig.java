package portico.plugin.ratelimit;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;
import portico.config.ConfigNode;
import portico.config.Units;

/**
 * The {@code rate_limit} settings, read once. One limit is written inline
 * ({@code {limit: 100, window: 15m}}); several go in {@code limits: [...]}, each item taking the
 * block's key and algorithm unless it sets its own. A request must pass every limit.
 *
 * @param limits        at least one
 * @param countFailures {@code count: failures}: only answers with status 400 or more use up a permit
 * @param redis         {@code store: redis} (the shared {@code cluster.redis}); else {@code local}, this node's memory
 * @param denyOnStoreError {@code on_store_error: deny}: 503 while Redis cannot answer; default {@code allow}
 * @param legacyHeaders {@code legacy_headers: true} adds X-RateLimit-Limit/Remaining/Reset
 * @param lease         {@code lease}: the most permits one Redis call may take for a busy key; 0 = automatic
 * @param id            where the block is written ({@code routes[2].plugins.rate_limit}): names its Redis keys
 */
public record RateLimitConfig(List<Limit> limits, boolean countFailures, boolean redis, boolean denyOnStoreError,
                              boolean legacyHeaders, int lease, String id) {
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9_.-]{1,64}");
    private static final Pattern TOKEN = Pattern.compile("[!#$%&'*+.^_`|~0-9A-Za-z-]+");
    private static final Duration SHORTEST = Duration.ofSeconds(1);
    private static final Duration LONGEST = Duration.ofHours(24);
    private static final String[] LIMIT_KEYS = {"limit", "window", "key", "algorithm", "burst", "name"};

    public RateLimitConfig {
        limits = List.copyOf(limits);
    }

    /**
     * One limit.
     *
     * @param name      the policy name in the RateLimit headers; default {@code LIMIT-per-WINDOW}
     * @param limit     permits per window
     * @param window    1s..24h
     * @param burst     token_bucket only: the bucket's size; default the limit
     * @param key       what requests are counted by; default ip (consumer under {@code consumers.NAME})
     */
    public record Limit(String name, long limit, Duration window, Algorithm algorithm, long burst, List<KeyPart> key) {
        public Limit {
            key = List.copyOf(key);
        }

        /** The arithmetic in nanoseconds of the local ticker. */
        Meter meter() {
            return Meter.of(algorithm, limit, burst, window.toNanos());
        }
    }

    static RateLimitConfig parse(ConfigNode node) {
        node.object("limit", "window", "key", "algorithm", "burst", "name", "limits", "count", "store", "on_store_error",
                "legacy_headers", "lease");
        boolean consumerScope = node.path().startsWith("consumers.");
        List<KeyPart> key = key(node.get("key"), List.of(consumerScope ? new KeyPart.Consumer() : new KeyPart.Ip()));
        Algorithm algorithm = algorithm(node.get("algorithm"), Algorithm.SLIDING_WINDOW);
        List<Limit> limits = new ArrayList<>();
        ConfigNode list = node.get("limits");
        if (list.present()) {
            for (String inline : new String[] {"limit", "window", "burst", "name"}) {
                if (node.get(inline).present()) {
                    node.get(inline).error("set " + inline + " in each item of limits, or write one limit without limits");
                }
            }
            if (!list.isList()) {
                list.error("expected a list of limits such as [{limit: 10, window: 1s}, {limit: 1000, window: 1h}]");
                return null;
            }
            for (ConfigNode item : list.items()) {
                item.object(LIMIT_KEYS);
                if (!item.isObject()) {
                    item.error("expected a limit such as {limit: 10, window: 1s}");
                    continue;
                }
                Limit l = limit(item, key, algorithm, true);
                if (l != null) limits.add(l);
            }
            if (list.items().isEmpty()) list.error("needs at least one limit");
        } else {
            Limit l = limit(node, key, algorithm, false);
            if (l != null) limits.add(l);
        }
        Set<String> names = new HashSet<>();
        for (Limit l : limits) {
            if (!names.add(l.name())) {
                (list.present() ? list : node).error("two limits are named '" + l.name() + "'; give them different names (name: ...)");
            }
        }
        boolean countFailures = "failures".equals(oneOf(node.get("count"), "all", "all", "failures"));
        boolean redis = "redis".equals(oneOf(node.get("store"), "local", "local", "redis"));
        if (redis && !node.root().get("cluster").get("redis").present()) {
            node.get("store").error("store: redis needs cluster.redis (the Redis URL, such as redis://127.0.0.1:6379)");
        }
        boolean deny = "deny".equals(oneOf(node.get("on_store_error"), "allow", "allow", "deny"));
        if (node.get("on_store_error").present() && !redis) {
            node.get("on_store_error").warning("only store: redis can fail; on_store_error has no effect on store: local");
        }
        int lease = node.get("lease").integer(0, 1, 1000);
        if (node.get("lease").present() && !redis) node.get("lease").error("lease applies to store: redis only");
        boolean legacy = node.get("legacy_headers").bool(false);
        if (limits.isEmpty()) return null;
        return new RateLimitConfig(limits, countFailures, redis, deny, legacy, lease, stableId(node));
    }

    private static final Pattern ROUTE_AT = Pattern.compile("^routes\\[(\\d+)\\]");

    /**
     * Where the block is written, with a route named rather than numbered
     * ({@code routes.login.plugins.rate_limit}): Redis keys carry it, and nodes whose routes are
     * listed in another order must still share each route's counters.
     */
    static String stableId(ConfigNode node) {
        String path = node.path();
        var m = ROUTE_AT.matcher(path);
        if (!m.find()) return path;
        List<ConfigNode> routes = node.root().get("routes").items();
        int i = Integer.parseInt(m.group(1));
        String name = i < routes.size() ? routes.get(i).get("name").text(null) : null;
        return name == null ? path : "routes." + name + path.substring(m.end());
    }

    /** @param item an item of {@code limits} (its own key and algorithm), or the block itself (read already) */
    private static Limit limit(ConfigNode node, List<KeyPart> inheritedKey, Algorithm inheritedAlgorithm, boolean item) {
        ConfigNode limitNode = node.get("limit");
        ConfigNode windowNode = node.get("window");
        if (!limitNode.present()) limitNode.error("is required (for example limit: 100, window: 15m)");
        if (!windowNode.present()) windowNode.error("is required (for example limit: 100, window: 15m)");
        long limit = limitNode.integer(-1, 1, 1_000_000_000);
        Duration window = windowNode.duration(null);
        if (window != null && (window.compareTo(SHORTEST) < 0 || window.compareTo(LONGEST) > 0)) {
            windowNode.error("must be within 1s..24h, was " + Units.format(window));
            window = null;
        } else if (window != null && window.toMillis() % 1000 != 0) {
            // RateLimit-Policy advertises w in whole seconds; a window it cannot say would be misreported.
            windowNode.error("must be whole seconds (the RateLimit-Policy header says w in seconds), was " + Units.format(window));
            window = null;
        }
        List<KeyPart> key = item ? key(node.get("key"), inheritedKey) : inheritedKey;
        Algorithm algorithm = item ? algorithm(node.get("algorithm"), inheritedAlgorithm) : inheritedAlgorithm;
        ConfigNode burstNode = node.get("burst");
        long burst = burstNode.integer(-1, 1, 1_000_000_000);
        if (burstNode.present() && algorithm != Algorithm.TOKEN_BUCKET) {
            burstNode.error("burst applies to algorithm: token_bucket only");
        }
        String name = node.get("name").text(null);
        if (name != null && !NAME.matcher(name).matches()) {
            node.get("name").error("a limit name may have letters, digits, '_', '.' and '-' (at most 64), was '" + name + "'");
        }
        if (limit < 1 || window == null) return null;
        if (burst < 1) burst = limit;
        if (name == null) name = limit + "-per-" + Units.format(window);
        return new Limit(name, limit, window, algorithm, burst, key);
    }

    private static List<KeyPart> key(ConfigNode node, List<KeyPart> fallback) {
        if (!node.present()) return fallback;
        List<KeyPart> parts = new ArrayList<>();
        for (ConfigNode item : node.items()) {
            String text = item.text(null);
            if (text == null) continue;
            KeyPart part = KeyPart.parse(text.trim());
            if (part == null) {
                item.error("expected ip, consumer, header:NAME, route or service, was '" + text + "'");
            } else if (part instanceof KeyPart.Header h && !TOKEN.matcher(h.name()).matches()) {
                item.error("'" + h.name() + "' is not a header name");
            } else if (parts.contains(part)) {
                item.error("'" + text + "' is listed twice");
            } else {
                parts.add(part);
            }
        }
        if (parts.isEmpty()) {
            if (node.isList() && node.items().isEmpty()) node.error("needs at least one of ip, consumer, header:NAME, route, service");
            return fallback;
        }
        return parts;
    }

    private static Algorithm algorithm(ConfigNode node, Algorithm fallback) {
        String text = oneOf(node, fallback.configName, "sliding_window", "fixed_window", "token_bucket");
        return Algorithm.named(text);
    }

    private static String oneOf(ConfigNode node, String fallback, String... allowed) {
        String text = node.text(null);
        if (text == null) return fallback;
        for (String a : allowed) if (a.equals(text)) return a;
        node.error("expected " + String.join(", ", allowed) + ", was '" + text + "'");
        return fallback;
    }
}
