package portico.upstream.health;

/**
 * One target's health: the active verdict (probes) and the passive one (ejection after
 * consecutive failures). Read without a lock on every request; changed only by its
 * {@link HealthTracker}, under the tracker's lock.
 */
public final class TargetHealth {
    volatile boolean probeHealthy = true;
    volatile boolean ejected;
    volatile long ejectedUntil;
    volatile int consecutiveFailures;
    // Guarded by the tracker.
    int probeFailures;
    int probeSuccesses;
    int ejections;
    long returnedAt;
    boolean everReturned;
    String lastProbe;

    /** Usable by the balancer at {@code now}: healthy by probe, and not ejected (or its ejection is over). */
    boolean usable(long now) {
        return probeHealthy && (!ejected || now - ejectedUntil >= 0);
    }
}
