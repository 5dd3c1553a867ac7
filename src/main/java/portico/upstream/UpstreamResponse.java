package portico.upstream;

import io.netty.handler.codec.http.HttpHeaders;
import java.nio.charset.StandardCharsets;

/**
 * A whole upstream response from {@link Service#call}.
 *
 * @param headers as received, less hop-by-hop headers
 * @param target  the host:port that answered
 */
public record UpstreamResponse(int status, HttpHeaders headers, byte[] body, String target) {

    public String bodyText() {
        return new String(body, StandardCharsets.UTF_8);
    }
}
