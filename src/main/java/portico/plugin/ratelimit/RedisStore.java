package portico.plugin.ratelimit;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.netty.channel.EventLoop;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import portico.plugin.PluginContext;

/**
 * {@code store: redis}: every node of a cluster counts in the same Redis hashes, one atomic script
 * call per check (ratelimit.lua, on the Redis server's clock). A busy key leases: when its last
 * lease was spent before it expired, the next call asks for twice as many permits (up to
 * {@code lease}); a lease that expired with permits left halves the next one, so a key that is
 * not busy costs one permit per call, exactly as without leasing. One batch call per key is in
 * flight at a time: a lease running low fetches the next one ahead, and requests that find it
 * empty wait for the batch on its way instead of each calling Redis.
 */
final class RedisStore implements LimitStore {
    /** A lease lasts at most this long, and at most a tenth of the shortest window. */
    static final long LEASE_TTL_NANOS = TimeUnit.SECONDS.toNanos(1);

    private final RedisLink link;
    private final String[] prefixes;
    private final String[] limitArgs;
    private final boolean[] tokenBucket;
    private final int leaseMax;
    private final long leaseTtl;
    private final Cache<String, Slot> slots;
    private final PluginContext.Ticker ticker;

    /** A key's lease, how many permits its next batch asks for, and the batch call in flight. */
    private static final class Slot {
        volatile Lease lease;
        volatile int size = 1;
        /** One batch per key at a time; requests that find the lease empty meanwhile wait for it. */
        final AtomicReference<CompletableFuture<Void>> inFlight = new AtomicReference<>();
    }

    RedisStore(RedisLink link, RateLimitConfig config, PluginContext.Ticker ticker) {
        this.link = link;
        this.ticker = ticker;
        List<RateLimitConfig.Limit> limits = config.limits();
        prefixes = new String[limits.size()];
        limitArgs = new String[limits.size() * 4];
        tokenBucket = new boolean[limits.size()];
        long smallest = Long.MAX_VALUE;
        long shortest = Long.MAX_VALUE;
        for (int i = 0; i < limits.size(); i++) {
            RateLimitConfig.Limit l = limits.get(i);
            prefixes[i] = "portico:rl:" + config.id() + ":" + l.name() + ":";
            tokenBucket[i] = l.algorithm() == Algorithm.TOKEN_BUCKET;
            limitArgs[4 * i] = Integer.toString(l.algorithm().code);
            limitArgs[4 * i + 1] = Long.toString(l.limit());
            limitArgs[4 * i + 2] = Long.toString(TimeUnit.NANOSECONDS.toMicros(l.window().toNanos()));
            limitArgs[4 * i + 3] = Long.toString(l.burst());
            smallest = Math.min(smallest, l.limit());
            shortest = Math.min(shortest, l.window().toNanos());
        }
        leaseMax = config.lease() > 0 ? config.lease() : automaticLease(smallest);
        leaseTtl = Math.min(LEASE_TTL_NANOS, shortest / 10);
        slots = leaseMax <= 1 ? null : Caffeine.newBuilder()
                .maximumSize(LocalStore.MAX_KEYS)
                .expireAfterAccess(Duration.ofNanos(leaseTtl * 4))
                .ticker(ticker::nanos)
                .build();
    }

    /** One percent of the smallest limit, between 1 (no leasing) and 1000. */
    static int automaticLease(long smallestLimit) {
        return (int) Math.max(1, Math.min(1000, smallestLimit / 100));
    }

    int leaseMax() {
        return leaseMax;
    }

    @Override
    public CompletionStage<Outcome> take(String[] keys, EventLoop loop) {
        if (slots == null) return call(keys, 1, loop).thenApply(r -> outcome(r, null, true));
        Slot slot = slots.get(keys.length == 1 ? keys[0] : String.join("\u0001", keys), k -> new Slot());
        long now = ticker.nanos();
        Lease lease = slot.lease;
        if (lease != null) {
            Outcome local = lease.take(now);
            if (local != null) {
                // Half spent on a busy key: fetch the next batch before this one runs dry, so that
                // requests seldom wait for Redis (a round trip is worth many requests on a hot key).
                if (slot.size >= 4 && lease.left() <= slot.size / 2) batch(slot, keys, loop, false, true);
                return CompletableFuture.completedFuture(local);
            }
        }
        CompletableFuture<Void> flight = slot.inFlight.get();
        if (flight != null) {
            // A batch is on its way: take from it when it lands, or ask for this one permit if it fell short.
            return flight.thenComposeAsync(v -> {
                Lease landed = slot.lease;
                Outcome o = landed == null ? null : landed.take(ticker.nanos());
                return o != null ? CompletableFuture.completedFuture(o) : call(keys, 1, loop).thenApply(r -> outcome(r, null, true));
            }, loop);
        }
        boolean busy = lease != null && !lease.expired(now);  // spent before it expired
        CompletionStage<Outcome> mine = batch(slot, keys, loop, true, busy);
        return mine != null ? mine : call(keys, 1, loop).thenApply(r -> outcome(r, null, true));
    }

