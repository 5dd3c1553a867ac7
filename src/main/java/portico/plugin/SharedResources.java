package portico.plugin;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Resources that plugins share across routes and config revisions, created on first use and closed
 * once when the gateway stops: one Redis connection for every rate limit, one key cache per JWKS URL.
 */
public final class SharedResources implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(SharedResources.class);

    private final Map<String, Object> byKey = new ConcurrentHashMap<>();
    private final List<AutoCloseable> toClose = new ArrayList<>();

    /** The resource under {@code key}, created by {@code create} the first time; closed with the gateway if AutoCloseable. */
    @SuppressWarnings("unchecked")
    public <T> T get(String key, Supplier<T> create) {
        return (T) byKey.computeIfAbsent(key, k -> {
            T made = create.get();
            if (made instanceof AutoCloseable c) {
                synchronized (toClose) {
                    toClose.add(c);
                }
            }
            return made;
        });
    }

    @Override
    public void close() {
        List<AutoCloseable> all;
        synchronized (toClose) {
            all = new ArrayList<>(toClose);
            toClose.clear();
        }
        for (int i = all.size() - 1; i >= 0; i--) {
            try {
                all.get(i).close();
            } catch (Exception e) {
                log.warn("closing {} failed: {}", all.get(i), e.toString());
            }
        }
        byKey.clear();
    }
}
