package portico.config;

import java.util.Map;

/**
 * One route as written.
 *
 * @param index        position in the file (for messages only: precedence is by specificity)
 * @param stripPrefix  remove the matched path prefix before forwarding (default false)
 * @param preserveHost send the client's Host upstream instead of the target's (default false)
 * @param plugins      route-level plugins; they replace the service's and the global ones of the same name
 * @param mark         where the route starts in the file
 */
public record RouteConfig(int index, String name, MatchConfig match, String service, boolean stripPrefix,
                          boolean preserveHost, Map<String, PluginSpec> plugins, Mark mark) {
    public RouteConfig {
        plugins = Map.copyOf(plugins);
    }
}
