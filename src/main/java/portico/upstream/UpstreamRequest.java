package portico.upstream;

import io.netty.handler.codec.http.EmptyHttpHeaders;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import java.time.Duration;
import java.util.Objects;

/**
 * A buffered request for {@link Service#call}.
 *
 * @param method           the method
 * @param pathAndQuery     the path and query, already encoded, starting with '/'; the target's base
 *                         path is put in front
 * @param headers          sent as given (hop-by-hop headers are dropped; {@code Host} and
 *                         {@code Content-Length} are set per target); not modified
 * @param body             the body, empty for none; sent again as is on a retry
 * @param maxResponseBytes a larger response body fails the call with 502
 * @param timeout          the whole call's deadline, retries and backoff included (504 past it);
 *                         null for none beyond the service's own timeouts
 * @param clientIp         the client's address, for {@code balance: hash(ip)}; may be null
 */
public record UpstreamRequest(HttpMethod method, String pathAndQuery, HttpHeaders headers, byte[] body,
                              int maxResponseBytes, Duration timeout, String clientIp) {
    public static final int DEFAULT_MAX_RESPONSE_BYTES = 1024 * 1024;

    public UpstreamRequest {
        Objects.requireNonNull(method, "method");
        if (pathAndQuery == null || !pathAndQuery.startsWith("/")) {
            throw new IllegalArgumentException("pathAndQuery must start with '/': " + pathAndQuery);
        }
        if (headers == null) headers = EmptyHttpHeaders.INSTANCE;
        if (body == null) body = new byte[0];
        if (maxResponseBytes < 0) throw new IllegalArgumentException("maxResponseBytes must be at least 0");
    }

    /** A GET with no headers, a 1 MB response limit and no deadline of its own. */
    public static UpstreamRequest get(String pathAndQuery) {
        return new UpstreamRequest(HttpMethod.GET, pathAndQuery, null, null, DEFAULT_MAX_RESPONSE_BYTES, null, null);
    }

    public UpstreamRequest withTimeout(Duration timeout) {
        return new UpstreamRequest(method, pathAndQuery, headers, body, maxResponseBytes, timeout, clientIp);
    }
}
