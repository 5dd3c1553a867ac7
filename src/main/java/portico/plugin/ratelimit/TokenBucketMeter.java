package portico.plugin.ratelimit;

/**
 * {@code token_bucket}: a bucket of {@code burst} tokens (default: the limit) that refills at
 * {@code limit} per {@code window}, continuously. A request takes a token. A client may spend the
 * whole burst at once and then gets a steady {@code limit/window}; unlike the windows, the rate
 * never resets at a boundary.
 */
final class TokenBucketMeter extends Meter {
    private record State(double tokens, long stamp) {}

    private final long burst;
    private final double perUnit;

    TokenBucketMeter(long limit, long burst, long window) {
        super(limit, window);
        this.burst = burst;
        this.perUnit = (double) limit / window;
    }

    private double tokens(Object current, long now) {
        if (!(current instanceof State s)) return burst;
        return Math.min(burst, s.tokens + Math.max(0, now - s.stamp) * perUnit);
    }

    private static long stamp(Object current, long now) {
        // Two loops read the ticker a few nanoseconds apart; time in a bucket never goes back.
        return current instanceof State s ? Math.max(s.stamp, now) : now;
    }

    @Override
    Decision take(Cell cell, long now, int want) {
        for (;;) {
            Object current = cell.get();
            double tokens = tokens(current, now);
            long available = (long) Math.floor(tokens);
            if (available < 1) {
                return Decision.refused(0, untilFull(tokens), (long) Math.ceil((1 - tokens) / perUnit), 0);
            }
            int granted = (int) Math.min(want, available);
            double left = tokens - granted;
            if (cell.compareAndSet(current, new State(left, stamp(current, now)))) {
                return new Decision(granted, (long) Math.floor(left), untilFull(left), 0, 0);
            }
        }
    }

    private long untilFull(double tokens) {
        return (long) Math.ceil((burst - tokens) / perUnit);
    }

    @Override
    void refund(Cell cell, long now, long window, int n) {
        for (;;) {
            Object current = cell.get();
            if (!(current instanceof State)) return;
            double tokens = Math.min(burst, tokens(current, now) + n);
            if (cell.compareAndSet(current, new State(tokens, stamp(current, now)))) return;
        }
    }

    @Override
    long idleAfter() {
        return Math.max(window, (long) Math.ceil(burst / perUnit));
    }
}
