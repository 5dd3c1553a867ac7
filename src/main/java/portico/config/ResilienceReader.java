package portico.config;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads a service's resilience keys ({@code balance}, {@code retries}, {@code circuit_breaker},
 * {@code health_check}, {@code outlier_detection}, {@code fallback}) and a route's {@code retries}.
 * Kept apart from {@link ConfigReader} so that each concern's keys live in one place.
 */
final class ResilienceReader {
    /** The keys a service object has besides url, targets and timeouts. */
    static final String[] SERVICE_KEYS = {"balance", "retries", "circuit_breaker", "health_check", "outlier_detection", "fallback"};

    private static final Pattern HASH_HEADER = Pattern.compile("hash\\(header:([!#$%&'*+.^_`|~0-9A-Za-z-]+)\\)");
    private static final List<String> BALANCERS = List.of("round_robin", "least_requests", "random", "hash(header:NAME)", "hash(ip)");
    private static final List<String> CONDITIONS = List.of("connect_error", "reset", "timeout");
    private static final Pattern STATUS = Pattern.compile("[1-5]\\d\\d");
    private static final Pattern STATUS_CLASS = Pattern.compile("[1-5]xx");
    private static final ObjectMapper JSON = new ObjectMapper();
    static final Duration MAX_WINDOW = Duration.ofHours(1);
    /** Each request may hold this much for a replay: a few hundred parallel uploads must not exhaust memory. */
    static final long MAX_REPLAY_BODY = 16L * 1024 * 1024;
    /** Framing and hop-by-hop headers (RFC 9110 section 7.6.1), and those the gateway sets on every answer. */
    private static final java.util.Set<String> GATEWAY_HEADERS = java.util.Set.of("content-length", "transfer-encoding",
            "connection", "keep-alive", "proxy-connection", "te", "trailer", "upgrade", "x-request-id", "portico-fallback");

    private ResilienceReader() {}

    static ResilienceConfig service(ConfigNode s) {
        for (String key : new String[] {"retries", "circuit_breaker", "health_check", "outlier_detection", "fallback"}) {
            // An empty value reads as absent, which for circuit_breaker means no breaker at all: say so.
            if (s.get(key).writtenEmpty()) s.get(key).error("has no settings; write {} for the defaults, or leave the key out");
        }
        return new ResilienceConfig(balance(s.get("balance")), retries(s.get("retries")), breaker(s.get("circuit_breaker")),
                healthCheck(s.get("health_check")), outliers(s.get("outlier_detection")), fallback(s.get("fallback")));
    }

    /** A route's {@code retries: {non_idempotent: BOOL}}; null when the route leaves it to the service. */
    static Boolean route(ConfigNode r) {
        if (!r.object("non_idempotent")) return null;
        ConfigNode n = r.get("non_idempotent");
        return n.present() ? n.bool(false) : null;
    }

    private static BalanceConfig balance(ConfigNode node) {
        String text = node.text(null);
        if (text == null) return BalanceConfig.DEFAULT;
        String t = text.trim();
        switch (t) {
            case "round_robin": return BalanceConfig.DEFAULT;
            case "least_requests": return new BalanceConfig(BalanceConfig.Strategy.LEAST_REQUESTS, null);
            case "random": return new BalanceConfig(BalanceConfig.Strategy.RANDOM, null);
            case "hash(ip)": return new BalanceConfig(BalanceConfig.Strategy.HASH_IP, null);
            default:
                Matcher m = HASH_HEADER.matcher(t);
                if (m.matches()) return new BalanceConfig(BalanceConfig.Strategy.HASH_HEADER, m.group(1).toLowerCase(Locale.ROOT));
                node.error("expected one of round_robin, least_requests, random, hash(header:NAME), hash(ip), was '" + text + "'"
                        + Suggest.didYouMean(t, BALANCERS));
                return BalanceConfig.DEFAULT;
        }
    }

