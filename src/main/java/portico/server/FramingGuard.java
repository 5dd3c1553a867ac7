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
 * are checked here (and by portico.http.ServerCodec, for what only the raw bytes show: obs-fold and
 * a sloppy request line) so that each one gets 400 and the connection is closed.
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
            if (te.size() != 1 || !isLoneChunked(te.get(0))) {
                // Only a lone final "chunked" has one meaning for every parser (RFC 9112 section 6.1):
                // the gateway decodes no other coding, and a list lets two parsers pick differently.
                return malformed("unsupported Transfer-Encoding '" + String.join(", ", te) + "'");
            }
            if (req.protocolVersion().minorVersion() == 0) return malformed("Transfer-Encoding in an HTTP/1.0 request");
        }
        if (cl.size() > 1) return malformed("more than one Content-Length");
        if (cl.size() == 1) {
            String v = withoutOws(cl.get(0));
            if (v.isEmpty() || v.length() > 18 || !v.chars().allMatch(c -> c >= '0' && c <= '9')) {
                return malformed("invalid Content-Length '" + v + "'");
            }
        }
        // Which credential counts would be one parser's choice against another's: the gateway
        // checked the first while the service read the second (RFC 9110 section 11.6.2: one value).
        if (h.getAll(HttpHeaderNames.AUTHORIZATION).size() > 1) return malformed("more than one Authorization header");
        List<String> hosts = h.getAll(HttpHeaderNames.HOST);
        if (hosts.size() > 1) return malformed("more than one Host header");
        if (hosts.isEmpty() && req.protocolVersion().minorVersion() >= 1) return malformed("missing Host header");
        if (hosts.size() == 1 && !isValidHost(hosts.get(0))) return malformed("invalid Host header '" + hosts.get(0) + "'");
        return null;
    }

    /**
     * RFC 9112 section 3.2 makes an invalid Host a 400, since routing and upstreams read it.
     * Accepted: empty (RFC 9110 section 7.2), or {@code host[:port]} where host is a bracketed IP
     * literal or a reg-name of letters, digits, {@code -._~%!$&'()*+;=}. A comma, legal in a
     * reg-name but in no real host name, is refused: it is what two Host values joined look like.
     */
    static boolean isValidHost(String host) {
        int end = host.length();
        int colon = host.lastIndexOf(':');
        int close = host.lastIndexOf(']');
        if (colon > close) {
            for (int i = colon + 1; i < end; i++) {
                if (host.charAt(i) < '0' || host.charAt(i) > '9') return false;
            }
            end = colon;
        }
        if (host.startsWith("[")) {
            if (close != end - 1) return false;
            for (int i = 1; i < close; i++) {
                char c = host.charAt(i);
                if (!(isAlphaNum(c) || c == ':' || c == '.')) return false;
            }
            return close > 1;
        }
        for (int i = 0; i < end; i++) {
            char c = host.charAt(i);
            if (!(isAlphaNum(c) || "-._~%!$&'()*+;=".indexOf(c) >= 0)) return false;
        }
        return end > 0 || host.isEmpty();
    }

    private static boolean isAlphaNum(char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
    }

    /** "chunked" in any letter case (coding names are case-insensitive), and nothing else. */
    static boolean isLoneChunked(String value) {
        return withoutOws(value).equalsIgnoreCase("chunked");
    }

    /**
     * The value without SP and HTAB around it. Not String.trim(): that also drops a vertical tab or
     * form feed, which another parser may keep as part of the value.
     */
    private static String withoutOws(String value) {
        int from = 0;
        int to = value.length();
        while (from < to && isOws(value.charAt(from))) from++;
        while (to > from && isOws(value.charAt(to - 1))) to--;
        return value.substring(from, to);
    }

    private static boolean isOws(char c) {
        return c == ' ' || c == '\t';
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
