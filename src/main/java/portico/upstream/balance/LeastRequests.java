package portico.upstream.balance;

import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.ToIntFunction;

/**
 * The target with the fewest requests in flight (weighted: in-flight / weight); ties go round
 * robin so that an idle pool is still spread evenly.
 */
public final class LeastRequests<T> implements Balancer<T> {
    private final ToIntFunction<T> inFlight;
    private final ToIntFunction<T> weight;
    private final AtomicInteger tieBreak = new AtomicInteger();

    public LeastRequests(ToIntFunction<T> inFlight, ToIntFunction<T> weight) {
        this.inFlight = inFlight;
        this.weight = weight;
    }

    @Override
    public T pick(List<T> candidates, String key) {
        int n = candidates.size();
        int start = Math.floorMod(tieBreak.getAndIncrement(), n);
        T best = null;
        double bestLoad = Double.MAX_VALUE;
        for (int i = 0; i < n; i++) {
            T t = candidates.get((start + i) % n);
            double load = (double) inFlight.applyAsInt(t) / weight.applyAsInt(t);
            if (load < bestLoad) {
                bestLoad = load;
                best = t;
            }
        }
        return best;
    }
}
