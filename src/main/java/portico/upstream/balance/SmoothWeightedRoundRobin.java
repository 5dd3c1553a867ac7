package portico.upstream.balance;

import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.ToIntFunction;

/**
 * nginx's smooth weighted round robin: weights 3:1 give A A B A, not A A A B, so a heavy target
 * never receives a burst. Each pick adds every candidate's weight to its running score, takes the
 * highest, and subtracts the total from the winner. Unusable targets are simply not candidates,
 * so their share spreads over the others in proportion.
 */
public final class SmoothWeightedRoundRobin<T> implements Balancer<T> {
    private final ToIntFunction<T> weight;
    private final Map<T, long[]> current = new IdentityHashMap<>();

    public SmoothWeightedRoundRobin(ToIntFunction<T> weight) {
        this.weight = weight;
    }

    @Override
    public synchronized T pick(List<T> candidates, String key) {
        // A few additions under a lock: cheaper than a lock-free retry loop at these sizes.
        T best = null;
        long bestScore = Long.MIN_VALUE;
        long total = 0;
        for (T t : candidates) {
            int w = weight.applyAsInt(t);
            long[] score = current.computeIfAbsent(t, k -> new long[1]);
            score[0] += w;
            total += w;
            if (score[0] > bestScore) {
                bestScore = score[0];
                best = t;
            }
        }
        current.get(best)[0] -= total;
        return best;
    }
}
