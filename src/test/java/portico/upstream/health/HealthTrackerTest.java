package portico.upstream.health;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import portico.config.HealthCheckConfig;
import portico.config.OutlierConfig;
import portico.testing.LogCapture;
import portico.upstream.Outcome;
import portico.upstream.Target;
import portico.upstream.TestTargets;

/** Active verdicts: thresholds both ways, logged once per change; a good probe also ends an ejection. */
class HealthTrackerTest {
    private final LogCapture log = LogCapture.of(HealthTracker.class);
    private final List<Target> targets = TestTargets.of(2);
    private final HealthTracker tracker = new HealthTracker("orders", targets,
            new OutlierConfig(2, Duration.ofSeconds(30), Duration.ofMinutes(5), 0.5),
            new HealthCheckConfig("/health", Duration.ofSeconds(5), Duration.ofSeconds(1), 3, 2, List.of("2xx")));

    @AfterEach
    void detach() {
        log.close();
    }

    @Test
    void aTargetGoesOutAfterUnhealthyAfterFailedProbesAndBackAfterHealthyAfterGoodOnes() {
        Target a = targets.get(0);
        tracker.probed(a, false, "status 500", 0);
        tracker.probed(a, false, "connect_error", 0);
        assertThat(tracker.usable(0)).contains(a);

        tracker.probed(a, false, "connect_error", 0);
        tracker.probed(a, false, "connect_error", 0);
        assertThat(tracker.usable(0)).containsExactly(targets.get(1));
        assertThat(tracker.snapshot(0).get(0)).extracting(ServiceHealth.TargetStatus::state, ServiceHealth.TargetStatus::lastCheck)
                .containsExactly(ServiceHealth.State.UNHEALTHY, "connect_error");

        tracker.probed(a, true, "status 200", 0);
        assertThat(tracker.usable(0)).containsExactly(targets.get(1));
        tracker.probed(a, true, "status 200", 0);
        tracker.probed(a, true, "status 200", 0);

        assertThat(tracker.usable(0)).containsExactly(a, targets.get(1));
        assertThat(log.lines()).containsExactly(
                "service 'orders': target 10.0.0.1:8080 is unhealthy after 3 failed health checks (last: connect_error)",
                "service 'orders': target 10.0.0.1:8080 is healthy again after 2 good health checks");
    }

    @Test
    void aGoodProbeEndsAPassiveEjection() {
        Target a = targets.get(0);
        tracker.record(a, Outcome.RESET, 0);
        tracker.record(a, Outcome.RESET, 0);
        assertThat(tracker.usable(0)).containsExactly(targets.get(1));

        tracker.probed(a, true, "status 200", 1);

        assertThat(tracker.usable(1)).containsExactly(a, targets.get(1));
        assertThat(log.lines()).containsExactly(
                "service 'orders': target 10.0.0.1:8080 ejected for 30s after 2 failures in a row (last: reset)",
                "service 'orders': target 10.0.0.1:8080 is back in rotation: a health check passed");
    }

    @Test
    void retryAfterIsTheTimeUntilATargetCouldBeBack() {
        for (Target t : targets) for (int i = 0; i < 3; i++) tracker.probed(t, false, "status 503", 0);

        assertThat(tracker.usable(0)).isEmpty();
        assertThat(tracker.retryAfterSeconds(0)).as("healthy_after probes, 5 s apart").isEqualTo(10);
    }
}
