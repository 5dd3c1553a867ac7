package portico.config;

import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What a request must have to take a route; every part given must hold.
 *
 * @param paths   patterns (CONTRACT section 5); empty matches every path
 * @param methods upper case; empty means all
 * @param hosts   lower case, exact or {@code *.suffix}; empty means any
 * @param headers exact values, names case-insensitive
 * @param query   exact values of query parameters
 */
public record MatchConfig(List<String> paths, Set<String> methods, List<String> hosts,
                          Map<String, String> headers, Map<String, String> query) {

    public MatchConfig {
        paths = List.copyOf(paths);
        methods = Set.copyOf(methods);
        hosts = List.copyOf(hosts);
        headers = Map.copyOf(headers);
        query = Map.copyOf(query);
    }
}
