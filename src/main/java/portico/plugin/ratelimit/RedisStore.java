package portico.plugin.ratelimit;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.netty.channel.EventLoop;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import portico.plugin.PluginContext;

/**
 * {@code store: redis}: every node of a cluster counts in the same Redis hashes, one atomic script
 * call per check (ratelimit.lua, on the Redis server's clock). A busy key leases: when its last
 * lease ran out before it expired, the next call asks for twice as many permits (up to
 * {@code lease}), and a lease that expired with permits left halves the next one, so a key that is
 * not busy costs one permit per call, exactly as without leasing.
 */
final class RedisStore implements LimitStore {
    /** A lease lasts at most this long, and at most a tenth of the shortest window. */
    static final long LEASE_TTL_NANOS = TimeUnit.SECONDS.toNanos(1);

    private final RedisLink link;
    private final String[] prefixes;
    private final String[] limitArgs;
    private final int leaseMax;
    private final long leaseTtl;
    private final Cache<String, Slot> slots;
    private final PluginContext.Ticker ticker;

    /** A key's lease and how many permits its next call asks for. */
    private static final class Slot {
        volatile Lease lease;
        volatile int size = 1;
        /** One batch call per key at a time; requests meanwhile ask for their own permit only. */
        final java.util.concurrent.atomic.AtomicBoolean fetching = new java.util.concurrent.atomic.AtomicBoolean();
    }

    RedisStore(RedisLink link, RateLimitConfig config, PluginContext.Ticker ticker) {
        this.link = link;
        this.ticker = ticker;
        List<RateLimitConfig.Limit> limits = config.limits();
        prefixes = new String[limits.size()];
        limitArgs = new String[limits.size() * 4];
        long smallest = Long.MAX_VALUE;
        long shortest = Long.MAX_VALUE;
        for (int i = 0; i < limits.size(); i++) {
            RateLimitConfig.Limit l = limits.get(i);
            prefixes[i] = "portico:rl:" + config.id() + ":" + l.name() + ":";
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

    /** One percent of the smallest limit, between 1 (no leasing) and 100. */
    static int automaticLease(long smallestLimit) {
        return (int) Math.max(1, Math.min(100, smallestLimit / 100));
    }

    int leaseMax() {
        return leaseMax;
    }

    @Override
    public CompletionStage<Outcome> take(String[] keys, EventLoop loop) {
        long now = ticker.nanos();
        Slot slot = null;
        int want = 1;
        if (slots != null) {
            slot = slots.get(keys.length == 1 ? keys[0] : String.join("\u0001", keys), k -> new Slot());
            Lease lease = slot.lease;
            if (lease != null) {
                Outcome local = lease.take(now);
                if (local != null) return CompletableFuture.completedFuture(local);
                if (!lease.expired(now)) slot.size = Math.min(leaseMax, slot.size * 2);  // spent before it expired: busy
                else if (lease.left() > 0) slot.size = Math.max(1, slot.size / 2);      // expired unspent: less busy
            }
            if (slot.fetching.compareAndSet(false, true)) want = slot.size;
            else slot = null;  // a batch for this key is in flight already: this request takes one permit, no lease
        }
        String[] args = new String[2 + limitArgs.length];
        args[0] = "take";
        args[1] = Integer.toString(want);
        System.arraycopy(limitArgs, 0, args, 2, limitArgs.length);
        Slot s = slot;
        CompletableFuture<java.util.List<Object>> reply = link.run(redisKeys(keys), args, loop);
        if (s == null) return reply.thenApply(r -> outcome(r, null, now));
        reply.whenComplete((r, err) -> {
            if (err != null) s.fetching.set(false);
        });
        return reply.thenApply(r -> {
            try {
                return outcome(r, s, now);
            } finally {
                s.fetching.set(false);  // after the lease is in place
            }
        });
    }

    private Outcome outcome(List<Object> reply, Slot slot, long asked) {
        int granted = (int) (long) (Long) reply.get(0);
        Decision[] decisions = new Decision[prefixes.length];
        long soonest = Long.MAX_VALUE;
        int extra = Math.max(0, granted - 1);
        for (int i = 0; i < decisions.length; i++) {
            long remaining = (Long) reply.get(1 + 4 * i);
            long reset = (Long) reply.get(2 + 4 * i) * 1000;
            long retry = (Long) reply.get(3 + 4 * i) * 1000;
            long window = (Long) reply.get(4 + 4 * i);
            soonest = Math.min(soonest, reset);
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
                base[i] = new Decision(1, d.remaining() - extra, d.reset() - (now - asked), 0, d.window());
            }
            // Two calls for one key may have been in flight at once: the newer lease keeps what the
            // older still holds, or those permits would be counted in Redis and never used.
            Lease older = slot.lease;
            int kept = older == null ? 0 : older.drain(now);
            // Never past the end of the window the permits belong to.
            lease = new Lease(extra + kept, now, now + Math.min(leaseTtl, Math.max(0, soonest - (now - asked))), base);
            slot.lease = lease;
        }
        return new Outcome(decisions, true, lease);
    }

    @Override
    public void refund(String[] keys, Outcome taken, EventLoop loop) {
        if (taken.lease() != null && taken.lease().giveBack(ticker.nanos())) return;
        String[] args = new String[2 + prefixes.length * 5];
        args[0] = "refund";
        args[1] = "1";
        for (int i = 0; i < prefixes.length; i++) {
            System.arraycopy(limitArgs, 4 * i, args, 2 + 5 * i, 4);
            args[2 + 5 * i + 4] = Long.toString(taken.decisions()[i].window());
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
