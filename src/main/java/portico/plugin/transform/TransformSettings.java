package portico.plugin.transform;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import portico.config.ConfigNode;
import portico.config.Mark;
import portico.config.Problems;
import portico.config.Suggest;
import portico.template.Template;

/**
 * The settings of {@code request_transform} and {@code response_transform}, read once.
 *
 * @param path      request only: the new upstream path (a template), or null to keep it
 * @param maxBody   {@code max_body}: the most body bytes held for body operations, default 1MB
 * @param failClosed {@code on_error: fail}: a body the body operations cannot be applied to (not JSON, past
 *                   {@code max_body}, an encoding the gateway cannot decode) is refused, never passed on
 *                   untransformed; the default when they {@code remove} or {@code allow} fields, since
 *                   those keep secrets from crossing
 * @param templates every template with where it was written, for the checks against the routes it runs on
 */
record TransformSettings(HeaderOps headers, QueryOps query, Template path, JsonOps body, long maxBody, boolean failClosed,
                         List<Written> templates) {
    /** A template and its place in the config file. */
    record Written(Template template, Mark mark, String path) {}

    static final long DEFAULT_MAX_BODY = 1024 * 1024;
    private static final long MAX_MAX_BODY = 1L << 30;
    private static final Pattern TOKEN = Pattern.compile("[!#$%&'*+.^_`|~0-9A-Za-z-]+");
    private static final Pattern BARE_NAME = Pattern.compile("[^./]+");
    /** Framing, connection and gateway-owned headers: a transform that edits them would break the exchange. */
    private static final Set<String> RESERVED = Set.of("content-length", "transfer-encoding", "content-encoding", "connection",
            "keep-alive", "proxy-connection", "te", "trailer", "upgrade", "host", "x-request-id");

    TransformSettings {
        templates = List.copyOf(templates);
    }

    boolean hasBodyOps() {
        return !body.isEmpty();
    }

    static TransformSettings parse(ConfigNode node, boolean request) {
        if (request) node.object("headers", "query", "path", "body", "max_body", "on_error");
        else node.object("headers", "body", "max_body", "on_error");
        List<Written> templates = new ArrayList<>();
        HeaderOps headers = headers(node.get("headers"), templates);
        QueryOps query = request ? query(node.get("query"), templates) : QueryOps.NONE;
        Template path = request ? path(node.get("path"), templates) : null;
        JsonOps body = body(node.get("body"), templates);
        ConfigNode max = node.get("max_body");
        long maxBody = max.size(DEFAULT_MAX_BODY);
        if (maxBody <= 0 || maxBody > MAX_MAX_BODY) {
            max.error("must be within 1B..1GB");
            maxBody = DEFAULT_MAX_BODY;
        }
        if (max.present() && body.isEmpty()) max.warning("has no effect without body operations");
        ConfigNode onError = node.get("on_error");
        boolean failClosed = !body.remove().isEmpty() || !body.allow().isEmpty();
        String written = onError.text(null);
        if ("fail".equals(written) || "pass".equals(written)) {
            failClosed = written.equals("fail");
            if (body.isEmpty()) onError.warning("has no effect without body operations");
        } else if (written != null) {
            onError.error("expected pass or fail, was '" + written + "'" + Suggest.didYouMean(written, List.of("pass", "fail")));
        }
        return new TransformSettings(headers, query, path, body, maxBody, failClosed, templates);
    }

    private static HeaderOps headers(ConfigNode node, List<Written> templates) {
        if (!node.object("add", "set", "remove", "rename")) return HeaderOps.NONE;
        Map<String, String> rename = new LinkedHashMap<>();
        node.get("rename").stringMap().forEach((from, to) -> {
            ConfigNode at = node.get("rename").get(from);
            if (headerName(at, from) && headerName(at, to)) rename.put(from, to);
        });
        List<String> remove = new ArrayList<>();
        for (ConfigNode item : node.get("remove").items()) {
            String name = item.requiredText();
            if (name != null && headerName(item, name)) remove.add(name);
        }
        return new HeaderOps(rename, remove, headerTemplates(node.get("set"), templates), headerTemplates(node.get("add"), templates));
    }

    private static Map<String, Template> headerTemplates(ConfigNode node, List<Written> templates) {
        Map<String, Template> out = new LinkedHashMap<>();
        node.stringMap().forEach((name, value) -> {
            ConfigNode at = node.get(name);
            Template t = template(at, value, templates);
            if (headerName(at, name) && t != null && headerText(at, t)) out.put(name, t);
        });
        return out;
    }

    /**
     * Literal text of a header value: printable ASCII, space and tab. A line break would end the
     * header and start another (RFC 9112 section 5); other text cannot go out as it is written
     * without being changed, and values are never changed silently.
     */
    private static boolean headerText(ConfigNode at, Template t) {
        for (String literal : t.literals()) {
            for (int i = 0; i < literal.length(); i++) {
                char c = literal.charAt(i);
                if ((c < 0x20 && c != '\t') || c == 0x7f) {
                    at.error("has a control character (" + String.format("0x%02x", (int) c) + "); a header value is one line of printable text");
                    return false;
                }
                if (c > 0x7e) {
                    at.error("has text outside ASCII ('" + new String(Character.toChars(literal.codePointAt(i)))
                            + "'), which a header value cannot carry as written; write it percent-encoded as UTF-8");
                    return false;
                }
            }
        }
        return true;
    }

    private static boolean headerName(ConfigNode at, String name) {
        if (!TOKEN.matcher(name).matches()) {
            at.error("'" + name + "' is not a header name");
            return false;
        }
        if (RESERVED.contains(name.toLowerCase(Locale.ROOT))) {
            at.error(name + " is the gateway's to set; a transform may not change it");
            return false;
        }
        return true;
    }

    private static QueryOps query(ConfigNode node, List<Written> templates) {
        if (!node.object("add", "set", "remove")) return QueryOps.NONE;
        List<String> remove = new ArrayList<>();
        for (ConfigNode item : node.get("remove").items()) {
            String name = item.requiredText();
            if (name != null) remove.add(name);
        }
        return new QueryOps(remove, queryTemplates(node.get("set"), templates), queryTemplates(node.get("add"), templates));
    }

    private static Map<String, Template> queryTemplates(ConfigNode node, List<Written> templates) {
        Map<String, Template> out = new LinkedHashMap<>();
        node.stringMap().forEach((name, value) -> {
            Template t = template(node.get(name), value, templates);
            if (t != null) out.put(name, t);
        });
        return out;
    }

    private static Template path(ConfigNode node, List<Written> templates) {
        String text = node.text(null);
        if (text == null) return null;
        if (!text.startsWith("/")) {
            node.error("a path starts with '/', was '" + text + "'");
            return null;
        }
        if (text.contains("?") || text.contains("#")) {
            node.error("a path has no query or fragment; use query: {set: ...} for parameters");
            return null;
        }
        Template t = template(node, text, templates);
        if (t != null && !t.literalDotSegments().isEmpty()) {
            node.error("'" + text + "' has a '" + t.literalDotSegments().get(0) + "' segment; write the path the service should get,"
                    + " without '.' or '..' segments");
            return null;
        }
        return t;
    }

    private static JsonOps body(ConfigNode node, List<Written> templates) {
        if (!node.object("rename", "allow", "remove", "convert", "set")) {
            return new JsonOps(Map.of(), List.of(), List.of(), Map.of(), Map.of());
        }
        Map<FieldPath, String> rename = new LinkedHashMap<>();
        Map<List<String>, FieldPath> renamedTo = new LinkedHashMap<>();
        node.get("rename").stringMap().forEach((from, to) -> {
            ConfigNode at = node.get("rename").get(from);
            FieldPath path = field(at, from);
            if (!BARE_NAME.matcher(to).matches()) {
                at.error("the new name is a field name in the same object, without '.' or '/', was '" + to + "'");
                return;
            }
            if (path == null) return;
            for (FieldPath earlier : rename.keySet()) {
                if (earlier.segments().equals(path.segments())) {
                    at.error("'" + from + "' and '" + earlier + "' are the same field");
                    return;
                }
            }
            List<String> target = new ArrayList<>(path.parent());
            target.add(to);
            FieldPath clash = renamedTo.putIfAbsent(target, path);
            if (clash != null) {
                at.error("'" + from + "' and '" + clash + "' would both become '" + String.join(".", target) + "'; one would overwrite the other");
                return;
            }
            rename.put(path, to);
        });
        ConfigNode allowNode = node.get("allow");
        if (allowNode.isList() && allowNode.items().isEmpty()) {
            allowNode.error("an empty list keeps nothing; list the fields to keep, or leave allow out");
        }
        List<FieldPath> allow = fields(allowNode);
        List<FieldPath> remove = fields(node.get("remove"));
        Map<FieldPath, JsonOps.Conversion> convert = new LinkedHashMap<>();
        node.get("convert").stringMap().forEach((field, to) -> {
            ConfigNode at = node.get("convert").get(field);
            FieldPath path = field(at, field);
            JsonOps.Conversion c = JsonOps.Conversion.of(to);
            if (c == null) {
                at.error("unknown conversion '" + to + "' (expected one of " + String.join(", ", JsonOps.Conversion.keys()) + ")"
                        + Suggest.didYouMean(to, JsonOps.Conversion.keys()));
            } else if (path != null) {
                convert.put(path, c);
            }
        });
        Map<FieldPath, JsonOps.Value> set = new LinkedHashMap<>();
        node.get("set").entries().forEach((field, at) -> {
            FieldPath path = field(at, field);
            JsonNode value = at.json();
            if (path == null || value == null) return;
            for (FieldPath earlier : set.keySet()) {
                String clash = earlier.segments().equals(path.segments()) ? "'" + field + "' and '" + earlier + "' are the same field"
                        : earlier.holds(path) ? "'" + field + "' is inside '" + earlier + "', which set also writes; set the whole value in one place"
                        : path.holds(earlier) ? "'" + field + "' holds '" + earlier + "', which set also writes; set the whole value in one place"
                        : null;
                if (clash != null) {
                    at.error(clash);
                    return;
                }
            }
            if (value.isTextual() && value.asText().contains("{")) {
                Template t = template(at, value.asText(), templates);
                if (t != null) set.put(path, new JsonOps.Value(null, t));
            } else {
                set.put(path, new JsonOps.Value(value.deepCopy(), null));
            }
        });
        return new JsonOps(rename, allow, remove, convert, set);
    }

    private static List<FieldPath> fields(ConfigNode node) {
        List<FieldPath> out = new ArrayList<>();
        for (ConfigNode item : node.items()) {
            if (item.isText() && !item.json().isTextual()) {
                String written = item.text(null);
                item.error("expected a field name, was " + written + " (write \"" + written + "\" for a field of that name)");
                continue;
            }
            String text = item.requiredText();
            FieldPath p = text == null ? null : field(item, text);
            if (p != null) out.add(p);
        }
        return out;
    }

    private static FieldPath field(ConfigNode at, String text) {
        try {
            return FieldPath.parse(text);
        } catch (IllegalArgumentException e) {
            at.error(e.getMessage());
            return null;
        }
    }

    private static Template template(ConfigNode at, String text, List<Written> templates) {
        try {
            Template t = Template.parse(text, Set.of());
            templates.add(new Written(t, at.mark(), at.path()));
            return t;
        } catch (Template.Invalid e) {
            e.problems().forEach(at::error);
            return null;
        }
    }

    /**
     * Reports each route capture a template names that a route this block runs on does not
     * capture: at run time it could never be filled.
     *
     * @param captures the routes the block runs on, by name, with the captures every path of each has
     */
    void checkCaptures(Map<String, Set<String>> captures, Problems problems) {
        for (Written w : templates) {
            Set<String> reported = new java.util.HashSet<>();
            for (Template.Ref ref : w.template().refs()) {
                if (ref.kind() != Template.Ref.Kind.CAPTURE || !reported.add(ref.name())) continue;
                List<String> lacking = new ArrayList<>();
                captures.forEach((route, names) -> {
                    if (!names.contains(ref.name())) lacking.add(route);
                });
                if (lacking.isEmpty()) continue;
                String message;
                if (lacking.size() == 1) {
                    Set<String> has = captures.get(lacking.get(0));
                    message = ref + " is not captured by route '" + lacking.get(0) + "' (captures: "
                            + (has.isEmpty() ? "none" : String.join(", ", has)) + ")";
                } else {
                    message = ref + " is not captured by routes '" + String.join("', '", lacking) + "'";
                }
                problems.error(w.mark(), w.path(), message);
            }
        }
    }
}
