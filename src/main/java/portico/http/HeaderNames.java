package portico.http;

import io.netty.util.AsciiString;

/**
 * Header names the gateway itself reads and writes on every exchange and Netty does not define.
 * As {@link AsciiString} constants their hash is computed once, not per lookup as for a String.
 */
public final class HeaderNames {
    public static final AsciiString X_REQUEST_ID = AsciiString.cached("x-request-id");
    public static final AsciiString X_FORWARDED_FOR = AsciiString.cached("x-forwarded-for");
    public static final AsciiString X_FORWARDED_PROTO = AsciiString.cached("x-forwarded-proto");
    public static final AsciiString X_FORWARDED_HOST = AsciiString.cached("x-forwarded-host");
    public static final AsciiString X_FORWARDED_PREFIX = AsciiString.cached("x-forwarded-prefix");
    public static final AsciiString X_FORWARDED_PORT = AsciiString.cached("x-forwarded-port");
    public static final AsciiString X_REAL_IP = AsciiString.cached("x-real-ip");
    public static final AsciiString FORWARDED = AsciiString.cached("forwarded");

    private HeaderNames() {}
}
