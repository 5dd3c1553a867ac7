package portico.upstream;

/**
 * One try at one target, from {@link Service#select} to {@link Service#record}. It holds a
 * circuit-breaker permission and a place in the target's in-flight count until recorded, so every
 * attempt must be recorded exactly once (record with {@link Outcome#CANCELLED} when giving up);
 * later records of the same attempt are ignored. Used on one event loop only.
 */
public final class Attempt {
    private final Target target;
    private final long startNanos;
    private final boolean permitted;
    private boolean recorded;

    Attempt(Target target, long startNanos, boolean permitted) {
        this.target = target;
        this.startNanos = startNanos;
        this.permitted = permitted;
    }

    public Target target() {
        return target;
    }

    long startNanos() {
        return startNanos;
    }

    /** Whether this attempt holds a circuit-breaker permission. */
    boolean permitted() {
        return permitted;
    }

    /** @return false when it was recorded already */
    boolean markRecorded() {
        if (recorded) return false;
        recorded = true;
        return true;
    }

    @Override
    public String toString() {
        return target.toString();
    }
}
