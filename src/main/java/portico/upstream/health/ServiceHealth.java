package portico.upstream.health;

import java.time.Duration;
import java.util.List;

/**
 * What {@code GET /services/{name}/health} shows: every target's state and the circuit's. An
 * immutable snapshot, consistent per target, taken at one moment.
 *
 * @param circuit {@link Circuit#NONE} when the service has no {@code circuit_breaker}
 */
public record ServiceHealth(String service, Circuit circuit, List<TargetStatus> targets) {

    public ServiceHealth {
        targets = List.copyOf(targets);
    }

    public enum State {
        /** The balancer may pick it. */
        HEALTHY,
        /** Failed {@code health_check.unhealthy_after} probes in a row; back after {@code healthy_after} good ones. */
        UNHEALTHY,
        /** Passive health took it out for a while after consecutive failures. */
        EJECTED;

        @Override
        public String toString() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    public enum Circuit {
        NONE, CLOSED, OPEN, HALF_OPEN;

        @Override
        public String toString() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    /**
     * @param target              host:port
     * @param url                 as configured
     * @param inFlight            attempts awaiting a response head
     * @param consecutiveFailures failures in a row seen by passive health
     * @param ejectedFor          time left of an ejection, zero when not ejected
     * @param lastCheck           the last probe's result ({@code status 200}, {@code connect_error}...), null before
     *                            the first or without {@code health_check}
     */
    public record TargetStatus(String target, String url, State state, int inFlight, int consecutiveFailures,
                               Duration ejectedFor, String lastCheck) {}

    public TargetStatus target(String hostPort) {
        return targets.stream().filter(t -> t.target().equals(hostPort)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no target " + hostPort + " in " + service));
    }
}
