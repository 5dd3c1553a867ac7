package portico.config;

import java.util.List;
import java.util.Map;

/**
 * An upstream service: one or more targets and how to talk to them.
 *
 * @param plugins service-level plugins: every route to this service has them unless it sets its own
 */
public record ServiceConfig(String name, List<TargetConfig> targets, Timeouts timeouts, Map<String, PluginSpec> plugins) {

    public ServiceConfig {
        targets = List.copyOf(targets);
        plugins = Map.copyOf(plugins);
    }
}
