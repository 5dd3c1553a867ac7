package portico.upstream.health;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import portico.config.HealthCheckConfig;
import portico.config.OutlierConfig;
import portico.config.Units;
import portico.upstream.Outcome;
import portico.upstream.Target;

/**
 * A service's view of which targets are usable, from active probes and passive observation. Reads
 * (every request) take no lock; changes (failures, probes, ejections) take this object's lock for a
 * few field updates and log each state change once, after the lock is released.
 */
public final class HealthTracker {
    private static final Logger log = LoggerFactory.getLogger(HealthTracker.class);

    private final String service;
    private final List<Target> targets;
    private final OutlierConfig outliers;
    private final HealthCheckConfig probes;
    private final int maxEjected;
    private final long ejectForNanos;
    private final long maxEjectForNanos;
    private int ejectedNow;  // guarded by this

    /** @param probes null when the service has no {@code health_check} */
    public HealthTracker(String service, List<Target> targets, OutlierConfig outliers, HealthCheckConfig probes) {
        this.service = service;
        this.targets = List.copyOf(targets);
        this.outliers = outliers;
        this.probes = probes;
        this.maxEjected = (int) Math.floor(outliers.maxEjected() * targets.size() + 1e-9);
        this.ejectForNanos = outliers.ejectFor().toNanos();
        this.maxEjectForNanos = outliers.maxEjectFor().toNanos();
    }

    /**
     * The targets the balancer may pick at {@code now}, in config order: all of them (the same list
     * instance, so the common case allocates nothing) or those neither unhealthy nor ejected.
     */
    public List<Target> usable(long now) {
        int n = targets.size();
        int i = 0;
        while (i < n && targets.get(i).health().usable(now) && !targets.get(i).health().ejected) i++;
        if (i == n) return targets;
        List<Target> out = new ArrayList<>(n);
        for (Target t : targets) {
            TargetHealth h = t.health();
            if (h.ejected && now - h.ejectedUntil >= 0) endEjection(t, now, "its ejection ran out");
            if (h.usable(now) && !h.ejected) out.add(t);
        }
        return out;
    }

    /** What an attempt's outcome says about its target (passive health). */
    public void record(Target t, Outcome o, long now) {
        if (o.kind() == Outcome.Kind.CANCELLED) return;
        TargetHealth h = t.health();
        if (!o.troubled()) {
            if (h.consecutiveFailures != 0) {
                synchronized (this) {
                    h.consecutiveFailures = 0;
                }
            }
            return;
        }
        if (outliers.consecutiveFailures() == 0) return;
        long ejectedFor = 0;
        int failures;
        synchronized (this) {
            failures = ++h.consecutiveFailures;
            if (failures >= outliers.consecutiveFailures() && !h.ejected) {
                sweep(now);
                if (ejectedNow < maxEjected) {
                    boolean again = h.everReturned && now - h.returnedAt < maxEjectForNanos;
                    h.ejections = again ? h.ejections + 1 : 1;
                    ejectedFor = Math.min(ejectForNanos * h.ejections, maxEjectForNanos);
                    h.ejected = true;
                    h.ejectedUntil = now + ejectedFor;
                    h.consecutiveFailures = 0;
                    ejectedNow++;
                }
            }
        }
        if (ejectedFor > 0) {
            log.warn("service '{}': target {} ejected for {} after {} failures in a row (last: {})", service, t,
                    Units.format(Duration.ofNanos(ejectedFor)), failures, o.reason());
        }
    }

    /** An active probe's verdict. A good probe also ends an ejection: the target answers again. */
    public void probed(Target t, boolean ok, String detail, long now) {
        TargetHealth h = t.health();
        String change = null;
        boolean unEject = false;
        synchronized (this) {
            h.lastProbe = detail;
            if (ok) {
                h.probeFailures = 0;
                h.probeSuccesses++;
                if (!h.probeHealthy && h.probeSuccesses >= probes.healthyAfter()) {
                    h.probeHealthy = true;
                    change = "healthy again after " + h.probeSuccesses + " good health checks";
                }
                unEject = h.ejected;
            } else {
                h.probeSuccesses = 0;
                h.probeFailures++;
                if (h.probeHealthy && h.probeFailures >= probes.unhealthyAfter()) {
                    h.probeHealthy = false;
                    change = "unhealthy after " + h.probeFailures + " failed health checks (last: " + detail + ")";
                }
            }
        }
        if (unEject) endEjection(t, now, "a health check passed");
        if (change == null) return;
        if (ok) log.info("service '{}': target {} is {}", service, t, change);
        else log.warn("service '{}': target {} is {}", service, t, change);
    }

    /** Seconds until some target may be usable again, for {@code Retry-After}; at least 1. */
    public long retryAfterSeconds(long now) {
        long best = Long.MAX_VALUE;
        for (Target t : targets) {
            TargetHealth h = t.health();
            if (!h.probeHealthy && probes != null) {
                best = Math.min(best, probes.interval().toNanos() * Math.max(1, probes.healthyAfter() - h.probeSuccesses));
            } else if (h.ejected) {
                best = Math.min(best, Math.max(0, h.ejectedUntil - now));
            }
        }
        if (best == Long.MAX_VALUE) return 1;
        return Math.max(1, (best + 999_999_999L) / 1_000_000_000L);
    }

    public List<ServiceHealth.TargetStatus> snapshot(long now) {
        List<ServiceHealth.TargetStatus> out = new ArrayList<>(targets.size());
        synchronized (this) {
            for (Target t : targets) {
                TargetHealth h = t.health();
                boolean ejected = h.ejected && now - h.ejectedUntil < 0;
                ServiceHealth.State state = !h.probeHealthy ? ServiceHealth.State.UNHEALTHY
                        : ejected ? ServiceHealth.State.EJECTED : ServiceHealth.State.HEALTHY;
                out.add(new ServiceHealth.TargetStatus(t.toString(), t.config().url(), state, t.inFlight(),
                        h.consecutiveFailures, ejected ? Duration.ofNanos(h.ejectedUntil - now) : Duration.ZERO, h.lastProbe));
            }
        }
        return out;
    }

    private void endEjection(Target t, long now, String why) {
        TargetHealth h = t.health();
        synchronized (this) {
            if (!h.ejected) return;
            h.ejected = false;
            h.returnedAt = now;
            h.everReturned = true;
            h.consecutiveFailures = 0;
            ejectedNow--;
        }
        log.info("service '{}': target {} is back in rotation: {}", service, t, why);
    }

    /** Ends ejections that ran out, so that they do not count against max_ejected. Holds the lock. */
    private void sweep(long now) {
        for (Target t : targets) {
            TargetHealth h = t.health();
            if (h.ejected && now - h.ejectedUntil >= 0) {
                h.ejected = false;
                h.returnedAt = now;
                h.everReturned = true;
                ejectedNow--;
                log.info("service '{}': target {} is back in rotation: its ejection ran out", service, t);
            }
        }
    }
}
