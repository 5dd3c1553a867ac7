package portico.http;

import io.netty.handler.codec.http.QueryStringDecoder;
import java.nio.charset.StandardCharsets;
import java.util.List;

/** Reading one query parameter, and removing it from an upstream target without touching the rest. */
public final class QueryParams {
    private QueryParams() {}

    /** The first value of {@code name} in a raw query (without '?'), decoded; null when absent. */
    public static String first(String rawQuery, String name) {
        if (rawQuery == null || rawQuery.isEmpty()) return null;
        List<String> values = new QueryStringDecoder(rawQuery, StandardCharsets.UTF_8, false).parameters().get(name);
        return values == null || values.isEmpty() ? null : values.get(0);
    }

    /** Every value of {@code name} in a raw query, decoded, in order; empty when absent. */
    public static List<String> all(String rawQuery, String name) {
        if (rawQuery == null || rawQuery.isEmpty()) return List.of();
        List<String> values = new QueryStringDecoder(rawQuery, StandardCharsets.UTF_8, false).parameters().get(name);
        return values == null ? List.of() : List.copyOf(values);
    }

    /**
     * The path and query with every {@code name=...} pair removed; the other pairs stay byte for
     * byte as received (CONTRACT section 5: the query is forwarded exactly), in their order.
     */
    public static String without(String pathAndQuery, String name) {
        int q = pathAndQuery.indexOf('?');
        if (q < 0) return pathAndQuery;
        StringBuilder kept = new StringBuilder(pathAndQuery.length());
        boolean removed = false;
        for (String pair : pathAndQuery.substring(q + 1).split("&", -1)) {
            int eq = pair.indexOf('=');
            String raw = eq < 0 ? pair : pair.substring(0, eq);
            if (QueryStringDecoder.decodeComponent(raw, StandardCharsets.UTF_8).equals(name)) {
                removed = true;
                continue;
            }
            if (kept.length() > 0) kept.append('&');
            kept.append(pair);
        }
        if (!removed) return pathAndQuery;
        String path = pathAndQuery.substring(0, q);
        return kept.length() == 0 ? path : path + "?" + kept;
    }
}
