package portico.config;

/**
 * One upstream address.
 *
 * @param basePath the url's path without a trailing slash ("" when none); prepended upstream
 * @param weight   relative share of requests (default 1)
 */
public record TargetConfig(String url, boolean tls, String host, int port, String basePath, int weight) {

    /** The Host header value for this target: the port is left out when it is the scheme's default. */
    public String authority() {
        String h = host.contains(":") ? "[" + host + "]" : host;
        boolean defaultPort = tls ? port == 443 : port == 80;
        return defaultPort ? h : h + ":" + port;
    }
}
