package portico.config;

import com.fasterxml.jackson.databind.node.NullNode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import portico.route.PathPattern;
import portico.template.Template;

/**
 * Reads a route's {@code aggregate} and checks what can be checked before any request: services
 * exist, templates name captures every path of the route has and parts that exist, dependencies
 * have no cycle, and no two parts write the same field.
 */
final class AggregateReader {
    static final List<String> OPTIONS = List.of("meta", "max_part_bytes", "forward_headers");
    private static final Set<String> RESERVED = Set.of("query", "header", "claims", "consumer", "_meta");
    private static final Pattern PART_NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_-]*");
    private static final Pattern TOKEN = Pattern.compile("[!#$%&'*+.^_`|~0-9A-Za-z-]+");
    private static final Set<String> NOT_FORWARDED = Set.of("connection", "keep-alive", "proxy-connection", "te", "trailer",
            "transfer-encoding", "upgrade", "proxy-authorization", "proxy-authenticate", "content-length", "host", "expect");
    private static final long ONE_GB = 1L << 30;

    private AggregateReader() {}

    static AggregateConfig read(ConfigNode node, MatchConfig match, Map<String, ServiceConfig> services) {
        node.declare(OPTIONS.toArray(String[]::new));
        if (!node.isObject()) {
            node.error("expected a map of part names to {service, path, ...}");
            return null;
        }
        boolean meta = node.get("meta").bool(false);
        long maxPartBytes = node.get("max_part_bytes").size(AggregateConfig.DEFAULT_MAX_PART_BYTES);
        if (maxPartBytes <= 0 || maxPartBytes > ONE_GB) {
            node.get("max_part_bytes").error("must be within 1B..1GB");
            maxPartBytes = AggregateConfig.DEFAULT_MAX_PART_BYTES;
        }
        List<String> forward = forwardHeaders(node.get("forward_headers"));

        Map<String, ConfigNode> partNodes = new LinkedHashMap<>();
        node.entries().forEach((name, n) -> {
            if (OPTIONS.contains(name)) return;
            if (!PART_NAME.matcher(name).matches()) {
                n.error("a part name has letters, digits, '_' and '-' and starts with a letter or '_', was '" + name + "'");
            } else if (RESERVED.contains(name)) {
                n.error("'" + name + "' cannot name a part: templates read {" + name + ".NAME} as something else");
            } else {
                partNodes.put(name, n);
            }
        });
        if (partNodes.isEmpty()) {
            node.error("needs at least one part, such as user: {service: users, path: \"/users/{id}\"}");
            return null;
        }
        Set<String> captured = capturedByEveryPath(match);
        List<AggregateConfig.Part> parts = new ArrayList<>();
        Map<String, ConfigNode> intoNodes = new HashMap<>();
        for (Map.Entry<String, ConfigNode> e : partNodes.entrySet()) {
            AggregateConfig.Part p = part(e.getKey(), e.getValue(), partNodes.keySet(), captured, services);
            if (p != null) {
                parts.add(p);
                intoNodes.put(p.name(), e.getValue().get("into"));
            }
        }
        if (node.problems().hasErrors()) return null;
        if (!acyclic(parts, partNodes) || !placed(parts, intoNodes)) return null;
        return new AggregateConfig(parts, meta, maxPartBytes, forward);
    }

    private static AggregateConfig.Part part(String name, ConfigNode p, Set<String> partNames, Set<String> captured,
                                             Map<String, ServiceConfig> services) {
        if (!p.object("service", "path", "timeout", "required", "default", "accept", "into")) {
            if (!p.present()) p.error("needs a service and a path");
            return null;
        }
        ConfigNode svc = p.get("service");
        String service = svc.requiredText();
        if (service != null && !services.containsKey(service)) {
            svc.error("no service named '" + service + "'" + Suggest.didYouMean(service, services.keySet()));
        }
        Set<String> others = new LinkedHashSet<>(partNames);
        others.remove(name);
        ConfigNode pathNode = p.get("path");
        String text = pathNode.requiredText();
        Template path = null;
        List<Template> query = new ArrayList<>();
        Set<String> depends = new LinkedHashSet<>();
        if (text != null && !text.startsWith("/")) {
            pathNode.error("a part's path starts with '/', was '" + text + "'");
        } else if (text != null) {
            int q = text.indexOf('?');
            boolean valid = true;
            if (text.indexOf('#') >= 0) {
                // A fragment is the client's own business (RFC 9110 section 4.2.4); sent upstream it would end inside the query.
                pathNode.error("a part's path has no fragment ('#'): '" + text + "'");
                valid = false;
            }
            try {
                path = Template.parse(q < 0 ? text : text.substring(0, q), others);
                if (!path.literalDotSegments().isEmpty()) {
                    pathNode.error("'" + text + "' has a '" + path.literalDotSegments().get(0) + "' segment; write the path the service"
                            + " should get, without '.' or '..' segments");
                    valid = false;
                }
            } catch (Template.Invalid e) {
                e.problems().forEach(pathNode::error);
            }
            if (q >= 0) {
                for (String pair : text.substring(q + 1).split("&")) {
                    try {
                        if (!pair.isEmpty()) query.add(Template.parse(pair, others));
                    } catch (Template.Invalid e) {
                        e.problems().forEach(pathNode::error);
                    }
                }
            }
            if (!valid) path = null;
            List<Template.Ref> refs = new ArrayList<>();
            if (path != null) refs.addAll(path.refs());
            query.forEach(t -> refs.addAll(t.refs()));
            for (Template.Ref r : refs) {
                if (r.kind() == Template.Ref.Kind.CAPTURE && !captured.contains(r.name())) {
                    pathNode.error("{" + r.name() + "} is not captured by every path of this route"
                            + (captured.isEmpty() ? "" : " (captures: " + String.join(", ", captured) + ")"));
                }
                if (r.kind() == Template.Ref.Kind.PART) depends.add(r.part());
            }
        }
        Duration timeout = null;
        ConfigNode to = p.get("timeout");
        if (to.present()) {
            timeout = to.duration(null);
            if (timeout != null && (timeout.isZero() || timeout.isNegative())) {
                to.error("must be more than 0");
                timeout = null;
            }
        }
        boolean required = p.get("required").bool(false);
        ConfigNode def = p.get("default");
        if (required && def.present()) def.error("a required part has no default: its failure fails the whole answer");
        Set<Integer> accept = new LinkedHashSet<>();
        for (ConfigNode s : p.get("accept").items()) {
            int status = s.integer(-1, 100, 599);
            if (status > 0) accept.add(status);
        }
        List<String> into = into(name, p.get("into"), others);
        if (service == null || path == null) return null;
        return new AggregateConfig.Part(name, service, path, query, timeout, required,
                def.present() ? def.json().deepCopy() : NullNode.getInstance(), accept, into, depends, p.mark());
    }

    private static List<String> into(String name, ConfigNode node, Set<String> others) {
        String text = node.text(null);
        if (text == null) return null;
        List<String> segments = List.of(text.split("\\.", -1));
        if (segments.stream().anyMatch(String::isEmpty)) {
            node.error("expected PART or PART.field, was '" + text + "'");
            return null;
        }
        if (!others.contains(segments.get(0))) {
            node.error(segments.get(0).equals(name) ? "a part cannot go into itself"
                    : "no other part named '" + segments.get(0) + "'" + Suggest.didYouMean(segments.get(0), others));
            return null;
        }
        List<String> out = new ArrayList<>(segments);
        if (out.size() == 1) out.add(name);
        return out;
    }

    private static List<String> forwardHeaders(ConfigNode node) {
        List<String> out = new ArrayList<>();
        for (ConfigNode item : node.items()) {
            String h = item.requiredText();
            if (h == null) continue;
            if (!TOKEN.matcher(h).matches()) {
                item.error("'" + h + "' is not a header name");
            } else if (NOT_FORWARDED.contains(h.toLowerCase(Locale.ROOT))) {
                item.error(h + " describes the client's connection or message, not the part's; it is never forwarded");
            } else {
                out.add(h);
            }
        }
        return out;
    }

    /** Captures a template may use: those every path pattern of the route has, so each request has them. */
    static Set<String> capturedByEveryPath(MatchConfig match) {
        Set<String> out = null;
        for (String p : match.paths()) {
            Set<String> names = new LinkedHashSet<>(PathPattern.compile(p).captureNames());
            if (out == null) out = names;
            else out.retainAll(names);
        }
        return out == null ? Set.of() : out;
    }

    /** Reports a cycle of {@code {PART.FIELD}} dependencies once, at the part that closes it. */
    private static boolean acyclic(List<AggregateConfig.Part> parts, Map<String, ConfigNode> nodes) {
        Map<String, AggregateConfig.Part> byName = new HashMap<>();
        parts.forEach(p -> byName.put(p.name(), p));
        Set<String> done = new HashSet<>();
        for (AggregateConfig.Part p : parts) {
            List<String> cycle = cycle(p.name(), byName, new ArrayList<>(), done);
            if (cycle != null) {
                nodes.get(cycle.get(0)).get("path").error("parts depend on each other in a circle: " + String.join(" -> ", cycle));
                return false;
            }
        }
        return true;
    }

    private static List<String> cycle(String at, Map<String, AggregateConfig.Part> byName, List<String> stack, Set<String> done) {
        int seen = stack.indexOf(at);
        if (seen >= 0) {
            List<String> c = new ArrayList<>(stack.subList(seen, stack.size()));
            c.add(at);
            return c;
        }
        if (done.contains(at) || !byName.containsKey(at)) return null;
        stack.add(at);
        for (String dep : byName.get(at).dependsOn()) {
            List<String> c = cycle(dep, byName, stack, done);
            if (c != null) return c;
        }
        stack.remove(stack.size() - 1);
        done.add(at);
        return null;
    }

    /**
     * Where each part lands in the answer, as a field path from the top; two parts on one path, or
     * a part writing inside another's answer without going {@code into} it, are refused here rather
     * than overwritten at run time.
     */
    private static boolean placed(List<AggregateConfig.Part> parts, Map<String, ConfigNode> intoNodes) {
        Map<String, AggregateConfig.Part> byName = new HashMap<>();
        parts.forEach(p -> byName.put(p.name(), p));
        Map<String, List<String>> where = new LinkedHashMap<>();
        for (AggregateConfig.Part p : parts) {
            List<String> path = absolute(p, byName, new HashSet<>());
            if (path == null) {
                intoNodes.get(p.name()).error("parts go into each other in a circle");
                return false;
            }
            where.put(p.name(), path);
        }
        boolean ok = true;
        List<String> names = new ArrayList<>(where.keySet());
        for (int i = 0; i < names.size(); i++) {
            for (int j = 0; j < names.size(); j++) {
                if (i == j) continue;
                String a = names.get(i);
                String b = names.get(j);
                List<String> pa = where.get(a);
                List<String> pb = where.get(b);
                ConfigNode at = intoNodes.get(b);  // b has an into: top-level names cannot collide
                if (pa.equals(pb) && i < j) {
                    at.error("part '" + b + "' would write the same field as part '" + a + "' (" + String.join(".", pb) + ")");
                    ok = false;
                } else if (pb.size() > pa.size() && pb.subList(0, pa.size()).equals(pa) && !nestedIn(byName.get(b), a, byName)) {
                    at.error("part '" + b + "' would write inside the answer of part '" + a + "' (" + String.join(".", pb)
                            + "); say into: " + a + "." + String.join(".", pb.subList(pa.size(), pb.size())));
                    ok = false;
                }
            }
        }
        return ok;
    }

    private static List<String> absolute(AggregateConfig.Part p, Map<String, AggregateConfig.Part> byName, Set<String> visiting) {
        if (p.into() == null) return List.of(p.name());
        if (!visiting.add(p.name())) return null;
        AggregateConfig.Part target = byName.get(p.into().get(0));
        if (target == null) return null;
        List<String> base = absolute(target, byName, visiting);
        if (base == null) return null;
        List<String> out = new ArrayList<>(base);
        out.addAll(p.into().subList(1, p.into().size()));
        return out;
    }

    /** Whether {@code p} goes (directly or through other parts) into {@code target}. */
    private static boolean nestedIn(AggregateConfig.Part p, String target, Map<String, AggregateConfig.Part> byName) {
        Set<String> seen = new HashSet<>();
        for (AggregateConfig.Part at = p; at != null && at.into() != null && seen.add(at.name()); at = byName.get(at.into().get(0))) {
            if (at.into().get(0).equals(target)) return true;
        }
        return false;
    }
}
