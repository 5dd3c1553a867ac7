package portico.config;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLParser;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.yaml.snakeyaml.error.MarkedYAMLException;

/**
 * Parses YAML into a Jackson tree while remembering where each key and value stood. Jackson's
 * tree model drops token locations, and every config error must point at a line and column, so
 * the tree is built here from the streaming parser in one pass.
 *
 * <p>The streaming parser leaves two YAML features to its caller, and a config that silently
 * meant something else would be worse than an error: an alias ({@code *name}) arrives as the
 * plain string {@code name}, and a merge key ({@code <<: *defaults}) as an ordinary key. Both are
 * resolved here for anchored maps and lists; an alias of anything else is reported.
 */
public final class YamlTree {
    private static final YAMLFactory YAML = new YAMLFactory();
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
    private static final String MERGE_KEY = "<<";

    private final Map<String, Mark> valueMarks = new HashMap<>();
    private final Map<String, Mark> keyMarks = new HashMap<>();
    private final Map<String, String> scalarTexts = new HashMap<>();
    private final Map<String, JsonNode> anchors = new HashMap<>();
    private final ColumnMap columns;
    private final Problems problems;
    private JsonNode root;

    private YamlTree(ColumnMap columns, Problems problems) {
        this.columns = columns;
        this.problems = problems;
    }

    /** @return the tree, or null with the syntax error added to problems */
    public static YamlTree parse(String text, Problems problems) {
        return parse(text, ColumnMap.IDENTITY, problems);
    }

    /** @param columns maps positions in {@code text} back to the file as the user wrote it */
    static YamlTree parse(String text, ColumnMap columns, Problems problems) {
        YamlTree tree = new YamlTree(columns, problems);
        try (JsonParser p = YAML.createParser(text)) {
            JsonToken first = p.nextToken();
            if (first == null) {
                tree.root = NODES.objectNode();
                return tree;
            }
            tree.root = tree.value(p, "");
            if (p.nextToken() != null) {
                problems.error(tree.mark(p.currentTokenLocation()), "",
                        "a second YAML document ('---'); a config file holds exactly one");
            }
            return tree;
        } catch (JsonProcessingException e) {
            problems.error(tree.syntaxErrorMark(e), "", "invalid YAML: " + tree.syntaxErrorMessage(e));
            return null;
        } catch (IOException e) {
            problems.error(Mark.UNKNOWN, "", "cannot read: " + e.getMessage());
            return null;
        }
    }

    public JsonNode root() {
        return root;
    }

    public Mark valueMark(String path) {
        return valueMarks.getOrDefault(path, Mark.UNKNOWN);
    }

    public Mark keyMark(String path) {
        Mark m = keyMarks.get(path);
        return m != null ? m : valueMark(path);
    }

    /**
     * The key path of the innermost value that starts at or before this mark on its line: the
     * value an interpolation problem (found before parsing, so without a path) belongs to.
     */
    String pathAt(Mark m) {
        String best = null;
        Mark bestMark = null;
        for (Map.Entry<String, Mark> e : valueMarks.entrySet()) {
            Mark v = e.getValue();
            if (v.line() != m.line() || v.column() > m.column()) continue;
            boolean later = bestMark == null || v.column() > bestMark.column();
            boolean deeper = bestMark != null && v.column() == bestMark.column() && e.getKey().length() > best.length();
            if (later || deeper) {
                best = e.getKey();
                bestMark = v;
            }
        }
        return best == null ? "" : best;
    }

    /**
     * A scalar exactly as written: YAML reads {@code on} as true and {@code 0x1F} as 31, but a
     * header value or an API key means the characters. Null when the path holds no such scalar.
     */
    String scalarText(String path) {
        return scalarTexts.get(path);
    }

