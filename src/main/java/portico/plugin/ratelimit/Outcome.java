package portico.plugin.ratelimit;

/**
 * What a store said about one request under all of a block's limits: one {@link Decision} per
 * limit, in the block's order. The request passes only when every limit granted it; then each
 * took the same number of permits.
 *
 * @param lease the Redis lease the permits came from, or null (a refund returns them there)
 */
record Outcome(Decision[] decisions, boolean allowed, Lease lease) {
    /** Nanoseconds until every refusing limit has a permit again. */
    long retry() {
        long longest = 1;
        for (Decision d : decisions) if (!d.allowed()) longest = Math.max(longest, d.retry());
        return longest;
    }
}
