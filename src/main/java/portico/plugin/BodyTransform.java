package portico.plugin;

/**
 * A plugin's edit of a whole message body. Bodies stream unless a plugin asks for one of these
 * (see {@link Plugin#requestBody} and {@link Plugin#responseBody}); only then does the relay
 * collect the body, and never more than {@link #maxBytes()} of it. A body that turns out larger
 * is passed on untransformed, the part already read first, with one warning in the log.
 */
public interface BodyTransform {
    /** How much body the relay may hold for this transform (the plugin's {@code max_body}). */
    long maxBytes();

    /**
     * Called once, on the exchange's event loop, with the whole body as it came (still in its
     * {@code Content-Encoding}). Must not block. Returns the body to send on, which may be the
     * argument itself; the relay sets {@code Content-Length} from it. A runtime exception leaves
     * the body as it was.
     */
    byte[] apply(byte[] body);
}
