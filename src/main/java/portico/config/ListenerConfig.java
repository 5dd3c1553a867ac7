package portico.config;

import java.nio.file.Path;
import java.util.List;

/**
 * One data-plane address.
 *
 * @param tls null for plain HTTP
 */
public record ListenerConfig(String host, int port, Tls tls) {

    /** PEM files; the first certificate is the default, others are for SNI. */
    public record Tls(List<Certificate> certificates) {
        public Tls {
            certificates = List.copyOf(certificates);
            if (certificates.isEmpty()) throw new IllegalArgumentException("a TLS listener needs a certificate");
        }

        /** The default certificate chain. */
        public Path cert() {
            return certificates.get(0).cert();
        }

        /** The default certificate's private key. */
        public Path key() {
            return certificates.get(0).key();
        }
    }

    /** A certificate chain and its private key, both PEM files. */
    public record Certificate(Path cert, Path key) {}

    @Override
    public String toString() {
        return (tls == null ? "http://" : "https://") + (host.contains(":") ? "[" + host + "]" : host) + ":" + port;
    }
}
