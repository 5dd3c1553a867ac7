package portico.config;

import java.util.List;
import java.util.Map;

/**
 * A consumer: an identity with credentials and groups, and plugins of its own.
 *
 * @param credentials per credential kind (plugin name such as {@code key_auth}, {@code jwt},
 *                    {@code basic_auth}), the parsed credential objects; their plugin reads them
 */
public record ConsumerConfig(String name, List<String> groups, Map<String, List<Object>> credentials,
                             Map<String, PluginSpec> plugins, Mark mark) {
    public ConsumerConfig {
        groups = List.copyOf(groups);
        credentials = Map.copyOf(credentials);
        plugins = Map.copyOf(plugins);
    }
}