    private static RetryConfig retries(ConfigNode node) {
        RetryConfig d = RetryConfig.UNCONFIGURED;
        if (!node.object("attempts", "on", "max_body", "non_idempotent", "backoff", "max_backoff", "budget", "min_per_second")) {
            return d;
        }
        int attempts = node.get("attempts").integer(1, 0, 10);
        List<String> on = node.get("on").present() ? outcomes(node.get("on"), true) : RetryConfig.DEFAULT_ON;
        long maxBody = node.get("max_body").size(d.maxBody());
        if (maxBody < 0 || maxBody > MAX_REPLAY_BODY) {
            node.get("max_body").error("must be within 0B..16MB (a body kept for a retry is held in memory, per request), was "
                    + node.get("max_body").text(""));
            maxBody = d.maxBody();
        }
        boolean nonIdempotent = node.get("non_idempotent").bool(false);
        Duration backoff = node.get("backoff").duration(d.backoff());
        Duration maxBackoff = node.get("max_backoff").duration(backoff.compareTo(d.maxBackoff()) > 0 ? backoff : d.maxBackoff());
        if (maxBackoff.compareTo(backoff) < 0) {
            node.get("max_backoff").error("must be at least backoff (" + Units.format(backoff) + ")");
            maxBackoff = backoff;
        }
        double budget = node.get("budget").percent(d.budget());
        int minPerSecond = node.get("min_per_second").integer(d.minPerSecond(), 0, 100_000);
        return new RetryConfig(attempts, on, maxBody, nonIdempotent, backoff, maxBackoff, budget, minPerSecond);
    }

    private static BreakerConfig breaker(ConfigNode node) {
        if (!node.object("failure_rate", "min_calls", "window", "open_for", "half_open_calls", "slow_call", "slow_call_rate",
                "failures")) {
            return null;
        }
        double failureRate = positivePercent(node.get("failure_rate"), 0.5);
        int minCalls = node.get("min_calls").integer(10, 1, 1_000_000);
        Duration window = window(node.get("window"));
        Duration openFor = atLeast(node.get("open_for"), Duration.ofSeconds(30), Duration.ofMillis(1));
        int halfOpen = node.get("half_open_calls").integer(3, 1, 1000);
        ConfigNode slow = node.get("slow_call");
        Duration slowCall = slow.present() ? atLeast(slow, null, Duration.ofMillis(1)) : null;
        double slowRate = positivePercent(node.get("slow_call_rate"), 0.5);
        if (node.get("slow_call_rate").present() && !slow.present()) {
            node.get("slow_call_rate").warning("has no effect without slow_call");
        }
        List<String> failures = node.get("failures").present() ? outcomes(node.get("failures"), true) : BreakerConfig.DEFAULT_FAILURES;
        return new BreakerConfig(failureRate, minCalls, window, openFor, halfOpen, slowCall, slowRate, failures);
    }

    /**
     * resilience4j's time window counts whole seconds and keeps one bucket per second, built at
     * start: a year of them is gigabytes. An hour is 3600 small objects.
     */
    private static Duration window(ConfigNode node) {
        Duration fallback = Duration.ofSeconds(30);
        Duration w = node.duration(fallback);
        if (w.compareTo(Duration.ofSeconds(1)) < 0 || w.compareTo(MAX_WINDOW) > 0) {
            node.error("must be within 1s.." + Units.format(MAX_WINDOW) + ", was " + node.text(""));
            return fallback;
        }
        if (w.toMillis() % 1000 != 0) {
            node.error("must be whole seconds, was " + node.text(""));
            return fallback;
        }
        return w;
    }

    private static HealthCheckConfig healthCheck(ConfigNode node) {
        if (!node.object("path", "interval", "timeout", "unhealthy_after", "healthy_after", "statuses")) return null;
        ConfigNode p = node.get("path");
        String path = p.requiredText();
        if (path != null && !path.startsWith("/")) {
            p.error("a health check path starts with '/', was '" + path + "'");
        }
        Duration interval = atLeast(node.get("interval"), Duration.ofSeconds(10), Duration.ofMillis(10));
        Duration timeout = atLeast(node.get("timeout"), Duration.ofSeconds(2), Duration.ofMillis(1));
        int unhealthy = node.get("unhealthy_after").integer(3, 1, 1000);
        int healthy = node.get("healthy_after").integer(2, 1, 1000);
        List<String> statuses = node.get("statuses").present() ? outcomes(node.get("statuses"), false) : List.of("2xx");
        if (node.get("statuses").isList() && node.get("statuses").items().isEmpty()) {
            node.get("statuses").error("needs at least one status");
        }
        return new HealthCheckConfig(path == null ? "/" : path, interval, timeout, unhealthy, healthy,
                statuses.isEmpty() ? List.of("2xx") : statuses);
    }

