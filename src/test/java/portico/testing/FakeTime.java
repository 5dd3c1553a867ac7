package portico.testing;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.concurrent.atomic.AtomicLong;
import portico.upstream.TimeSource;

/**
 * Time that moves only when a test says so, for breakers, ejections and retry budgets. Its
 * {@link #nanoTime()} and {@link #clock()} move together. Thread-safe: an upstream handler may
 * {@link #advance} it to make a call look slow.
 */
public final class FakeTime implements TimeSource {
    private static final Instant EPOCH = Instant.parse("2030-01-01T00:00:00Z");
    private final AtomicLong nanos = new AtomicLong();

    public void advance(Duration d) {
        nanos.addAndGet(d.toNanos());
    }

    @Override
    public long nanoTime() {
        return nanos.get();
    }

    @Override
    public Clock clock() {
        return new Clock() {
            @Override
            public ZoneId getZone() {
                return ZoneOffset.UTC;
            }

            @Override
            public Clock withZone(ZoneId zone) {
                return this;
            }

            @Override
            public Instant instant() {
                return EPOCH.plusNanos(nanos.get());
            }
        };
    }
}
