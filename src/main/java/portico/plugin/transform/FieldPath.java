package portico.plugin.transform;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BiConsumer;

/**
 * A field in a JSON body, written as a JSON Pointer ({@code /address/city}, RFC 6901) or a dotted
 * path ({@code address.city}). Arrays met on the way, the body itself included, are entered
 * element by element, so {@code items.price} means the price of every item; array indexes are
 * not addressed.
 */
record FieldPath(String text, List<String> segments) {

    /** @throws IllegalArgumentException with a message fit for the user */
    static FieldPath parse(String text) {
        List<String> segments = new ArrayList<>();
        if (text.startsWith("/")) {
            for (String s : text.substring(1).split("/", -1)) {
                for (int i = s.indexOf('~'); i >= 0; i = s.indexOf('~', i + 2)) {
                    if (i + 1 >= s.length() || (s.charAt(i + 1) != '0' && s.charAt(i + 1) != '1')) {
                        throw new IllegalArgumentException("'" + text + "' is not a JSON Pointer: '~' is written ~0 and '/' in a name ~1 (RFC 6901)");
                    }
                }
                segments.add(s.replace("~1", "/").replace("~0", "~"));
            }
        } else {
            for (String s : text.split("\\.", -1)) segments.add(s);
        }
        if (segments.isEmpty() || segments.stream().anyMatch(String::isEmpty)) {
            throw new IllegalArgumentException("'" + text + "' is not a field: write name, parent.name or /parent/name");
        }
        return new FieldPath(text, List.copyOf(segments));
    }

    /** The segments before the last: the object that holds the field. */
    List<String> parent() {
        return segments.subList(0, segments.size() - 1);
    }

    /** Whether {@code other} is a field inside this one ({@code org.b} inside {@code org}). */
    boolean holds(FieldPath other) {
        return other.segments.size() > segments.size() && other.segments.subList(0, segments.size()).equals(segments);
    }

    String last() {
        return segments.get(segments.size() - 1);
    }

    /** Calls {@code at} with every object that holds this field (whether or not it has it now) and the field's name. */
    void forEachParent(JsonNode node, BiConsumer<ObjectNode, String> at) {
        walk(node, 0, false, at);
    }

    /** As {@link #forEachParent}, creating missing objects on the way (for {@code set}). */
    void forEachParentCreating(JsonNode node, BiConsumer<ObjectNode, String> at) {
        walk(node, 0, true, at);
    }

    private void walk(JsonNode node, int i, boolean create, BiConsumer<ObjectNode, String> at) {
        if (node instanceof ArrayNode array) {
            for (JsonNode element : array) walk(element, i, create, at);
            return;
        }
        if (!(node instanceof ObjectNode object)) return;
        String name = segments.get(i);
        if (i == segments.size() - 1) {
            at.accept(object, name);
            return;
        }
        JsonNode child = object.get(name);
        if ((child == null || child.isNull()) && create) child = object.putObject(name);
        if (child != null) walk(child, i + 1, create, at);
    }

    @Override
    public String toString() {
        return text;
    }
}
