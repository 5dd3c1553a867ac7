package portico.server;

import io.netty.handler.codec.DecoderResult;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;
import java.util.List;
import portico.error.ErrorKind;
import portico.error.GatewayException;

/**
 * Refuses request heads whose framing two parsers could read differently (request smuggling),
 * and maps the decoder's own refusals to their statuses. Netty's decoder, configured strictly
 * (RFC 9112 transfer-coding rules, strict line parsing), already rejects most shapes; the rest
 * are checked here so that each one gets 400 and the connection is closed.
 */
final class FramingGuard {
    private FramingGuard() {}

    /** @return the refusal, or null when the head is acceptable */
    static GatewayException check(HttpRequest req) {
        DecoderResult result = req.decoderResult();
        if (result.isFailure()) return fromDecoderFailure(result.cause());
        HttpHeaders h = req.headers();
        List<String> te = h.getAll(HttpHeaderNames.TRANSFER_ENCODING);
        List<String> cl = h.getAll(HttpHeaderNames.CONTENT_LENGTH);
        if (!te.isEmpty()) {
            if (!cl.isEmpty()) return malformed("both Content-Length and Transfer-Encoding");
            if (te.size() != 1 || !te.get(0).trim().equalsIgnoreCase("chunked")) {
                // Only a lone final "chunked" has one meaning for every parser (RFC 9112 section 6.1).
                return malformed("unsupported Transfer-Encoding '" + String.join(", ", te) + "'");
            }
            if (req.protocolVersion().minorVersion() == 0) return malformed("Transfer-Encoding in an HTTP/1.0 request");
        }
        if (cl.size() > 1) return malformed("more than one Content-Length");
        if (cl.size() == 1) {
            String v = cl.get(0).trim();
            if (v.isEmpty() || v.length() > 18 || !v.chars().allMatch(c -> c >= '0' && c <= '9')) {
                return malformed("invalid Content-Length '" + v + "'");
            }
        }
        List<String> hosts = h.getAll(HttpHeaderNames.HOST);
        if (hosts.size() > 1) return malformed("more than one Host header");
        if (hosts.isEmpty() && req.protocolVersion().minorVersion() >= 1) return malformed("missing Host header");
        return null;
    }

    static GatewayException fromDecoderFailure(Throwable cause) {
        if (cause instanceof TooLongHttpLineException) {
            return new GatewayException(ErrorKind.URI_TOO_LONG, "the request line is longer than limits.max_uri_bytes");
        }
        if (cause instanceof TooLongHttpHeaderException) {
            return new GatewayException(ErrorKind.HEADERS_TOO_LARGE, "the request headers are larger than limits.max_header_bytes");
        }
        if (cause instanceof TooLongFrameException) {
            return new GatewayException(ErrorKind.HEADERS_TOO_LARGE, cause.getMessage());
        }
        String why = cause.getMessage() == null ? cause.getClass().getSimpleName() : cause.getMessage();
        return malformed("unparseable request: " + why);
    }

    private static GatewayException malformed(String detail) {
        return new GatewayException(ErrorKind.MALFORMED, detail);
    }
}
