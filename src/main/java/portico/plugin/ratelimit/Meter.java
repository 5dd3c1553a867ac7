package portico.plugin.ratelimit;

/**
 * The arithmetic of one algorithm for one limit ({@code limit} permits per {@code window}), over
 * the per-key {@link Cell}s. Times are in the caller's unit (nanoseconds of the local ticker); the
 * Redis script (ratelimit.lua) does the same arithmetic in microseconds of the Redis server's clock.
 */
abstract sealed class Meter permits FixedWindowMeter, SlidingWindowMeter, TokenBucketMeter {
    final long limit;
    final long window;

    Meter(long limit, long window) {
        this.limit = limit;
        this.window = window;
    }

    /** Takes {@code want} permits, or as many as are left when that is at least one (a lease). */
    abstract Decision take(Cell cell, long now, int want);

    /** Gives back {@code n} permits taken from {@code window}; a refund into a window that has passed is dropped. */
    abstract void refund(Cell cell, long now, long window, int n);

    static Meter of(Algorithm algorithm, long limit, long burst, long window) {
        return switch (algorithm) {
            case FIXED_WINDOW -> new FixedWindowMeter(limit, window);
            case SLIDING_WINDOW -> new SlidingWindowMeter(limit, window);
            case TOKEN_BUCKET -> new TokenBucketMeter(limit, burst, window);
        };
    }

    /** How long an idle key's state still matters; after that it equals a fresh one and may be dropped. */
    abstract long idleAfter();
}
