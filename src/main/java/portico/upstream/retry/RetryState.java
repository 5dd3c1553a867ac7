package portico.upstream.retry;

import java.util.Collections;
import java.util.HashSet;
import java.util.Set;
import portico.upstream.Outcome;
import portico.upstream.OutcomeFilter;
import portico.upstream.Target;

/**
 * The retries of one request: which targets it tried, how many retries are left, and whether the
 * request may go out again. Used on one event loop only.
 *
 * <p>The rules: a retry needs an attempt left, an outcome listed in {@code on}, and room in the
 * budget. An attempt that sent nothing (a connect that failed) may be retried whatever the method;
 * one that sent the request only when the request may be resent (an idempotent method, an
 * {@code Idempotency-Key} header, or {@code non_idempotent}) and its whole body can be replayed.
 */
public final class RetryState {
    private final int attempts;
    private final OutcomeFilter on;
    private final boolean resendable;
    private final boolean keepsBody;
    private final long maxBody;
    private final RetryBudget budget;
    private final Backoff backoff;
    private Set<Target> tried = Collections.emptySet();
    private int retries;

    RetryState(int attempts, OutcomeFilter on, boolean resendable, boolean keepsBody, long maxBody, RetryBudget budget,
               Backoff backoff) {
        this.attempts = attempts;
        this.on = on;
        this.resendable = resendable;
        this.keepsBody = keepsBody;
        this.maxBody = maxBody;
        this.budget = budget;
        this.backoff = backoff;
    }

    /** The targets tried so far; the balancer prefers others. */
    public Set<Target> tried() {
        return tried;
    }

    public void tried(Target t) {
        if (tried.contains(t)) return;
        if (tried.isEmpty()) {
            tried = Set.of(t);  // most requests need one attempt: no set to allocate and grow
        } else {
            Set<Target> more = new HashSet<>(tried);
            more.add(t);
            tried = more;
        }
    }

    /** Whether the request body should be kept for a replay (up to {@link #maxBody()} bytes). */
    public boolean keepsBody() {
        return keepsBody;
    }

    public long maxBody() {
        return maxBody;
    }

    /** Retries made so far. */
    public int retries() {
        return retries;
    }

    /**
     * Decides on a retry after a failed attempt, taking it from the budget when granted.
     *
     * @param replayable whether the whole request (head and body) can be sent again as it was
     * @return nanoseconds to wait before the next attempt, or -1 for no retry
     */
    public long next(Outcome outcome, boolean replayable) {
        if (retries >= attempts || !on.matches(outcome)) return -1;
        if (!outcome.sentNothing() && (!resendable || !replayable)) return -1;
        if (!budget.tryRetry()) return -1;
        retries++;
        return backoff.delayNanos(retries);
    }
}
