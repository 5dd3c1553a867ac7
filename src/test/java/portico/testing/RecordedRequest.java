package portico.testing;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A request as it reached a {@link FakeUpstream}.
 *
 * @param headers      lower-case names, values in arrival order
 * @param body         the body when at most {@link FakeUpstream#RECORDED_BODY_LIMIT} bytes, else null
 * @param bodyLength   bytes of body received (decoded from chunked when it was chunked)
 * @param chunked      whether the body came with Transfer-Encoding: chunked
 * @param connectionId which accepted connection carried it (1, 2, ...)
 */
public record RecordedRequest(String method, String target, Map<String, List<String>> headers, byte[] body,
                              long bodyLength, boolean chunked, int connectionId) {

    /** The first value of a header, or null. */
    public String header(String name) {
        List<String> v = headers.get(name.toLowerCase(Locale.ROOT));
        return v == null || v.isEmpty() ? null : v.get(0);
    }

    public List<String> headers(String name) {
        return headers.getOrDefault(name.toLowerCase(Locale.ROOT), List.of());
    }

    public String bodyText() {
        return body == null ? null : new String(body, StandardCharsets.UTF_8);
    }

    /** The path part of the target. */
    public String path() {
        int q = target.indexOf('?');
        return q < 0 ? target : target.substring(0, q);
    }
}
