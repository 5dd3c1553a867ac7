package portico.plugin.ratelimit;

import io.netty.handler.codec.http.HttpHeaders;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.List;
import portico.http.Exchange;
import portico.http.Identity;

/**
 * One part of the {@code key} setting: what a limit counts requests by. A combination such as
 * {@code [consumer, route]} counts each pair separately.
 */
public sealed interface KeyPart {
    /** Client-sent values longer than this are hashed, so that a 16 KB header is not kept as a key. */
    int LONGEST_KEPT = 96;

    /**
     * The part's value for this exchange, prefixed with what it is ({@code ip=...}). Every part
     * must be unambiguous on its own: ip, consumer, route and service values cannot hold '|'
     * (addresses and names), and a client-sent header value is length-prefixed.
     */
    void append(Exchange ex, StringBuilder key);

    /** {@code ip}: the client address, resolved through trusted_proxies (a spoofed X-Forwarded-For changes nothing). */
    record Ip() implements KeyPart {
        @Override
        public void append(Exchange ex, StringBuilder key) {
            key.append("ip=").append(ex.clientIp());
        }
    }

    /** {@code consumer}: the authenticated consumer; a request without one is counted by its address. */
    record Consumer() implements KeyPart {
        @Override
        public void append(Exchange ex, StringBuilder key) {
            Identity who = ex.identity();
            if (who != null && who.consumer() != null) key.append("consumer=").append(who.consumer());
            else key.append("ip=").append(ex.clientIp());
        }
    }

    /** {@code header:NAME}: a request header's value; a request without it is counted by its address. */
    record Header(String name) implements KeyPart {
        @Override
        public void append(Exchange ex, StringBuilder key) {
            HttpHeaders headers = ex.request().headers();
            String value = headers.get(name);
            if (value == null) {
                key.append("ip=").append(ex.clientIp());
                return;
            }
            // A header name cannot hold '=' or '@', and the length says where the value ends, so
            // no value can spell another part or another combination; '@' marks a hash, which a
            // literal value (always after '=') can therefore never equal.
            if (value.length() <= LONGEST_KEPT) key.append(name).append('=').append(value.length()).append(':').append(value);
            else key.append(name).append("@sha256:").append(sha256(value));
        }
    }

    /** {@code route}: the route's name (one counter for everyone on that route). */
    record Route() implements KeyPart {
        @Override
        public void append(Exchange ex, StringBuilder key) {
            key.append("route=").append(ex.routeName());
        }
    }

    /** {@code service}: the service's name (protects a service from the sum of all its routes). */
    record Service() implements KeyPart {
        @Override
        public void append(Exchange ex, StringBuilder key) {
            key.append("service=").append(ex.serviceName());
        }
    }

    static String of(List<KeyPart> parts, Exchange ex) {
        if (parts.size() == 1 && parts.get(0) instanceof Ip) return "ip=" + ex.clientIp();
        StringBuilder key = new StringBuilder(48);
        for (int i = 0; i < parts.size(); i++) {
            if (i > 0) key.append('|');
            parts.get(i).append(ex, key);
        }
        return key.toString();
    }

    private static String sha256(String value) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(value.getBytes(StandardCharsets.UTF_8));
            return Base64.getUrlEncoder().withoutPadding().encodeToString(digest);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JVM has SHA-256", e);
        }
    }

    /** The setting's spelling of a part, or null. */
    static KeyPart parse(String text) {
        return switch (text) {
            case "ip" -> new Ip();
            case "consumer" -> new Consumer();
            case "route" -> new Route();
            case "service" -> new Service();
            default -> text.startsWith("header:") && text.length() > 7 ? new Header(text.substring(7).trim()) : null;
        };
    }
}
