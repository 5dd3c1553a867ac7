package portico.plugin;

/**
 * A plugin's edit of a whole message body. Bodies stream unless a plugin asks for one of these
 * (see {@link Plugin#requestBody} and {@link Plugin#responseBody}); only then does the relay
 * collect the body, and never more than {@link #maxBytes()} of it. A body that turns out larger
 * is passed on untransformed, the part already read first, with one warning in the log, unless
 * the transform {@linkplain #failsClosed() fails closed}: then the message is refused.
 */
public interface BodyTransform {
    /** How much body the relay may hold for this transform (the plugin's {@code max_body}). */
    long maxBytes();

    /**
     * Called once, on the exchange's event loop, with the whole body as it came (still in its
     * {@code Content-Encoding}). Must not block. Returns the body to send on, which may be the
     * argument itself; the relay sets {@code Content-Length} from it.
     *
     * @throws portico.error.GatewayException to refuse the message: the relay answers with it, before
     *         anything of a request went upstream or anything of a response reached the client. Any
     *         other runtime exception is a bug and refuses the message as an internal error: a body a
     *         transform failed on is never sent.
     */
    byte[] apply(byte[] body);

    /**
     * Whether a body this transform cannot be applied to (larger than {@link #maxBytes()}, or one
     * {@link #apply} refuses) must be refused rather than passed on untransformed.
     */
    default boolean failsClosed() {
        return false;
    }
}
