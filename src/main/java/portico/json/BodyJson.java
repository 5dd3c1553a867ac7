package portico.json;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import java.io.IOException;

/**
 * How the gateway reads and writes the JSON bodies it edits (body transforms, aggregate parts):
 * one value per body, strictly: {@code {"id":1}{"secret":"x"}} is not JSON, so no field can hide
 * after a first value that a transform would clean. Numbers keep their exact value: decimals are
 * read as BigDecimal, scale included, so {@code 12.30}, {@code 123456789.123456789} and
 * {@code 1e400} come out as the same numbers (the last as {@code 1E+400}), never rounded to a double.
 */
public final class BodyJson {
    /** Builds nodes that keep a decimal's scale ({@code 12.30} stays {@code 12.30}). */
    public static final JsonNodeFactory NODES = JsonNodeFactory.withExactBigDecimals(true);
    private static final ObjectMapper MAPPER = JsonMapper.builder()
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
            .nodeFactory(NODES)
            .build();

    private BodyJson() {}

    /** @return the value, or a MissingNode for an empty body; @throws IOException when it is not exactly one JSON value */
    public static JsonNode read(byte[] body) throws IOException {
        return MAPPER.readTree(body);
    }

    public static byte[] write(JsonNode value) throws JsonProcessingException {
        return MAPPER.writeValueAsBytes(value);
    }

    /** The message of a parse failure without Jackson's source excerpt. */
    public static String why(IOException e) {
        String message = e instanceof JsonProcessingException j ? j.getOriginalMessage() : e.getMessage();
        return message != null && message.startsWith("Trailing token") ? "there is more after the first JSON value" : message;
    }
}
