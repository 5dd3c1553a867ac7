package portico.upstream.balance;

import java.util.List;
import java.util.function.IntUnaryOperator;
import java.util.function.ToIntFunction;

/**
 * {@code random}: two candidates drawn at random, the less loaded one wins. As even as least
 * requests in practice, without scanning every target, and no herd on a single "best" target.
 */
public final class PowerOfTwoChoices<T> implements Balancer<T> {
    private final ToIntFunction<T> inFlight;
    private final IntUnaryOperator random;

    /** @param random bound -> a uniform int in [0, bound); injected so tests are deterministic */
    public PowerOfTwoChoices(ToIntFunction<T> inFlight, IntUnaryOperator random) {
        this.inFlight = inFlight;
        this.random = random;
    }

    @Override
    public T pick(List<T> candidates, String key) {
        int n = candidates.size();
        if (n == 1) return candidates.get(0);
        int a = random.applyAsInt(n);
        int b = random.applyAsInt(n - 1);
        if (b >= a) b++;  // a second, different candidate
        T x = candidates.get(a);
        T y = candidates.get(b);
        return inFlight.applyAsInt(y) < inFlight.applyAsInt(x) ? y : x;
    }
}
