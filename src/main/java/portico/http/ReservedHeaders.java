package portico.http;

import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Request headers that frame the message, route it, carry the client's own credentials or say
 * where it came from. A claim must never set one of them upstream, and, since every
 * {@code claims_to_headers} name is also removed from every client request, naming one there
 * would strip it from all traffic: a missing {@code Content-Length} turns a request body into a
 * second request (smuggling), a missing {@code Host} or {@code X-Forwarded-For} misroutes or
 * hides the client. The gateway's own {@code X-Consumer-*} are checked separately.
 */
public final class ReservedHeaders {
    private static final Set<String> NAMES = Set.of(
            // framing and the representation the body is read as (RFC 9112 section 6, RFC 9110 section 8)
            "content-length", "transfer-encoding", "content-encoding", "content-type",
            // hop-by-hop (RFC 9110 section 7.6.1) and expectations
            "connection", "keep-alive", "te", "trailer", "upgrade", "expect",
            // routing, the client's credentials, forwarding and tracing
            "host", "authorization", "cookie", "forwarded", "x-real-ip", "x-request-id", "via");
    private static final List<String> PREFIXES = List.of("x-forwarded-", "proxy-");

    private ReservedHeaders() {}

    /** Whether the name is reserved, in any letter case and with '_' for '-'. */
    public static boolean isReserved(String name) {
        String n = name.toLowerCase(Locale.ROOT).replace('_', '-');
        if (NAMES.contains(n)) return true;
        for (String p : PREFIXES) {
            if (n.startsWith(p)) return true;
        }
        return false;
    }
}
