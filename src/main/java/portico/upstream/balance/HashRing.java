package portico.upstream.balance;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.function.Function;
import java.util.function.ToIntFunction;

/**
 * Consistent hashing on a ring of virtual nodes (ketama style): a key goes to the first point
 * clockwise from its hash whose target is usable. Removing one of N targets moves only the keys
 * it owned (about 1/N); the others keep their target, so per-key caches upstream stay warm.
 * Requests without a key are spread round robin.
 */
public final class HashRing<T> implements Balancer<T> {
    static final int POINTS_PER_WEIGHT = 160;

    private final long[] points;
    private final Object[] owners;
    private final SmoothWeightedRoundRobin<T> fallback;

    /** @param all every target of the service (the ring is built once; unusable ones are skipped at pick) */
    public HashRing(List<T> all, Function<T, String> id, ToIntFunction<T> weight) {
        int total = 0;
        for (T t : all) total += weight.applyAsInt(t) * POINTS_PER_WEIGHT;
        long[] hashes = new long[total];
        Object[] who = new Object[total];
        int i = 0;
        for (T t : all) {
            int n = weight.applyAsInt(t) * POINTS_PER_WEIGHT;
            for (int v = 0; v < n; v++) {
                hashes[i] = hash(id.apply(t) + "#" + v);
                who[i] = t;
                i++;
            }
        }
        Integer[] order = new Integer[total];
        for (int k = 0; k < total; k++) order[k] = k;
        Arrays.sort(order, (a, b) -> Long.compareUnsigned(hashes[a], hashes[b]));
        points = new long[total];
        owners = new Object[total];
        for (int k = 0; k < total; k++) {
            points[k] = hashes[order[k]];
            owners[k] = who[order[k]];
        }
        fallback = new SmoothWeightedRoundRobin<>(weight);
    }

    @Override
    @SuppressWarnings("unchecked")
    public T pick(List<T> candidates, String key) {
        if (key == null || key.isEmpty()) return fallback.pick(candidates, null);
        long h = hash(key);
        int start = lowerBound(h);
        for (int k = 0; k < points.length; k++) {
            T owner = (T) owners[(start + k) % points.length];
            if (candidates.contains(owner)) return owner;
        }
        return candidates.get(0);
    }

    private int lowerBound(long h) {
        int lo = 0;
        int hi = points.length;
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (Long.compareUnsigned(points[mid], h) < 0) lo = mid + 1;
            else hi = mid;
        }
        return lo == points.length ? 0 : lo;
    }

    /** FNV-1a then a SplitMix64 finalizer: fast, and spreads similar keys ("user-1", "user-2") well. */
    static long hash(String s) {
        long h = 0xcbf29ce484222325L;
        for (byte b : s.getBytes(StandardCharsets.UTF_8)) {
            h ^= b;
            h *= 0x100000001b3L;
        }
        h ^= h >>> 30;
        h *= 0xbf58476d1ce4e5b9L;
        h ^= h >>> 27;
        h *= 0x94d049bb133111ebL;
        h ^= h >>> 31;
        return h;
    }
}
