package portico.plugin.ratelimit;

/**
 * {@code sliding_window}: the sliding-window counter. It keeps the current and the previous
 * window's counts and estimates the requests of the last {@code window} as
 * {@code previous * (share of the previous window still inside it) + current}; a request passes
 * when that estimate plus one stays within the limit. A burst at the end of one window therefore
 * still weighs almost fully just after the boundary, so the boundary never lets 2x through. The
 * estimate assumes the previous window's requests were spread evenly; docs/rate-limiting.md says
 * what that costs. Two counters per key, whatever the limit.
 */
final class SlidingWindowMeter extends Meter {
    private record State(long window, long count, long previous) {}

    SlidingWindowMeter(long limit, long window) {
        super(limit, window);
    }

    @Override
    Decision take(Cell cell, long now, int want) {
        long w = Math.floorDiv(now, window);
        long elapsed = now - w * window;
        double weight = (double) (window - elapsed) / window;
        for (;;) {
            Object current = cell.get();
            long count = 0;
            long previous = 0;
            if (current instanceof State s) {
                if (s.window >= w) {
                    count = s.count;
                    previous = s.previous;
                } else if (s.window == w - 1) {
                    previous = s.count;
                }
            }
            double estimate = previous * weight + count;
            long available = (long) Math.floor(limit - estimate);
            if (available < 1) {
                return Decision.refused(0, window - elapsed, retry(elapsed, count, previous), w);
            }
            int granted = (int) Math.min(want, available);
            if (cell.compareAndSet(current, new State(w, count + granted, previous))) {
                return new Decision(granted, available - granted, window - elapsed, 0, w);
            }
        }
    }

    /** When the estimate, with no more requests, falls to limit - 1 (so that one request passes). */
    private long retry(long elapsed, long count, long previous) {
        double room = limit - 1 - count;
        if (room >= 0 && previous > 0) {
            // still in this window: the previous window's weight has to shrink enough
            return (long) Math.ceil(window - elapsed - room * window / previous);
        }
        // next window: this window's count becomes the previous one and has to shrink
        double next = window * (1 - (double) (limit - 1) / count);
        return window - elapsed + (long) Math.ceil(next);
    }

    @Override
    void refund(Cell cell, long now, long window, int n) {
        for (;;) {
            Object current = cell.get();
            if (!(current instanceof State s)) return;
            State back;
            if (s.window == window) back = new State(s.window, Math.max(0, s.count - n), s.previous);
            else if (s.window == window + 1) back = new State(s.window, s.count, Math.max(0, s.previous - n));
            else return;
            if (cell.compareAndSet(current, back)) return;
        }
    }

    @Override
    long idleAfter() {
        return 2 * window;
    }
}
