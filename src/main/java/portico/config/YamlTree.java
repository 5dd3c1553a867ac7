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
import java.io.IOException;
import java.util.HashMap;
import java.util.Map;

/**
 * Parses YAML into a Jackson tree while remembering where each key and value stood. Jackson's
 * tree model drops token locations, and every config error must point at a line and column, so
 * the tree is built here from the streaming parser in one pass.
 */
public final class YamlTree {
    private static final YAMLFactory YAML = new YAMLFactory();
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    private final Map<String, Mark> valueMarks = new HashMap<>();
    private final Map<String, Mark> keyMarks = new HashMap<>();
    private JsonNode root;

    private YamlTree() {}

    /** @return the tree, or null with the syntax error added to problems */
    public static YamlTree parse(String text, Problems problems) {
        YamlTree tree = new YamlTree();
        try (JsonParser p = YAML.createParser(text)) {
            JsonToken first = p.nextToken();
            if (first == null) {
                tree.root = NODES.objectNode();
                return tree;
            }
            tree.root = tree.value(p, "", problems);
            return tree;
        } catch (JsonProcessingException e) {
            JsonLocation at = e.getLocation();
            Mark mark = at == null ? Mark.UNKNOWN : new Mark(at.getLineNr(), at.getColumnNr());
            String message = e.getOriginalMessage().lines().findFirst().orElse("invalid YAML");
            problems.error(mark, "", "invalid YAML: " + message);
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

    private JsonNode value(JsonParser p, String path, Problems problems) throws IOException {
        valueMarks.put(path, mark(p.currentTokenLocation()));
        JsonToken t = p.currentToken();
        switch (t) {
            case START_OBJECT -> {
                ObjectNode obj = NODES.objectNode();
                while (p.nextToken() == JsonToken.FIELD_NAME) {
                    String key = p.currentName();
                    String child = path.isEmpty() ? key : path + "." + key;
                    Mark keyMark = mark(p.currentTokenLocation());
                    p.nextToken();
                    if (obj.has(key)) {
                        problems.error(keyMark, child, "duplicate key");
                    }
                    keyMarks.put(child, keyMark);
                    obj.set(key, value(p, child, problems));
                }
                return obj;
            }
            case START_ARRAY -> {
                ArrayNode arr = NODES.arrayNode();
                int i = 0;
                while (p.nextToken() != JsonToken.END_ARRAY) {
                    arr.add(value(p, path + "[" + i++ + "]", problems));
                }
                return arr;
            }
            case VALUE_STRING -> {
                return NODES.textNode(p.getText());
            }
            case VALUE_NUMBER_INT -> {
                return NODES.numberNode(p.getLongValue());
            }
            case VALUE_NUMBER_FLOAT -> {
                return NODES.numberNode(p.getDoubleValue());
            }
            case VALUE_TRUE -> {
                return NODES.booleanNode(true);
            }
            case VALUE_FALSE -> {
                return NODES.booleanNode(false);
            }
            case VALUE_NULL -> {
                return NODES.nullNode();
            }
            default -> throw new IllegalStateException("unexpected YAML token " + t);
        }
    }

    private static Mark mark(JsonLocation at) {
        return new Mark(at.getLineNr(), at.getColumnNr());
    }
}
