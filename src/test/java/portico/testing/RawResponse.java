package portico.testing;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/** A response read by {@link RawClient}: status, lower-case headers (last value wins), body. */
public record RawResponse(int status, Map<String, String> headers, String body) {

    static RawResponse parseHead(String head) {
        String[] lines = head.split("\r\n");
        String[] status = lines[0].split(" ", 3);
        Map<String, String> headers = new LinkedHashMap<>();
        for (int i = 1; i < lines.length; i++) {
            int colon = lines[i].indexOf(':');
            if (colon > 0) headers.put(lines[i].substring(0, colon).trim().toLowerCase(Locale.ROOT), lines[i].substring(colon + 1).trim());
        }
        return new RawResponse(Integer.parseInt(status[1]), headers, "");
    }

    RawResponse withBody(String body) {
        return new RawResponse(status, headers, body);
    }

    public String header(String name) {
        return headers.get(name.toLowerCase(Locale.ROOT));
    }
}