    private JsonNode value(JsonParser p, String path) throws IOException {
        Mark at = mark(p.currentTokenLocation());
        valueMarks.put(path, at);
        JsonToken t = p.currentToken();
        String anchor = t.isStructStart() ? ((YAMLParser) p).getObjectId() : null;
        if (t.isScalarValue() && ((YAMLParser) p).isCurrentAlias()) return alias(p.getText(), path, at);
        JsonNode node = switch (t) {
            case START_OBJECT -> object(p, path);
            case START_ARRAY -> {
                ArrayNode arr = NODES.arrayNode();
                int i = 0;
                while (p.nextToken() != JsonToken.END_ARRAY) {
                    arr.add(value(p, path + "[" + i++ + "]"));
                }
                yield arr;
            }
            case VALUE_STRING -> NODES.textNode(p.getText());
            case VALUE_NUMBER_INT -> p.getNumberType() == JsonParser.NumberType.BIG_INTEGER
                    ? NODES.numberNode(p.getBigIntegerValue()) : NODES.numberNode(p.getLongValue());
            case VALUE_NUMBER_FLOAT -> NODES.numberNode(p.getDoubleValue());
            case VALUE_TRUE -> NODES.booleanNode(true);
            case VALUE_FALSE -> NODES.booleanNode(false);
            case VALUE_NULL -> NODES.nullNode();
            default -> throw new IllegalStateException("unexpected YAML token " + t);
        };
        if (t.isScalarValue() && t != JsonToken.VALUE_STRING && t != JsonToken.VALUE_NULL) {
            scalarTexts.put(path, p.getText());
        }
        if (anchor != null) anchors.put(anchor, node);
        return node;
    }

    private ObjectNode object(JsonParser p, String path) throws IOException {
        ObjectNode obj = NODES.objectNode();
        List<JsonNode> merged = new ArrayList<>();
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String key = p.currentName();
            String child = path.isEmpty() ? key : path + "." + key;
            Mark keyMark = mark(p.currentTokenLocation());
            p.nextToken();
            if (key.equals(MERGE_KEY)) {
                merged.add(value(p, child));
                continue;
            }
            if (obj.has(key)) {
                problems.error(keyMark, child, "duplicate key");
            }
            keyMarks.put(child, keyMark);
            obj.set(key, value(p, child));
        }
        for (JsonNode m : merged) merge(obj, m, path);
        return obj;
    }

    /** {@code <<: *a} or {@code <<: [*a, *b]}: keys written in the map win, then earlier merges. */
    private void merge(ObjectNode into, JsonNode from, String path) {
        if (from.isArray()) {
            from.forEach(m -> merge(into, m, path));
            return;
        }
        String at = path.isEmpty() ? MERGE_KEY : path + "." + MERGE_KEY;
        if (!from.isObject()) {
            if (!from.isNull()) problems.error(valueMark(at), at, "a merge key takes a map or a list of maps, such as <<: *defaults");
            return;
        }
        from.fields().forEachRemaining(e -> {
            if (!into.has(e.getKey())) {
                into.set(e.getKey(), e.getValue().deepCopy());
                String child = path.isEmpty() ? e.getKey() : path + "." + e.getKey();
                keyMarks.putIfAbsent(child, valueMark(at));
                valueMarks.putIfAbsent(child, valueMark(at));
            }
        });
    }

    private JsonNode alias(String name, String path, Mark at) {
        JsonNode target = anchors.get(name);
        if (target == null) {
            problems.error(at, path, "*" + name + " names no anchored map or list before it"
                    + " (anchors on single values are not supported)");
            problems.muteAt(at);  // whatever the reader would say about the empty value is this mistake
            return NODES.nullNode();
        }
        return target.deepCopy();
    }

    private Mark mark(JsonLocation at) {
        return columns.original(new Mark(at.getLineNr(), at.getColumnNr()));
    }

    // Jackson's own location for a syntax error is sometimes the start of the construct, not the
    // character at fault; SnakeYAML's "problem mark" is exact (0-based).
    private Mark syntaxErrorMark(JsonProcessingException e) {
        if (e.getCause() instanceof MarkedYAMLException y && y.getProblemMark() != null) {
            return columns.original(new Mark(y.getProblemMark().getLine() + 1, y.getProblemMark().getColumn() + 1));
        }
        JsonLocation at = e.getLocation();
        return at == null ? Mark.UNKNOWN : mark(at);
    }

    private String syntaxErrorMessage(JsonProcessingException e) {
        if (e.getCause() instanceof MarkedYAMLException y && y.getProblem() != null) {
            String message = y.getProblem();
            if (y.getContext() != null && y.getContextMark() != null) {
                Mark ctx = columns.original(new Mark(y.getContextMark().getLine() + 1, y.getContextMark().getColumn() + 1));
                message += " (" + y.getContext() + " at " + ctx + ")";
            } else if (y.getContext() != null) {
                message += " (" + y.getContext() + ")";
            }
            return message;
        }
        return e.getOriginalMessage().lines().findFirst().orElse("not YAML");
    }
}
