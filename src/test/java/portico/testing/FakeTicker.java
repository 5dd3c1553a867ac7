package portico.testing;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import portico.plugin.PluginContext;

/** A monotonic clock that moves only when a test says so: window tests never sleep. */
public final class FakeTicker implements PluginContext.Ticker {
    private final AtomicLong nanos;

    /** Starts at an arbitrary point, as System.nanoTime does, so that nothing assumes 0 is special. */
    public FakeTicker() {
        this(Duration.ofHours(1000).toNanos() + 123_456_789L);
    }

    public FakeTicker(long start) {
        nanos = new AtomicLong(start);
    }

    @Override
    public long nanos() {
        return nanos.get();
    }

    public void advance(Duration d) {
        nanos.addAndGet(d.toNanos());
    }

    /** Moves to the start of the next multiple of {@code window}: fixed windows begin there. */
    public void toNextMultipleOf(Duration window) {
        long w = window.toNanos();
        nanos.updateAndGet(n -> Math.floorDiv(n, w) * w + w);
    }
}
