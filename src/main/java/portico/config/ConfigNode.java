package portico.config;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * A position in the parsed config: a value (or its absence), its key path for messages, and its
 * line and column. Readers ask it for typed values; every mistake is added to {@link Problems} with
 * the exact location, and a neutral value is returned so that reading goes on and all errors are
 * reported at once.
 */
public final class ConfigNode {
    private final JsonNode node;
    private final String path;
    private final String schemaPath;
    private final Context ctx;
    private final Mark parentMark;  // where to point when this key is absent: its parent

    /** Shared by all nodes of one read: the source positions, the problems, the declared keys. */
    static final class Context {
        final YamlTree tree;
        final Problems problems;
        final Set<String> declaredKeys = new TreeSet<>();

        Context(YamlTree tree, Problems problems) {
            this.tree = tree;
            this.problems = problems;
        }
    }

    ConfigNode(JsonNode node, String path, String schemaPath, Context ctx, Mark parentMark) {
        this.node = node;
        this.path = path;
        this.schemaPath = schemaPath;
        this.ctx = ctx;
        this.parentMark = parentMark;
    }

    static ConfigNode root(YamlTree tree, Problems problems) {
        return new ConfigNode(tree.root(), "", "", new Context(tree, problems), new Mark(1, 1));
    }

    public String path() {
        return path;
    }

    /**
     * The document's root, for a setting that depends on another section (a rate limit with
     * {@code store: redis} needs {@code cluster.redis}). Reading it declares no keys.
     */
    public ConfigNode root() {
        return new ConfigNode(ctx.tree.root(), "", "", ctx, new Mark(1, 1));
    }

    /** Where the value stands; for an absent key (or one inside an alias), where its parent does. */
    public Mark mark() {
        Mark m = ctx.tree.valueMark(path);
        return m.equals(Mark.UNKNOWN) ? parentMark : m;
    }

    public Problems problems() {
        return ctx.problems;
    }

    /** Key paths with {@code *} for map entries and {@code []} for list items; the schema test compares them. */
    Set<String> declaredKeys() {
        return ctx.declaredKeys;
    }

    /** The parsed value itself, for values passed on as JSON (a fallback body); null when absent. */
    JsonNode value() {
        return node;
    }

    public boolean present() {
        return node != null && !node.isNull();
    }

    /** Whether the key is written with no value ({@code key:} or {@code key: ~}), which {@link #present} treats as absent. */
    public boolean writtenEmpty() {
        return node != null && node.isNull();
    }

    public boolean isText() {
        return present() && node.isValueNode();
    }

    public boolean isObject() {
        return present() && node.isObject();
    }

    public boolean isList() {
        return present() && node.isArray();
    }

    public void error(String message) {
        ctx.problems.error(mark(), path, message);
    }

    public void warning(String message) {
        ctx.problems.warning(mark(), path, message);
    }

