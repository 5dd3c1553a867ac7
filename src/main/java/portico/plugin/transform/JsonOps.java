package portico.plugin.transform;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.math.BigDecimal;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import portico.json.BodyJson;
import portico.template.Template;

/**
 * The JSON body operations of {@code request_transform} and {@code response_transform}, applied in
 * this order: {@code rename}, {@code allow}, {@code remove}, {@code convert}, {@code set} (so the
 * later ones use the new names, and constants set last are never removed). When the body is an
 * array, each element is transformed.
 */
record JsonOps(Map<FieldPath, String> rename, List<FieldPath> allow, List<FieldPath> remove,
               Map<FieldPath, Conversion> convert, Map<FieldPath, Value> set) {

    /** A {@code convert} target. */
    enum Conversion {
        /** Epoch seconds (a number) to an ISO-8601 UTC instant such as 2023-01-31T11:47:25Z. */
        ISO8601("iso8601"),
        /** An ISO-8601 instant or offset date-time to epoch seconds. */
        EPOCH_SECONDS("epoch_seconds"),
        /** A number or boolean to its text. */
        STRING("string"),
        /** Text that reads as a number to that number. */
        NUMBER("number");

        final String key;

        Conversion(String key) {
            this.key = key;
        }

        static Conversion of(String key) {
            for (Conversion c : values()) if (c.key.equals(key)) return c;
            return null;
        }

        static List<String> keys() {
            List<String> out = new ArrayList<>();
            for (Conversion c : values()) out.add(c.key);
            return out;
        }
    }

    /** A {@code set} value: a JSON constant, or a string template filled in per request. */
    record Value(JsonNode constant, Template template) {}

    JsonOps {
        rename = ordered(rename);
        allow = List.copyOf(allow);
        remove = List.copyOf(remove);
        convert = ordered(convert);
        set = ordered(set);
    }

    boolean isEmpty() {
        return rename.isEmpty() && allow.isEmpty() && remove.isEmpty() && convert.isEmpty() && set.isEmpty();
    }

    /** Transforms the body in place (a new node only when the body is replaced as a whole). */
    JsonNode apply(JsonNode body, Template.Values values) {
        rename.forEach((from, to) -> from.forEachParent(body, (obj, name) -> renameKeepingOrder(obj, name, to)));
        if (!allow.isEmpty()) keepOnly(body, allowedTree());
        for (FieldPath p : remove) p.forEachParent(body, ObjectNode::remove);
        convert.forEach((path, to) -> path.forEachParent(body, (obj, name) -> {
            JsonNode v = obj.get(name);
            if (v != null) {
                JsonNode converted = convert(v, to);
                if (converted != null) obj.set(name, converted);
            }
        }));
        set.forEach((path, value) -> {
            JsonNode v = value.template() == null ? value.constant() : text(value.template().render(values, Template.Position.TEXT));
            if (v != null) path.forEachParentCreating(body, (obj, name) -> obj.set(name, v.deepCopy()));
        });
        return body;
    }

    private static JsonNode text(String s) {
        return s == null ? null : BodyJson.NODES.textNode(s);
    }

    private static void renameKeepingOrder(ObjectNode obj, String from, String to) {
        if (!obj.has(from) || from.equals(to)) return;
        Map<String, JsonNode> fields = new LinkedHashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = obj.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            if (e.getKey().equals(to)) continue;  // the renamed field takes its place
            fields.put(e.getKey().equals(from) ? to : e.getKey(), e.getValue());
        }
        obj.removeAll();
        obj.setAll(fields);
    }

    /** The allow list as a tree of names; a leaf keeps the whole value. */
    private Map<String, Object> allowedTree() {
        Map<String, Object> root = new LinkedHashMap<>();
        for (FieldPath p : allow) {
            Map<String, Object> at = root;
            for (int i = 0; i < p.segments().size(); i++) {
                String s = p.segments().get(i);
                boolean leaf = i == p.segments().size() - 1;
                Object existing = at.get(s);
                if (leaf) {
                    at.put(s, Boolean.TRUE);
                } else if (existing == Boolean.TRUE) {
                    break;  // a parent already kept whole
                } else {
                    @SuppressWarnings("unchecked")
                    Map<String, Object> next = existing == null ? new LinkedHashMap<>() : (Map<String, Object>) existing;
                    at.put(s, next);
                    at = next;
                }
            }
        }
        return root;
    }

    @SuppressWarnings("unchecked")
    private static void keepOnly(JsonNode node, Map<String, Object> allowed) {
        if (node instanceof ArrayNode array) {
            for (JsonNode element : array) keepOnly(element, allowed);
            return;
        }
        if (!(node instanceof ObjectNode obj)) return;
        for (Iterator<Map.Entry<String, JsonNode>> it = obj.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            Object rule = allowed.get(e.getKey());
            if (rule == null) it.remove();
            else if (rule instanceof Map<?, ?> nested) keepOnly(e.getValue(), (Map<String, Object>) nested);
        }
    }

    /** @return the converted value, or null to leave it as it is (it was not of the kind the conversion reads) */
    static JsonNode convert(JsonNode v, Conversion to) {
        JsonNodeFactory f = BodyJson.NODES;
        switch (to) {
            case ISO8601:
                if (v.isNumber()) return f.textNode(Instant.ofEpochSecond(v.asLong()).toString());
                return null;
            case EPOCH_SECONDS:
                if (!v.isTextual()) return null;
                try {
                    return f.numberNode(Instant.parse(v.asText()).getEpochSecond());
                } catch (DateTimeParseException e) {
                    try {
                        return f.numberNode(OffsetDateTime.parse(v.asText()).toEpochSecond());
                    } catch (DateTimeParseException e2) {
                        return null;
                    }
                }
            case STRING:
                return v.isNumber() || v.isBoolean() ? f.textNode(v.asText()) : null;
            case NUMBER:
                if (!v.isTextual()) return null;
                try {
                    BigDecimal n = new BigDecimal(v.asText().trim());
                    if (n.scale() <= 0) {
                        try {
                            return f.numberNode(n.longValueExact());
                        } catch (ArithmeticException tooBig) {
                            return f.numberNode(n.toBigIntegerExact());
                        }
                    }
                    return f.numberNode(n);
                } catch (NumberFormatException e) {
                    return null;
                }
            default:
                return null;
        }
    }

    /** An unmodifiable copy that keeps the order written: operations apply in that order. */
    private static <K, V> Map<K, V> ordered(Map<K, V> m) {
        return java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(m));
    }
}
