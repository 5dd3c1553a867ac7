package portico.upstream.retry;

import java.time.Duration;
import java.util.random.RandomGenerator;

/**
 * Exponential backoff with "equal jitter": retry n waits between half and all of
 * {@code min(max_backoff, backoff * 2^(n-1))}. The random half keeps retries from many requests
 * from arriving together; the fixed half guarantees a pause. Randomness is injected.
 */
public final class Backoff {
    private final long baseNanos;
    private final long maxNanos;
    private final RandomGenerator random;

    public Backoff(Duration base, Duration max, RandomGenerator random) {
        this.baseNanos = base.toNanos();
        this.maxNanos = max.toNanos();
        this.random = random;
    }

    /** @param retry 1 for the first retry */
    public long delayNanos(int retry) {
        long cap = baseNanos;
        for (int i = 1; i < retry && cap < maxNanos; i++) cap <<= 1;
        cap = Math.min(cap, maxNanos);
        if (cap <= 0) return 0;
        long half = cap / 2;
        return half + random.nextLong(cap - half + 1);
    }
}
