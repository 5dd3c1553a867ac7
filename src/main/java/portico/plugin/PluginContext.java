package portico.plugin;

import java.time.Clock;
import java.util.Map;
import portico.config.ConsumerConfig;

/**
 * What a plugin may use besides its own settings: the clock (injected, so that tests do not
 * sleep) and the consumers of the same config revision.
 */
public record PluginContext(Clock clock, Map<String, ConsumerConfig> consumers) {}
