package portico.error;

import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpHeaders;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/** An expected, classified failure; stackless because on the hot path it is flow control. */
public final class GatewayException extends RuntimeException {
    private final ErrorKind kind;
    private final HttpHeaders headers = new DefaultHttpHeaders();

    public GatewayException(ErrorKind kind, String detail) {
        super(detail, null, false, false);
        this.kind = kind;
    }

    public ErrorKind kind() {
        return kind;
    }

    /** Headers the answer must carry, such as {@code WWW-Authenticate}, {@code Retry-After} or {@code Allow}. */
    public HttpHeaders headers() {
        return headers;
    }

    public GatewayException header(CharSequence name, Object value) {
        headers.set(name, value);
        return this;
    }

    public static <T> CompletionStage<T> failed(ErrorKind kind, String detail) {
        return CompletableFuture.failedStage(new GatewayException(kind, detail));
    }
}
