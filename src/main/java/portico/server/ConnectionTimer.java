package portico.server;

import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * One deadline at a time for one connection, re-armed on every exchange. Scheduling and cancelling
 * a Netty task per arm costs a priority-queue insert and removal each time (a keep-alive connection
 * arms three timers per request); this keeps at most one task pending and, when that task fires
 * before the current deadline, lets it schedule itself again for the rest. Arming a later deadline
 * or disarming is then a field write. Event loop only.
 */
final class ConnectionTimer {
    private final EventExecutor loop;
    private Runnable action;
    private long deadline;
    private boolean armed;
    private ScheduledFuture<?> pending;
    private long pendingAt;

    ConnectionTimer(EventExecutor loop) {
        this.loop = loop;
    }

    /** Runs {@code action} once, {@code delayNanos} from now, unless re-armed or disarmed before. */
    void arm(long delayNanos, Runnable action) {
        long at = System.nanoTime() + delayNanos;
        this.action = action;
        this.deadline = at;
        this.armed = true;
        if (pending == null || pendingAt - at > 0) {
            // Nothing pending, or it would fire too late: only an earlier deadline needs a new task.
            if (pending != null) pending.cancel(false);
            schedule(at);
        }
    }

    void disarm() {
        armed = false;
        action = null;
    }

    /** The connection closed: nothing may run any more, and the pending task goes too. */
    void stop() {
        disarm();
        if (pending != null) {
            pending.cancel(false);
            pending = null;
        }
    }

    private void schedule(long at) {
        pendingAt = at;
        pending = loop.schedule(this::fire, Math.max(0, at - System.nanoTime()), TimeUnit.NANOSECONDS);
    }

    private void fire() {
        pending = null;
        if (!armed) return;
        if (deadline - System.nanoTime() > 0) {
            schedule(deadline);
            return;
        }
        Runnable run = action;
        disarm();
        run.run();
    }
}