    /**
     * Declares the keys this object may have; reports the others with a suggestion.
     *
     * @return false (with an error) when the value is present but not an object
     */
    public boolean object(String... known) {
        List<String> keys = Arrays.asList(known);
        for (String k : keys) {
            ctx.declaredKeys.add(schemaPath.isEmpty() ? k : schemaPath + "." + k);
        }
        if (!present()) return false;
        if (!node.isObject()) {
            error("expected a map of " + String.join(", ", keys));
            return false;
        }
        for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
            String k = it.next();
            if (!keys.contains(k)) {
                String child = child(k);
                ctx.problems.error(ctx.tree.keyMark(child), child, "unknown key" + Suggest.didYouMean(k, keys));
            }
        }
        return true;
    }

    public ConfigNode get(String key) {
        return new ConfigNode(node != null && node.isObject() ? node.get(key) : null, child(key),
                schemaPath.isEmpty() ? key : schemaPath + "." + key, ctx, mark());
    }

    /** The entries of a map whose keys are names chosen by the user (services, consumers). */
    public Map<String, ConfigNode> entries() {
        Map<String, ConfigNode> out = new LinkedHashMap<>();
        if (!present()) return out;
        if (!node.isObject()) {
            error("expected a map of names to settings");
            return out;
        }
        for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            out.put(e.getKey(), new ConfigNode(e.getValue(), child(e.getKey()), schemaPath + ".*", ctx, mark()));
        }
        return out;
    }

    /** Items of a list; a single scalar is accepted as a list of one, as users write {@code methods: GET}. */
    public List<ConfigNode> items() {
        List<ConfigNode> out = new ArrayList<>();
        if (!present()) return out;
        if (node.isArray()) {
            for (int i = 0; i < node.size(); i++) {
                out.add(new ConfigNode(node.get(i), path + "[" + i + "]", schemaPath + "[]", ctx, mark()));
            }
        } else if (node.isValueNode()) {
            out.add(this);
        } else {
            error("expected a list");
        }
        return out;
    }

    public String text(String fallback) {
        if (!present()) return fallback;
        if (!node.isValueNode()) {
            error("expected a single value, not a " + (node.isArray() ? "list" : "map"));
            return fallback;
        }
        String written = ctx.tree.scalarText(path);
        return written != null ? written : node.asText();
    }

    public String requiredText() {
        if (!present()) {
            error("is required");
            return null;
        }
        String s = text(null);
        if (s != null && s.isBlank()) {
            error("must not be empty");
            return null;
        }
        return s;
    }

    public Duration duration(Duration fallback) {
        String s = text(null);
        if (s == null) return fallback;
        try {
            return Units.duration(s);
        } catch (IllegalArgumentException e) {
            error(e.getMessage());
            return fallback;
        }
    }

    public long size(long fallback) {
        String s = text(null);
        if (s == null) return fallback;
        try {
            return Units.size(s);
        } catch (IllegalArgumentException e) {
            error(e.getMessage());
            return fallback;
        }
    }

    public int integer(int fallback, int min, int max) {
        if (!present()) return fallback;
        if (!node.isIntegralNumber()) {
            error("expected a whole number, was " + shown());
            return fallback;
        }
        if (!node.canConvertToLong() || node.asLong() < min || node.asLong() > max) {
            error("must be within " + min + ".." + max + ", was " + shown().replace("'", ""));
            return fallback;
        }
        return (int) node.asLong();
    }

    /** A percentage such as {@code 50%}, as a fraction in [0, 1]. */
    public double percent(double fallback) {
        String s = text(null);
        if (s == null) return fallback;
        try {
            return Units.percent(s);
        } catch (IllegalArgumentException e) {
            error(e.getMessage());
            return fallback;
        }
    }

    public boolean bool(boolean fallback) {
        if (!present()) return fallback;
        if (node.isBoolean()) return node.asBoolean();
        error("expected true or false, was " + shown());
        return fallback;
    }

    /** A map of plain string values, such as {@code headers: {X-API-Version: "2"}}. */
    public Map<String, String> stringMap() {
        Map<String, String> out = new LinkedHashMap<>();
        for (Map.Entry<String, ConfigNode> e : entries().entrySet()) {
            String v = e.getValue().text(null);
            if (v != null) out.put(e.getKey(), v);
        }
        return out;
    }

    public List<String> strings() {
        List<String> out = new ArrayList<>();
        for (ConfigNode item : items()) {
            String s = item.text(null);
            if (s != null) out.add(s);
        }
        return out;
    }

    /**
     * The value as parsed JSON, for settings passed on as data (an aggregate part's {@code default},
     * a transform's {@code set} constants); null when absent.
     */
    public JsonNode json() {
        return node;
    }

    /**
     * Declares keys a map may have beside names the user chooses (read with {@link #entries()}),
     * so that the schema check knows them; unlike {@link #object}, reports nothing.
     */
    public void declare(String... keys) {
        for (String k : keys) ctx.declaredKeys.add(schemaPath.isEmpty() ? k : schemaPath + "." + k);
    }

    /** The value for a message: a scalar as written, in quotes, or what kind of thing it is. */
    private String shown() {
        if (node.isArray()) return "a list";
        if (node.isObject()) return "a map";
        String written = ctx.tree.scalarText(path);
        return "'" + (written != null ? written : node.asText()) + "'";
    }

    private String child(String key) {
        return path.isEmpty() ? key : path + "." + key;
    }
}
