package portico.upstream;

import io.netty.handler.codec.http.HttpObject;

/**
 * The exchange currently using a pooled upstream connection. Called on that connection's event
 * loop, which is the client connection's loop too, so no call here needs a lock.
 */
public interface UpstreamListener {
    /** A response head or body part; ownership of the message passes to the listener. */
    void onUpstreamMessage(HttpObject msg);

    void onUpstreamReadComplete();

    void onUpstreamWritabilityChanged(boolean writable);

    /** No bytes either way for the service's idle timeout. */
    void onUpstreamIdle();

    /** The connection closed or failed; cause is null for an orderly close. */
    void onUpstreamClosed(Throwable cause);
}
