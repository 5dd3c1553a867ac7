package portico.plugin.ratelimit;

import io.netty.handler.codec.http.HttpHeaders;
import java.util.List;

/**
 * The RateLimit header fields of the IETF HTTPAPI draft, as CONTRACT section 5 fixes them:
 * {@code RateLimit-Policy: "NAME";q=LIMIT;w=SECONDS} (one item per limit) and
 * {@code RateLimit: "NAME";r=REMAINING;t=SECONDS}; with {@code legacy_headers: true} also
 * {@code X-RateLimit-Limit/Remaining/Reset} for the tightest limit (the one with the fewest left).
 */
final class RateLimitHeaders {
    static final String POLICY = "RateLimit-Policy";
    static final String STATE = "RateLimit";

    private final String policy;
    private final List<RateLimitConfig.Limit> limits;
    private final boolean legacy;

    RateLimitHeaders(List<RateLimitConfig.Limit> limits, boolean legacy) {
        this.limits = limits;
        this.legacy = legacy;
        StringBuilder p = new StringBuilder();
        for (RateLimitConfig.Limit l : limits) {
            if (p.length() > 0) p.append(", ");
            p.append('"').append(l.name()).append("\";q=").append(l.limit()).append(";w=").append(seconds(l.window().toNanos()));
        }
        this.policy = p.toString();
    }

    /** @param returned permits given back since the decision (a refunded success under count: failures) */
    void write(HttpHeaders h, Outcome o, int returned) {
        h.set(POLICY, policy);
        StringBuilder state = new StringBuilder(32 * limits.size());
        int tightest = 0;
        for (int i = 0; i < limits.size(); i++) {
            Decision d = o.decisions()[i];
            long remaining = Math.min(limits.get(i).algorithm() == Algorithm.TOKEN_BUCKET ? limits.get(i).burst() : limits.get(i).limit(),
                    d.remaining() + returned);
            if (i > 0) state.append(", ");
            // A limit that refused says when its next permit comes (Retry-After), not when its
            // window ends: with a sliding window the two differ.
            long t = d.retry() > 0 ? d.retry() : d.reset();
            state.append('"').append(limits.get(i).name()).append("\";r=").append(remaining).append(";t=").append(seconds(t));
            if (d.remaining() < o.decisions()[tightest].remaining()) tightest = i;
        }
        h.set(STATE, state.toString());
        if (legacy) {
            Decision d = o.decisions()[tightest];
            h.set("X-RateLimit-Limit", limits.get(tightest).limit());
            h.set("X-RateLimit-Remaining", d.remaining() + returned);
            h.set("X-RateLimit-Reset", seconds(d.retry() > 0 ? d.retry() : d.reset()));
        }
    }

    /** Whole seconds, rounded up: a client that waits this long is never early. */
    static long seconds(long nanos) {
        return (nanos + 999_999_999L) / 1_000_000_000L;
    }
}
