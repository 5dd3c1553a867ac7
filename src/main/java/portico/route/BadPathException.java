package portico.route;

/**
 * A request path the gateway refuses to route (CONTRACT section 3: 400 malformed). The message is
 * fit for the client and never echoes the offending bytes. Stackless: on the hot path it is flow
 * control, not a bug.
 */
public final class BadPathException extends RuntimeException {
    public BadPathException(String message) {
        super(message, null, false, false);
    }
}
