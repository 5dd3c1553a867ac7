package portico.config;

/**
 * {@code balance}: how a target is chosen among the usable ones.
 *
 * @param strategy which balancer
 * @param header   for {@code hash(header:NAME)}, the header whose value is the key (lower case); else null
 */
public record BalanceConfig(Strategy strategy, String header) {
    public static final BalanceConfig DEFAULT = new BalanceConfig(Strategy.ROUND_ROBIN, null);

    public enum Strategy {
        /** Smooth weighted round robin (nginx): weights 3:1 give A A B A. */
        ROUND_ROBIN,
        /** The fewest requests waiting for an answer, relative to weight. */
        LEAST_REQUESTS,
        /** Power of two random choices: the less busy of two targets drawn at random. */
        RANDOM,
        /** Consistent hashing on a request header's value. */
        HASH_HEADER,
        /** Consistent hashing on the client address. */
        HASH_IP
    }

    /** As written in the config, for messages. */
    @Override
    public String toString() {
        return switch (strategy) {
            case ROUND_ROBIN -> "round_robin";
            case LEAST_REQUESTS -> "least_requests";
            case RANDOM -> "random";
            case HASH_HEADER -> "hash(header:" + header + ")";
            case HASH_IP -> "hash(ip)";
        };
    }
}