    /**
     * Asks Redis for a batch for this key, one at a time per key.
     *
     * @param forRequest the batch also pays for the request that asked (else it only fills the lease)
     * @param busy       the last lease ran low before it expired: ask for twice as much this time
     * @return the request's outcome, or null when another batch is in flight already
     */
    private CompletionStage<Outcome> batch(Slot slot, String[] keys, EventLoop loop, boolean forRequest, boolean busy) {
        CompletableFuture<Void> flight = new CompletableFuture<>();
        if (!slot.inFlight.compareAndSet(null, flight)) return null;
        Lease last = slot.lease;
        if (busy) slot.size = Math.min(leaseMax, slot.size * 2);
        else if (last != null && last.left() > 0) slot.size = Math.max(1, slot.size / 2);  // expired unspent: less busy
        int want = slot.size;
        return call(keys, want, loop).handle((reply, err) -> {
            try {
                if (err != null) throw err instanceof CompletionException ce ? ce : new CompletionException(err);
                Outcome o = outcome(reply, slot, forRequest);
                return forRequest ? o : null;
            } finally {
                slot.inFlight.set(null);
                flight.complete(null);  // after the lease is in place
            }
        });
    }

    private CompletableFuture<List<Object>> call(String[] keys, int want, EventLoop loop) {
        String[] args = new String[3 + limitArgs.length];
        args[0] = "take";
        args[1] = Integer.toString(want);
        args[2] = RedisLink.DEADLINE;  // RedisLink fills it in when it sends
        System.arraycopy(limitArgs, 0, args, 3, limitArgs.length);
        return link.run(redisKeys(keys), args, loop);
    }

    /** @param forRequest one of the granted permits is the asking request's; the rest go to the slot's lease */
    private Outcome outcome(List<Object> reply, Slot slot, boolean forRequest) {
        int granted = (int) (long) (Long) reply.get(0);
        Decision[] decisions = new Decision[prefixes.length];
        long soonest = Long.MAX_VALUE;
        int extra = Math.max(0, forRequest ? granted - 1 : granted);
        for (int i = 0; i < decisions.length; i++) {
            long remaining = (Long) reply.get(1 + 4 * i);
            long reset = (Long) reply.get(2 + 4 * i) * 1000;
            long retry = (Long) reply.get(3 + 4 * i) * 1000;
            long window = (Long) reply.get(4 + 4 * i);
            // A lease must end with the window its permits came from; a bucket has no windows.
            if (!tokenBucket[i]) soonest = Math.min(soonest, reset);
            decisions[i] = granted > 0
                    ? new Decision(1, remaining + extra, reset, 0, window)
                    : new Decision(0, remaining, reset, retry > 0 ? retry : 0, window);
        }
        if (granted < 1) return new Outcome(decisions, false, null);
        Lease lease = null;
        if (slot != null) {
            long now = ticker.nanos();
            Decision[] base = new Decision[decisions.length];
            for (int i = 0; i < base.length; i++) {
                Decision d = decisions[i];
                base[i] = new Decision(1, d.remaining() - extra, d.reset(), 0, d.window());
            }
            // The newer lease keeps what the older still holds (a batch fetched ahead lands while the
            // last one is being spent), or those permits would be counted in Redis and never used.
            Lease older = slot.lease;
            int kept = older == null ? 0 : older.drain(now);
            // Never past the end of the window the permits belong to.
            lease = new Lease(extra + kept, now, now + Math.min(leaseTtl, soonest), base);
            slot.lease = lease;
        }
        return new Outcome(decisions, true, lease);
    }

    @Override
    public void refund(String[] keys, Outcome taken, EventLoop loop) {
        if (taken.lease() != null && taken.lease().giveBack(ticker.nanos())) return;
        String[] args = new String[3 + prefixes.length * 5];
        args[0] = "refund";
        args[1] = "1";
        args[2] = "0";  // a refund counts whenever it runs
        for (int i = 0; i < prefixes.length; i++) {
            System.arraycopy(limitArgs, 4 * i, args, 3 + 5 * i, 4);
            args[3 + 5 * i + 4] = Long.toString(taken.decisions()[i].window());
        }
        // Fire and forget: a refund lost to an outage only makes the limit stricter for a while.
        link.run(redisKeys(keys), args, loop);
    }

    private String[] redisKeys(String[] keys) {
        String[] out = new String[keys.length];
        for (int i = 0; i < keys.length; i++) out[i] = prefixes[i] + keys[i];
        return out;
    }
}
