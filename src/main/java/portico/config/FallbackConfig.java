package portico.config;

import java.util.Map;

/**
 * {@code fallback}: what a plain route answers instead of 503 while the service's circuit is open or
 * it has no healthy target. The answer carries {@code Portico-Fallback: SERVICE}.
 *
 * @param status  default 200
 * @param body    the bytes sent: a YAML map or list as JSON, a string as written; empty when not given
 * @param headers extra response headers; {@code Content-Type} defaults to application/json
 */
public record FallbackConfig(int status, byte[] body, Map<String, String> headers) {
    public FallbackConfig {
        headers = Map.copyOf(headers);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof FallbackConfig f && f.status == status && java.util.Arrays.equals(f.body, body)
                && f.headers.equals(headers);
    }

    @Override
    public int hashCode() {
        return 31 * (31 * status + java.util.Arrays.hashCode(body)) + headers.hashCode();
    }

    @Override
    public String toString() {
        return "FallbackConfig[status=" + status + ", body=" + new String(body, java.nio.charset.StandardCharsets.UTF_8)
                + ", headers=" + headers + "]";
    }
}
