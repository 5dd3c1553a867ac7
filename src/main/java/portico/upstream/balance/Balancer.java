package portico.upstream.balance;

import java.util.List;

/**
 * Picks one target among those currently usable. Called from any event loop, concurrently:
 * implementations keep their state thread-safe and never block beyond a short critical section.
 *
 * @param <T> the target type (kept generic so that balancing is tested without sockets)
 */
public interface Balancer<T> {

    /**
     * @param candidates the usable targets, in config order; never empty
     * @param key        the hash key for hash balancers (header value or client IP); may be null
     * @return one of the candidates
     */
    T pick(List<T> candidates, String key);
}
