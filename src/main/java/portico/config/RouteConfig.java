package portico.config;

import java.util.Map;

/**
 * One route as written.
 *
 * @param index              position in the file (for messages only: precedence is by specificity)
 * @param stripPrefix        remove the matched path prefix before forwarding (default false)
 * @param preserveHost       send the client's Host upstream instead of the target's (default false)
 * @param plugins            route-level plugins; they replace the service's and the global ones of the same name
 * @param mark               where the route starts in the file
 * @param service            the service it forwards to; null for an aggregate route
 * @param aggregate          {@code aggregate}: the parts an aggregate route calls instead of a service; null otherwise
 * @param retryNonIdempotent {@code retries.non_idempotent} on the route: whether POST and PATCH may be
 *                           sent again; null leaves it to the service's {@code retries}
 */
public record RouteConfig(int index, String name, MatchConfig match, String service, boolean stripPrefix,
                          boolean preserveHost, Map<String, PluginSpec> plugins, Mark mark, AggregateConfig aggregate,
                          Boolean retryNonIdempotent) {
    public RouteConfig {
        plugins = Map.copyOf(plugins);
    }

    /** A route to a service, with the service's retry rules. */
    public RouteConfig(int index, String name, MatchConfig match, String service, boolean stripPrefix,
                       boolean preserveHost, Map<String, PluginSpec> plugins, Mark mark) {
        this(index, name, match, service, stripPrefix, preserveHost, plugins, mark, null, null);
    }
}
