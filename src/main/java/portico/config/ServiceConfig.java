package portico.config;

import java.util.List;

/** An upstream service: one or more targets and how to talk to them. */
public record ServiceConfig(String name, List<TargetConfig> targets, Timeouts timeouts) {

    public ServiceConfig {
        targets = List.copyOf(targets);
    }
}