    private static OutlierConfig outliers(ConfigNode node) {
        OutlierConfig d = OutlierConfig.DEFAULTS;
        if (!node.object("consecutive_failures", "eject_for", "max_eject_for", "max_ejected")) return d;
        int failures = node.get("consecutive_failures").integer(d.consecutiveFailures(), 0, 1_000_000);
        Duration ejectFor = atLeast(node.get("eject_for"), d.ejectFor(), Duration.ofMillis(1));
        Duration max = node.get("max_eject_for").duration(ejectFor.compareTo(d.maxEjectFor()) > 0 ? ejectFor : d.maxEjectFor());
        if (max.compareTo(ejectFor) < 0) {
            node.get("max_eject_for").error("must be at least eject_for (" + Units.format(ejectFor) + ")");
            max = ejectFor;
        }
        double maxEjected = node.get("max_ejected").percent(d.maxEjected());
        return new OutlierConfig(failures, ejectFor, max, maxEjected);
    }

    private static FallbackConfig fallback(ConfigNode node) {
        if (!node.object("status", "body", "headers")) return null;
        int status = node.get("status").integer(200, 200, 599);
        ConfigNode b = node.get("body");
        byte[] body = new byte[0];
        if (b.isObject() || b.isList()) {
            try {
                body = JSON.writeValueAsBytes(b.value());
            } catch (JsonProcessingException e) {
                b.error("cannot be written as JSON: " + e.getOriginalMessage());
            }
        } else if (b.present()) {
            String text = b.text("");
            body = text.getBytes(StandardCharsets.UTF_8);
        }
        Map<String, String> headers = new LinkedHashMap<>();
        for (Map.Entry<String, String> e : node.get("headers").stringMap().entrySet()) {
            ConfigNode h = node.get("headers").get(e.getKey());
            String name = e.getKey();
            if (!ConfigReader.isToken(name)) {
                h.error("not a header name");
            } else if (GATEWAY_HEADERS.contains(name.toLowerCase(Locale.ROOT))) {
                h.error("'" + name + "' is the gateway's to set (framing, hop-by-hop and its own headers cannot be given)");
            } else {
                String problem = headerValueProblem(e.getValue());
                if (problem != null) h.error(problem);
                else headers.put(name, e.getValue());
            }
        }
        return new FallbackConfig(status, body, headers);
    }

    /**
     * What is wrong with a header value, or null: field values are visible ASCII, spaces and tabs
     * (RFC 9110 section 5.5). A line break would end the header early, and Netty refuses it at
     * run time; other bytes would go out as raw Latin-1.
     */
    static String headerValueProblem(String value) {
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c == '\t' || (c >= 0x20 && c < 0x7f)) continue;
            if (c < 0x20 || c == 0x7f) return "a header value may not contain control characters such as a line break";
            return "a header value must be ASCII (RFC 9110 section 5.5), found '" + c + "'";
        }
        return null;
    }

    /**
     * A list of outcome conditions: statuses ({@code 503}), classes ({@code 5xx}) and, when
     * {@code named}, connect_error, reset and timeout. Normalized to lower case.
     */
    private static List<String> outcomes(ConfigNode list, boolean named) {
        List<String> out = new ArrayList<>();
        for (ConfigNode item : list.items()) {
            String s = item.text(null);
            if (s == null) continue;
            String t = s.trim().toLowerCase(Locale.ROOT);
            if (STATUS.matcher(t).matches() || STATUS_CLASS.matcher(t).matches() || (named && CONDITIONS.contains(t))) {
                if (!out.contains(t)) out.add(t);
                continue;
            }
            String expected = named ? "connect_error, reset, timeout, a status such as 503 or a class such as 5xx"
                    : "a status such as 200 or a class such as 2xx";
            item.error("expected " + expected + ", was '" + s + "'" + (named ? Suggest.didYouMean(t, CONDITIONS) : ""));
        }
        return out;
    }

    private static double positivePercent(ConfigNode node, double fallback) {
        double v = node.percent(fallback);
        if (v <= 0) {
            node.error("must be more than 0%");
            return fallback;
        }
        return v;
    }

    private static Duration atLeast(ConfigNode node, Duration fallback, Duration min) {
        Duration v = node.duration(fallback);
        if (v == null) return null;
        if (v.compareTo(min) < 0) {
            node.error("must be at least " + Units.format(min));
            return fallback == null ? min : fallback;
        }
        return v;
    }
}
