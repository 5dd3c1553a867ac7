package portico.config;

import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.util.List;

/**
 * Checks a {@code cluster.redis} URL fully at read time ({@code redis://[[user]:password@]host[:port][/db][?timeout=..]}),
 * so that {@code check} finds what would otherwise fail only when the first rate-limited request
 * connects (Lettuce reads such a URL leniently: a bad port falls back to 6379, unknown parameters are ignored).
 */
final class RedisUrl {
    /** The query parameters Portico reads, or hands to Lettuce knowing what they do. */
    static final List<String> PARAMETERS = List.of("timeout", "clientName");

    private RedisUrl() {}

    /** Reports every problem on {@code node}; returns whether the URL is usable. */
    static boolean check(ConfigNode node, String url) {
        URI u;
        try {
            u = new URI(url);
        } catch (URISyntaxException e) {
            node.error("not a valid URL (" + e.getReason() + "), expected redis://host:port[/database]");
            return false;
        }
        boolean ok = true;
        // A non-numeric or empty host:port leaves no host (the authority is then "registry-based").
        if (u.getHost() == null || u.getHost().isEmpty()) {
            node.error("needs a host and a port 1..65535, such as redis://127.0.0.1:6379, was '" + u.getRawAuthority() + "'");
            ok = false;
        } else if (u.getPort() != -1 && (u.getPort() < 1 || u.getPort() > 65535)) {
            node.error("port must be within 1..65535, was " + u.getPort());
            ok = false;
        }
        String path = u.getRawPath();
        if (path != null && !path.isEmpty() && !path.equals("/")) {
            String db = path.substring(1);
            if (!db.matches("\\d{1,9}")) {
                node.error("the database (after the port) must be a number 0 or more, was '" + db + "'");
                ok = false;
            }
        }
        String query = u.getRawQuery();
        if (query != null) {
            for (String pair : query.split("&")) {
                int eq = pair.indexOf('=');
                String name = eq < 0 ? pair : pair.substring(0, eq);
                String value = eq < 0 ? "" : pair.substring(eq + 1);
                if (!PARAMETERS.contains(name)) {
                    node.error("unknown URL parameter '" + name + "'" + Suggest.didYouMean(name, PARAMETERS)
                            + " (known: " + String.join(", ", PARAMETERS) + ")");
                    ok = false;
                } else if (name.equals("timeout")) {
                    try {
                        Duration d = Units.duration(value);
                        if (d.isZero()) {
                            node.error("timeout must be more than 0, was '" + value + "'");
                            ok = false;
                        }
                    } catch (IllegalArgumentException e) {
                        node.error("timeout: " + e.getMessage());
                        ok = false;
                    }
                }
            }
        }
        return ok;
    }
}
