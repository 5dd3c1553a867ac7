package portico.http;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.util.AsciiString;
import java.util.ArrayList;
import java.util.List;

/**
 * Headers that describe one connection, not the message, and so never cross the gateway
 * (RFC 9110 section 7.6.1), including every name the {@code Connection} header lists.
 */
public final class HopByHop {
    private static final AsciiString[] FIXED = {
            HttpHeaderNames.CONNECTION, AsciiString.cached("keep-alive"), AsciiString.cached("proxy-connection"),
            HttpHeaderNames.PROXY_AUTHENTICATE, HttpHeaderNames.PROXY_AUTHORIZATION, HttpHeaderNames.TE,
            HttpHeaderNames.TRAILER, HttpHeaderNames.TRANSFER_ENCODING, HttpHeaderNames.UPGRADE};

    private HopByHop() {}

    /** Removes hop-by-hop headers in place. Framing is the caller's job: it re-adds chunked if needed. */
    public static void strip(HttpHeaders headers) {
        List<String> listed = null;
        for (String value : headers.getAll(HttpHeaderNames.CONNECTION)) {
            for (String name : value.split(",")) {
                String n = name.trim();
                if (!n.isEmpty()) {
                    if (listed == null) listed = new ArrayList<>(2);
                    listed.add(n);
                }
            }
        }
        for (AsciiString name : FIXED) headers.remove(name);
        if (listed != null) {
            for (String n : listed) headers.remove(n);
        }
    }
}
