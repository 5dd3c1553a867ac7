package portico.config;

import java.time.Duration;

/**
 * Upstream timeouts (CONTRACT section 5).
 *
 * @param connect  TCP (and TLS) connect, default 5s: 504 past it
 * @param response from the request being sent until the response head, default 60s: 504 past it
 * @param idle     longest gap with no bytes while a body streams, and how long a pooled
 *                 connection may sit unused, default 60s
 */
public record Timeouts(Duration connect, Duration response, Duration idle) {
    public static final Timeouts DEFAULTS = new Timeouts(Duration.ofSeconds(5), Duration.ofSeconds(60), Duration.ofSeconds(60));
}
