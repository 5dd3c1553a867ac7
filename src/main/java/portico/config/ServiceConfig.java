package portico.config;

import java.util.List;

/**
 * An upstream service: one or more targets and how to talk to them.
 *
 * @param resilience balancing, retries, circuit breaker, health checks and fallback
 */
public record ServiceConfig(String name, List<TargetConfig> targets, Timeouts timeouts, ResilienceConfig resilience) {

    public ServiceConfig {
        targets = List.copyOf(targets);
        if (resilience == null) resilience = ResilienceConfig.DEFAULTS;
    }

    /** A service with every resilience default. */
    public ServiceConfig(String name, List<TargetConfig> targets, Timeouts timeouts) {
        this(name, targets, timeouts, ResilienceConfig.DEFAULTS);
    }
}
