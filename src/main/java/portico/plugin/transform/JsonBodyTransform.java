package portico.plugin.transform;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.util.Locale;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import portico.error.ErrorKind;
import portico.error.GatewayException;
import portico.http.ContentCoding;
import portico.json.BodyJson;
import portico.plugin.BodyTransform;
import portico.template.Template;

/**
 * One body through {@link JsonOps}: decoded from its {@code Content-Encoding}, parsed, transformed,
 * written compactly and encoded again the same way. A body that cannot be transformed (not JSON
 * after all, past {@code max_body} once decoded, in an encoding the gateway cannot decode) goes on
 * as it came with a warning, or, when the settings fail closed, is refused.
 */
final class JsonBodyTransform implements BodyTransform {
    private static final Logger log = LoggerFactory.getLogger(JsonBodyTransform.class);

    private final JsonOps ops;
    private final long maxBytes;
    private final ContentCoding coding;
    private final String encoding;
    private final Template.Values values;
    private final String what;
    private final String plugin;
    private final boolean failClosed;
    private final boolean request;

    /**
     * @param coding   the body's coding; null when the gateway cannot decode it ({@code encoding} says which it is)
     * @param what     names the body in messages, such as "the response to GET /users/1"
     * @param request  a request body (refused with 400 or 413) rather than a response (refused with 502)
     */
    JsonBodyTransform(TransformSettings settings, String plugin, boolean request, ContentCoding coding, String encoding,
                      Template.Values values, String what) {
        this.ops = settings.body();
        this.maxBytes = settings.maxBody();
        this.failClosed = settings.failClosed();
        this.plugin = plugin;
        this.request = request;
        this.coding = coding;
        this.encoding = encoding;
        this.values = values;
        this.what = what;
    }

    @Override
    public long maxBytes() {
        return maxBytes;
    }

    @Override
    public boolean failsClosed() {
        return failClosed;
    }

    @Override
    public byte[] apply(byte[] body) {
        if (body.length == 0) return body;
        if (coding == null) return untransformed(body, "has Content-Encoding " + encoding + ", which the gateway cannot decode", false);
        byte[] plain;
        try {
            plain = coding.decode(body, maxBytes);
        } catch (ContentCoding.TooLarge e) {
            return untransformed(body, e.getMessage() + " (max_body)", true);
        } catch (IOException e) {
            return untransformed(body, "is not valid " + coding.name().toLowerCase(Locale.ROOT), false);
        }
        JsonNode tree;
        try {
            tree = BodyJson.read(plain);
        } catch (IOException e) {
            return untransformed(body, "says it is JSON but does not parse (" + BodyJson.why(e) + ")", false);
        }
        if (tree == null || tree.isMissingNode()) return body;
        try {
            return coding.encode(BodyJson.write(ops.apply(tree, values)));
        } catch (JsonProcessingException e) {
            return untransformed(body, "could not be written after the transform (" + e.getOriginalMessage() + ")", false);
        }
    }

    private byte[] untransformed(byte[] body, String why, boolean tooLarge) {
        if (!failClosed) {
            log.warn("{} {}; passed on untransformed", what, why);
            return body;
        }
        log.warn("{} {}; refused, since {} must not pass it untransformed (on_error: fail)", what, why, plugin);
        ErrorKind kind = !request ? ErrorKind.BAD_UPSTREAM : tooLarge ? ErrorKind.BODY_TOO_LARGE : ErrorKind.MALFORMED;
        throw new GatewayException(kind, what + " " + why + "; " + plugin + " must not pass it untransformed (on_error: fail)");
    }

    /** {@code application/json} and any {@code application/*+json}, parameters aside. */
    static boolean isJson(String contentType) {
        if (contentType == null) return false;
        int semi = contentType.indexOf(';');
        String type = (semi < 0 ? contentType : contentType.substring(0, semi)).trim().toLowerCase(Locale.ROOT);
        return type.equals("application/json") || type.startsWith("application/") && type.endsWith("+json");
    }
}
