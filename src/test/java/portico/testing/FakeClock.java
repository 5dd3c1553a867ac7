package portico.testing;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.concurrent.atomic.AtomicLong;
import portico.plugin.PluginContext;

/**
 * Time that only a test moves: a wall clock and a monotonic ticker advanced together, handed to
 * {@link GatewayUnderTest#start(String, java.util.Map, Clock, PluginContext.Ticker)}, so that
 * expiry and refresh intervals are tested without sleeping.
 */
public final class FakeClock extends Clock {
    private final AtomicLong epochNanos;
    private final AtomicLong tickerNanos = new AtomicLong(1_000_000_000L);

    private FakeClock(Instant start) {
        this.epochNanos = new AtomicLong(start.getEpochSecond() * 1_000_000_000L + start.getNano());
    }

    /** Starting now, truncated to the second, so that JWT times (whole seconds) compare exactly. */
    public static FakeClock now() {
        return new FakeClock(Instant.ofEpochSecond(Instant.now().getEpochSecond()));
    }

    public static FakeClock at(Instant start) {
        return new FakeClock(start);
    }

    public void advance(Duration d) {
        epochNanos.addAndGet(d.toNanos());
        tickerNanos.addAndGet(d.toNanos());
    }

    /** The monotonic side of this clock. */
    public PluginContext.Ticker ticker() {
        return tickerNanos::get;
    }

    @Override
    public Instant instant() {
        long n = epochNanos.get();
        return Instant.ofEpochSecond(Math.floorDiv(n, 1_000_000_000L), Math.floorMod(n, 1_000_000_000L));
    }

    @Override
    public ZoneId getZone() {
        return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
        throw new UnsupportedOperationException("a fake clock has one zone, UTC");
    }
}
