package portico.plugin.transform;

import java.util.List;
import java.util.Map;
import portico.template.Percent;
import portico.template.Template;

/**
 * Query operations on the upstream target: {@code remove} (every parameter of that name), then
 * {@code set} (replaces the client's values), then {@code add} (one more). Parameters nobody
 * named keep their bytes exactly as the client sent them (CONTRACT section 5).
 */
record QueryOps(List<String> remove, Map<String, Template> set, Map<String, Template> add) {
    static final QueryOps NONE = new QueryOps(List.of(), Map.of(), Map.of());

    QueryOps {
        remove = List.copyOf(remove);
        set = ordered(set);
        add = ordered(add);
    }

    boolean isEmpty() {
        return remove.isEmpty() && set.isEmpty() && add.isEmpty();
    }

    /** @param rawQuery without '?', or null; @return the new raw query, or null for none */
    String apply(String rawQuery, Template.Values values) {
        StringBuilder out = new StringBuilder(rawQuery == null ? 32 : rawQuery.length() + 32);
        if (rawQuery != null && !rawQuery.isEmpty()) {
            for (String pair : rawQuery.split("&", -1)) {
                if (pair.isEmpty()) continue;
                int eq = pair.indexOf('=');
                String name = Percent.decode((eq < 0 ? pair : pair.substring(0, eq)).replace('+', ' '));
                if (remove.contains(name) || set.containsKey(name)) continue;
                append(out, pair);
            }
        }
        set.forEach((name, t) -> addPair(out, name, t, values));
        add.forEach((name, t) -> addPair(out, name, t, values));
        return out.isEmpty() ? null : out.toString();
    }

    private static void addPair(StringBuilder out, String name, Template t, Template.Values values) {
        String v = t.render(values, Template.Position.QUERY_VALUE);
        if (v != null) append(out, Percent.encodeQuery(name) + "=" + v);
    }

    private static void append(StringBuilder out, String pair) {
        if (!out.isEmpty()) out.append('&');
        out.append(pair);
    }

    /** An unmodifiable copy that keeps the order written: operations apply in that order. */
    private static <K, V> Map<K, V> ordered(Map<K, V> m) {
        return java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(m));
    }
}
