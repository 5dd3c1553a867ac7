package portico.config;

/**
 * State shared by several gateway nodes.
 *
 * @param redis the {@code cluster.redis} URL ({@code redis://host:port[/db]}), or null when this node stands alone
 */
public record ClusterConfig(String redis) {
    public static final ClusterConfig NONE = new ClusterConfig(null);
}
