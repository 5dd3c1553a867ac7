package portico.upstream.retry;

import java.util.concurrent.atomic.AtomicLongArray;
import portico.upstream.TimeSource;

/**
 * Caps retries at a fraction of a service's requests over the last 10 seconds, with a floor of
 * {@code min_per_second} so that a quiet service may still retry (the scheme of Finagle's and
 * Linkerd's retry budgets). A failing service then sees at most (1 + budget) times its normal
 * load, not (1 + attempts) times. Ten one-second buckets of counters; thread-safe, lock-free except
 * when a bucket rolls over (once a second).
 */
public final class RetryBudget {
    static final int WINDOW_SECONDS = 10;

    private final double ratio;
    private final long floor;
    private final TimeSource time;
    private final AtomicLongArray second = new AtomicLongArray(WINDOW_SECONDS);
    private final AtomicLongArray requests = new AtomicLongArray(WINDOW_SECONDS);
    private final AtomicLongArray retries = new AtomicLongArray(WINDOW_SECONDS);

    public RetryBudget(double ratio, int minPerSecond, TimeSource time) {
        this.ratio = ratio;
        this.floor = (long) minPerSecond * WINDOW_SECONDS;
        this.time = time;
        for (int i = 0; i < WINDOW_SECONDS; i++) second.set(i, Long.MIN_VALUE);
    }

    /** A request (not a retry) was made. */
    public void onRequest() {
        requests.incrementAndGet(slot(now()));
    }

    /** Takes one retry from the budget; false when it is spent. */
    public boolean tryRetry() {
        long now = now();
        int slot = slot(now);
        long reqs = 0;
        long done = 0;
        for (int i = 0; i < WINDOW_SECONDS; i++) {
            if (now - second.get(i) < WINDOW_SECONDS) {
                reqs += requests.get(i);
                done += retries.get(i);
            }
        }
        if (done >= Math.max(floor, (long) Math.floor(ratio * reqs + 1e-9))) return false;
        retries.incrementAndGet(slot);
        return true;
    }

    private long now() {
        return Math.floorDiv(time.nanoTime(), 1_000_000_000L);
    }

    private int slot(long now) {
        int i = (int) Math.floorMod(now, (long) WINDOW_SECONDS);
        if (second.get(i) != now) {
            synchronized (this) {
                if (second.get(i) != now) {
                    requests.set(i, 0);
                    retries.set(i, 0);
                    second.set(i, now);
                }
            }
        }
        return i;
    }
}
