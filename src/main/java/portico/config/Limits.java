package portico.config;

import java.time.Duration;

/**
 * What one client may cost the gateway.
 *
 * @param maxHeaderBytes   all request header lines together (default 16KB): 431 past it
 * @param maxUriBytes      the request line's target (default 8KB): 414 past it
 * @param maxBodyBytes     a request body (default 10MB): 413 past it, on Content-Length or while streaming
 * @param maxConnections   open client connections (default 10000); more are closed at accept
 * @param headerTimeout    time to receive a whole request head (default 10s): 408 past it
 * @param keepAliveTimeout how long an idle client connection is kept (default 60s)
 */
public record Limits(long maxHeaderBytes, long maxUriBytes, long maxBodyBytes, int maxConnections,
                     Duration headerTimeout, Duration keepAliveTimeout) {

    public static final Limits DEFAULTS = new Limits(16 * 1024, 8 * 1024, 10L * 1024 * 1024, 10_000,
            Duration.ofSeconds(10), Duration.ofSeconds(60));
}
