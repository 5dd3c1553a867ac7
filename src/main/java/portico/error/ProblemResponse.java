package portico.error;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufOutputStream;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import java.io.IOException;
import java.io.UncheckedIOException;

/** Renders a {@link GatewayException} as RFC 9457 problem+json, the one shape of every gateway error. */
public final class ProblemResponse {
    public static final String CONTENT_TYPE = "application/problem+json";
    private static final JsonFactory JSON = new JsonFactory();

    private ProblemResponse() {}

    public static FullHttpResponse of(ByteBufAllocator alloc, GatewayException e, String requestId) {
        ErrorKind kind = e.kind();
        ByteBuf body = alloc.buffer(256);
        try (JsonGenerator g = JSON.createGenerator((java.io.OutputStream) new ByteBufOutputStream(body))) {
            g.writeStartObject();
            g.writeStringField("type", kind.type());
            g.writeStringField("title", kind.title);
            g.writeNumberField("status", kind.status);
            g.writeStringField("detail", e.getMessage() == null ? kind.title : e.getMessage());
            if (requestId != null) g.writeStringField("request_id", requestId);
            g.writeEndObject();
        } catch (IOException ex) {
            body.release();
            throw new UncheckedIOException(ex);
        }
        FullHttpResponse res = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.valueOf(kind.status), body);
        res.headers().add(e.headers());
        res.headers().set(HttpHeaderNames.CONTENT_TYPE, CONTENT_TYPE);
        res.headers().set(HttpHeaderNames.CONTENT_LENGTH, body.readableBytes());
        res.headers().set(HttpHeaderNames.CACHE_CONTROL, "no-store");
        if (requestId != null) res.headers().set("X-Request-Id", requestId);
        return res;
    }
}
