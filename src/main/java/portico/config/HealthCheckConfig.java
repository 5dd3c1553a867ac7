package portico.config;

import java.time.Duration;
import java.util.List;

/**
 * {@code health_check}: active probes of every target, {@code GET path}, from the event loops.
 *
 * @param path           what is requested, such as /health (required)
 * @param interval       between the end of one probe and the start of the next; default 10s
 * @param timeout        a probe that takes longer (connect included) failed; default 2s
 * @param unhealthyAfter {@code unhealthy_after}: consecutive failed probes that take a target out; default 3
 * @param healthyAfter   {@code healthy_after}: consecutive good probes that bring it back; default 2
 * @param statuses       good answers, as written: statuses such as {@code 200} or classes such as
 *                       {@code 2xx}; default {@code [2xx]}
 */
public record HealthCheckConfig(String path, Duration interval, Duration timeout, int unhealthyAfter, int healthyAfter,
                                List<String> statuses) {
    public HealthCheckConfig {
        statuses = List.copyOf(statuses);
    }
}
