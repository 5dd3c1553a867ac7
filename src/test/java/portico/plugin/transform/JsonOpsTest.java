package portico.plugin.transform;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.IntNode;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import portico.template.Template;

class JsonOpsTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Template.Values NO_VALUES = ref -> null;

    private static JsonNode json(String s) throws Exception {
        return JSON.readTree(s);
    }

    private static FieldPath f(String s) {
        return FieldPath.parse(s);
    }

    private static JsonOps ops(Map<FieldPath, String> rename, List<FieldPath> allow, List<FieldPath> remove,
                               Map<FieldPath, JsonOps.Conversion> convert, Map<FieldPath, JsonOps.Value> set) {
        return new JsonOps(rename, allow, remove, convert, set);
    }

    @Test
    void renameKeepsTheFieldWhereItWas() throws Exception {
        JsonNode out = ops(Map.of(f("user_id"), "id"), List.of(), List.of(), Map.of(), Map.of())
                .apply(json("{\"a\":1,\"user_id\":7,\"b\":2}"), NO_VALUES);

        assertThat(out.toString()).isEqualTo("{\"a\":1,\"id\":7,\"b\":2}");
    }

    @Test
    void dottedPathsAndJsonPointersNameTheSameNestedField() throws Exception {
        JsonNode body = json("{\"a\":{\"b\":1,\"c\":2,\"d/e\":3}}");
        ops(Map.of(), List.of(), List.of(f("a.b"), f("/a/d~1e")), Map.of(), Map.of()).apply(body, NO_VALUES);

        assertThat(body.toString()).isEqualTo("{\"a\":{\"c\":2}}");
    }

    @Test
    void arraysOnTheWayAreEnteredElementByElement() throws Exception {
        JsonNode body = json("[{\"items\":[{\"p\":1,\"q\":1},{\"p\":2}]},{\"items\":[]}]");
        ops(Map.of(), List.of(), List.of(f("items.q")), Map.of(), Map.of(f("items.r"), new JsonOps.Value(IntNode.valueOf(0), null)))
                .apply(body, NO_VALUES);

        assertThat(body.toString()).isEqualTo("[{\"items\":[{\"p\":1,\"r\":0},{\"p\":2,\"r\":0}]},{\"items\":[]}]");
    }

    @Test
    void anAllowListKeepsNamedFieldsAndTheNamedChildrenOfParents() throws Exception {
        JsonNode body = json("{\"id\":1,\"secret\":2,\"address\":{\"city\":\"x\",\"zip\":\"y\"},\"tags\":[\"a\"]}");
        ops(Map.of(), List.of(f("id"), f("address.city"), f("tags")), List.of(), Map.of(), Map.of()).apply(body, NO_VALUES);

        assertThat(body.toString()).isEqualTo("{\"id\":1,\"address\":{\"city\":\"x\"},\"tags\":[\"a\"]}");
    }

    @Test
    void operationsRunInTheDocumentedOrderSoLaterOnesSeeNewNames() throws Exception {
        JsonNode body = json("{\"created\":0,\"drop\":1}");
        ops(Map.of(f("created"), "created_at"), List.of(f("created_at"), f("drop")), List.of(f("drop")),
                Map.of(f("created_at"), JsonOps.Conversion.ISO8601), Map.of(f("v"), new JsonOps.Value(IntNode.valueOf(2), null)))
                .apply(body, NO_VALUES);

        assertThat(body.toString()).isEqualTo("{\"created_at\":\"1970-01-01T00:00:00Z\",\"v\":2}");
    }

    @Test
    void conversionsChangeOnlyValuesOfTheKindTheyRead() throws Exception {
        assertThat(JsonOps.convert(json("1675165645"), JsonOps.Conversion.ISO8601).asText()).isEqualTo("2023-01-31T11:47:25Z");
        assertThat(JsonOps.convert(json("\"2023-01-31T11:47:25Z\""), JsonOps.Conversion.EPOCH_SECONDS).asLong()).isEqualTo(1675165645L);
        assertThat(JsonOps.convert(json("\"2023-01-31T12:47:25+01:00\""), JsonOps.Conversion.EPOCH_SECONDS).asLong()).isEqualTo(1675165645L);
        assertThat(JsonOps.convert(json("42"), JsonOps.Conversion.STRING).textValue()).isEqualTo("42");
        assertThat(JsonOps.convert(json("\"12.50\""), JsonOps.Conversion.NUMBER).decimalValue()).isEqualByComparingTo("12.50");
        assertThat(JsonOps.convert(json("\"7\""), JsonOps.Conversion.NUMBER).isIntegralNumber()).isTrue();
        assertThat(JsonOps.convert(json("\"soon\""), JsonOps.Conversion.EPOCH_SECONDS)).isNull();
        assertThat(JsonOps.convert(json("\"abc\""), JsonOps.Conversion.NUMBER)).isNull();
        assertThat(JsonOps.convert(json("{}"), JsonOps.Conversion.ISO8601)).isNull();
    }

    @Test
    void setMakesMissingParentsAndFillsTemplates() throws Exception {
        JsonNode body = json("{}");
        Template who = Template.parse("by {consumer.name}", Set.of());
        ops(Map.of(), List.of(), List.of(), Map.of(), Map.of(f("meta.by"), new JsonOps.Value(null, who),
                f("meta.skipped"), new JsonOps.Value(null, Template.parse("{claims.sub}", Set.of()))))
                .apply(body, ref -> ref.kind() == Template.Ref.Kind.CONSUMER ? "mobile-app" : null);

        assertThat(body.toString()).isEqualTo("{\"meta\":{\"by\":\"by mobile-app\"}}");
    }

    @Test
    void aFieldPathHasNoEmptySegments() {
        assertThatThrownBy(() -> FieldPath.parse("a..b")).hasMessageContaining("is not a field");
        assertThatThrownBy(() -> FieldPath.parse("/")).hasMessageContaining("is not a field");
    }
}
