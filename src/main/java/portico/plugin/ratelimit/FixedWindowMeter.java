package portico.plugin.ratelimit;

/**
 * {@code fixed_window}: a counter per aligned window, reset when the window ends. Cheap and easy
 * to reason about, but a client may spend a whole window's quota just before the boundary and
 * another just after it (2x the limit within a short span); sliding_window does not allow that.
 */
final class FixedWindowMeter extends Meter {
    private record State(long window, long count) {}

    FixedWindowMeter(long limit, long window) {
        super(limit, window);
    }

    @Override
    Decision take(Cell cell, long now, int want) {
        long w = Math.floorDiv(now, window);
        long reset = (w + 1) * window - now;
        for (;;) {
            Object current = cell.get();
            long used = current instanceof State s && s.window == w ? s.count : 0;
            long available = limit - used;
            if (available < 1) return Decision.refused(0, reset, reset, w);
            int granted = (int) Math.min(want, available);
            if (cell.compareAndSet(current, new State(w, used + granted))) {
                return new Decision(granted, available - granted, reset, 0, w);
            }
        }
    }

    @Override
    void refund(Cell cell, long now, long window, int n) {
        for (;;) {
            Object current = cell.get();
            if (!(current instanceof State s) || s.window != window) return;
            if (cell.compareAndSet(current, new State(s.window, Math.max(0, s.count - n)))) return;
        }
    }

    @Override
    long idleAfter() {
        return window;
    }
}
