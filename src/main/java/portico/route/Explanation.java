package portico.route;

import java.util.List;
import java.util.Optional;
import portico.config.RouteConfig;

/**
 * What {@code portico explain} prints about routing: one line per route in match order saying
 * whether it matched and, if not, the first reason; then a last line naming the outcome.
 *
 * @param winner the route the request takes; empty for 404 and 405
 */
public record Explanation(Optional<RouteConfig> winner, List<String> lines) {
    public Explanation {
        lines = List.copyOf(lines);
    }
}
