package portico.plugin.transform;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.util.Locale;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import portico.http.ContentCoding;
import portico.plugin.BodyTransform;
import portico.template.Template;

/**
 * One body through {@link JsonOps}: decoded from its {@code Content-Encoding}, parsed, transformed,
 * written compactly and encoded again the same way. A body that is not JSON after all, or decodes
 * past {@code max_body}, goes on as it came, with a warning.
 */
final class JsonBodyTransform implements BodyTransform {
    private static final Logger log = LoggerFactory.getLogger(JsonBodyTransform.class);
    static final ObjectMapper JSON = new ObjectMapper();

    private final JsonOps ops;
    private final long maxBytes;
    private final ContentCoding coding;
    private final Template.Values values;
    private final String what;

    /** @param what names the body in warnings, such as "the response of GET /users/1" */
    JsonBodyTransform(JsonOps ops, long maxBytes, ContentCoding coding, Template.Values values, String what) {
        this.ops = ops;
        this.maxBytes = maxBytes;
        this.coding = coding;
        this.values = values;
        this.what = what;
    }

    @Override
    public long maxBytes() {
        return maxBytes;
    }

    @Override
    public byte[] apply(byte[] body) {
        if (body.length == 0) return body;
        byte[] plain;
        try {
            plain = coding.decode(body, maxBytes);
        } catch (ContentCoding.TooLarge e) {
            log.warn("{} {} (max_body); passed on untransformed", what, e.getMessage());
            return body;
        } catch (IOException e) {
            log.warn("{} is not valid {}; passed on untransformed", what, coding.name().toLowerCase(Locale.ROOT));
            return body;
        }
        JsonNode tree;
        try {
            tree = JSON.readTree(plain);
        } catch (IOException e) {
            log.warn("{} says it is JSON but does not parse ({}); passed on untransformed", what, e instanceof com.fasterxml.jackson.core.JsonProcessingException j ? j.getOriginalMessage() : e.getMessage());
            return body;
        }
        if (tree == null || tree.isMissingNode()) return body;
        try {
            return coding.encode(JSON.writeValueAsBytes(ops.apply(tree, values)));
        } catch (JsonProcessingException e) {
            log.warn("{} could not be written after the transform; passed on untransformed", what, e);
            return body;
        }
    }

    /** {@code application/json} and any {@code application/*+json}, parameters aside. */
    static boolean isJson(String contentType) {
        if (contentType == null) return false;
        int semi = contentType.indexOf(';');
        String type = (semi < 0 ? contentType : contentType.substring(0, semi)).trim().toLowerCase(Locale.ROOT);
        return type.equals("application/json") || type.startsWith("application/") && type.endsWith("+json");
    }
}
