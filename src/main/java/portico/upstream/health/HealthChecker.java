package portico.upstream.health;

import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.util.concurrent.ScheduledFuture;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.random.RandomGenerator;
import portico.config.HealthCheckConfig;
import portico.upstream.BufferedExchange;
import portico.upstream.Failure;
import portico.upstream.OutcomeFilter;
import portico.upstream.Target;
import portico.upstream.TimeSource;
import portico.upstream.UpstreamResponse;

/**
 * Active health checks: every target gets {@code GET health_check.path} over its own connection
 * pool, on one event loop by Netty timers, {@code interval} after the previous probe ended (so
 * probes never pile up on a slow target). The verdicts go to the {@link HealthTracker}.
 */
public final class HealthChecker implements AutoCloseable {
    private final String service;
    private final HealthCheckConfig config;
    private final HealthTracker tracker;
    private final OutcomeFilter good;
    private final TimeSource time;
    private final long idleMillis;
    private final List<Probe> probes = new ArrayList<>();
    private volatile boolean closed;

    public HealthChecker(String service, List<Target> targets, HealthCheckConfig config, HealthTracker tracker,
                         EventLoopGroup loops, TimeSource time, RandomGenerator random, long idleMillis) {
        this.service = service;
        this.config = config;
        this.tracker = tracker;
        this.good = OutcomeFilter.of(config.statuses());
        this.time = time;
        this.idleMillis = idleMillis;
        long spread = Math.min(config.interval().toNanos(), TimeUnit.SECONDS.toNanos(1));
        for (Target t : targets) {
            Probe p = new Probe(t, (EventLoop) loops.next());
            probes.add(p);
            // Spread the first probes a little so that many services do not probe in lockstep.
            p.schedule(random.nextLong(spread));
        }
    }

    @Override
    public void close() {
        closed = true;
        for (Probe p : probes) {
            try {
                p.loop.execute(p::stop);
            } catch (RejectedExecutionException e) {
                // The loop is already shutting down, and its timers with it.
            }
        }
    }

    /** The probes of one target; touched only on its loop. */
    private final class Probe implements BufferedExchange.Listener {
        final Target target;
        final EventLoop loop;
        private ScheduledFuture<?> next;
        private ScheduledFuture<?> timeout;
        private BufferedExchange exchange;

        Probe(Target target, EventLoop loop) {
            this.target = target;
            this.loop = loop;
        }

        void schedule(long delayNanos) {
            if (closed) return;
            try {
                next = loop.schedule(this::run, delayNanos, TimeUnit.NANOSECONDS);
            } catch (RejectedExecutionException e) {
                // Shutting down.
            }
        }

        private void run() {
            next = null;
            if (closed) return;
            HttpHeaders h = new DefaultHttpHeaders()
                    .set(HttpHeaderNames.USER_AGENT, "portico-health-check")
                    .set(HttpHeaderNames.ACCEPT, "*/*");
            long limit = config.timeout().toNanos();
            exchange = new BufferedExchange(service, target, loop, HttpMethod.GET, config.path(), h, new byte[0], -1, limit,
                    "health_check.timeout", idleMillis, this);
            timeout = loop.schedule(this::onTimeout, limit, TimeUnit.NANOSECONDS);
            exchange.start();
        }

        private void onTimeout() {
            timeout = null;
            if (exchange == null) return;
            exchange.cancel();
            done(false, "timeout after " + config.timeout().toMillis() + "ms");
        }

        @Override
        public void onResponse(UpstreamResponse response) {
            done(good.matchesStatus(response.status()), "status " + response.status());
        }

        @Override
        public void onFailure(Failure failure) {
            done(false, failure.outcome().reason());
        }

        private void done(boolean ok, String detail) {
            exchange = null;
            if (timeout != null) {
                timeout.cancel(false);
                timeout = null;
            }
            if (closed) return;
            tracker.probed(target, ok, detail, time.nanoTime());
            schedule(config.interval().toNanos());
        }

        void stop() {
            if (next != null) next.cancel(false);
            if (timeout != null) timeout.cancel(false);
            if (exchange != null) exchange.cancel();
            exchange = null;
        }
    }
}
