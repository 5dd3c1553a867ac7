package portico.plugin.transform;

import io.netty.handler.codec.http.HttpHeaders;
import java.util.List;
import java.util.Map;
import portico.template.Template;

/**
 * Header operations, applied in this order: {@code rename}, {@code remove}, {@code set} (replaces
 * every value), {@code add} (one more value). A {@code set} or {@code add} whose template names a
 * value the request does not have is skipped, so no header goes out with half a value.
 */
record HeaderOps(Map<String, String> rename, List<String> remove, Map<String, Template> set, Map<String, Template> add) {
    static final HeaderOps NONE = new HeaderOps(Map.of(), List.of(), Map.of(), Map.of());

    HeaderOps {
        rename = ordered(rename);
        remove = List.copyOf(remove);
        set = ordered(set);
        add = ordered(add);
    }

    boolean isEmpty() {
        return rename.isEmpty() && remove.isEmpty() && set.isEmpty() && add.isEmpty();
    }

    void apply(HttpHeaders h, Template.Values values) {
        rename.forEach((from, to) -> {
            List<String> v = h.getAll(from);
            if (v.isEmpty()) return;
            h.remove(from);
            h.set(to, v);
        });
        for (String name : remove) h.remove(name);
        set.forEach((name, t) -> {
            String v = t.render(values, Template.Position.HEADER);
            if (v != null) h.set(name, v);
        });
        add.forEach((name, t) -> {
            String v = t.render(values, Template.Position.HEADER);
            if (v != null) h.add(name, v);
        });
    }

    /** An unmodifiable copy that keeps the order written: operations apply in that order. */
    private static <K, V> Map<K, V> ordered(Map<K, V> m) {
        return java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(m));
    }
}
