package portico.upstream;

import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import java.util.Map;
import portico.config.FallbackConfig;
import portico.http.HopByHop;

/** A service's {@code fallback} as a response: its status, body and headers, marked {@code Portico-Fallback: SERVICE}. */
final class FallbackResponse {
    static final String HEADER = "Portico-Fallback";

    private FallbackResponse() {}

    /** @throws IllegalArgumentException for a header Netty refuses (check refuses those first); nothing is left allocated */
    static FullHttpResponse of(String service, FallbackConfig config, String requestId) {
        // The config's bytes, wrapped rather than copied: nothing writes to an answer's body, and
        // a header that throws below leaves no buffer behind.
        FullHttpResponse res = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.valueOf(config.status()),
                Unpooled.wrappedBuffer(config.body()));
        res.headers().set(HttpHeaderNames.CONTENT_TYPE, "application/json");
        for (Map.Entry<String, String> h : config.headers().entrySet()) res.headers().set(h.getKey(), h.getValue());
        HopByHop.strip(res.headers());  // check refuses them; framing is the gateway's either way
        res.headers().set(HttpHeaderNames.CONTENT_LENGTH, config.body().length);
        res.headers().set(HttpHeaderNames.CACHE_CONTROL, "no-store");
        res.headers().set(HEADER, service);
        if (requestId != null) res.headers().set("X-Request-Id", requestId);
        return res;
    }
}
