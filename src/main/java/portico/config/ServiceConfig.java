package portico.config;

import java.util.List;
import java.util.Map;

/**
 * An upstream service: one or more targets and how to talk to them.
 *
 * @param plugins    service-level plugins: every route to this service has them unless it sets its own
 * @param resilience balancing, retries, circuit breaker, health checks and fallback
 */
public record ServiceConfig(String name, List<TargetConfig> targets, Timeouts timeouts, Map<String, PluginSpec> plugins,
                            ResilienceConfig resilience) {

    public ServiceConfig {
        targets = List.copyOf(targets);
        plugins = Map.copyOf(plugins);
        if (resilience == null) resilience = ResilienceConfig.DEFAULTS;
    }

    /** A service with every resilience default. */
    public ServiceConfig(String name, List<TargetConfig> targets, Timeouts timeouts, Map<String, PluginSpec> plugins) {
        this(name, targets, timeouts, plugins, ResilienceConfig.DEFAULTS);
    }

    /** A service without plugins. */
    public ServiceConfig(String name, List<TargetConfig> targets, Timeouts timeouts, ResilienceConfig resilience) {
        this(name, targets, timeouts, Map.of(), resilience);
    }

    /** A service without plugins, with every resilience default. */
    public ServiceConfig(String name, List<TargetConfig> targets, Timeouts timeouts) {
        this(name, targets, timeouts, Map.of(), ResilienceConfig.DEFAULTS);
    }
}
