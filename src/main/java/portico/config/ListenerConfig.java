package portico.config;

import java.nio.file.Path;

/**
 * One data-plane address.
 *
 * @param tls null for plain HTTP
 */
public record ListenerConfig(String host, int port, Tls tls) {

    /** PEM files; the first certificate is the default, others are picked by SNI. */
    public record Tls(Path cert, Path key) {}

    @Override
    public String toString() {
        return (tls == null ? "http://" : "https://") + (host.contains(":") ? "[" + host + "]" : host) + ":" + port;
    }
}
