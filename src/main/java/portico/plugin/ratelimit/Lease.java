package portico.plugin.ratelimit;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * Permits one Redis call took beyond the one its request needed, spent locally until they run out
 * or expire. Redis counted them when they were taken, so a node can never let more through than
 * Redis granted; what leasing costs is permits that expire unused (taken by a node whose clients
 * stopped), which other nodes then miss until the window moves on. A lease never outlives the
 * window its permits came from.
 */
final class Lease {
    private final AtomicInteger permits;
    private final long fetched;
    private final long expires;
    private final Decision[] base;

    Lease(int permits, long fetched, long expires, Decision[] base) {
        this.permits = new AtomicInteger(permits);
        this.fetched = fetched;
        this.expires = expires;
        this.base = base;
    }

    boolean expired(long now) {
        return now - expires >= 0;
    }

    int left() {
        return permits.get();
    }

    /** Takes every permit still here, for a newer lease of the same key (two calls that were in flight at once). */
    int drain(long now) {
        return expired(now) ? 0 : Math.max(0, permits.getAndSet(0));
    }

    /** One permit from the lease, or null when it is spent or expired (then Redis is asked). */
    Outcome take(long now) {
        if (expired(now)) return null;
        for (;;) {
            int p = permits.get();
            if (p <= 0) return null;
            if (permits.compareAndSet(p, p - 1)) return new Outcome(decisions(now, p - 1), true, this);
        }
    }

    /** Returns a refunded permit here, while the lease lasts; false when Redis must get it back. */
    boolean giveBack(long now) {
        if (expired(now)) return false;
        permits.incrementAndGet();
        return true;
    }

    /** As Redis said at the fetch, plus what this node still holds. */
    private Decision[] decisions(long now, int left) {
        Decision[] out = new Decision[base.length];
        long since = now - fetched;
        for (int i = 0; i < base.length; i++) {
            Decision b = base[i];
            out[i] = new Decision(1, b.remaining() + left, Math.max(0, b.reset() - since), 0, b.window());
        }
        return out;
    }
}
