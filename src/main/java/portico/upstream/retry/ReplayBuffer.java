package portico.upstream.retry;

import io.netty.channel.Channel;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultLastHttpContent;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.LastHttpContent;
import java.util.ArrayList;
import java.util.List;

/**
 * The request body as it went upstream, kept (as retained duplicates of the same buffers, no copy)
 * so that a retry can send it again. Bounded: past {@code retries.max_body} it lets go of
 * everything and the request can no longer be replayed. The owner must {@link #release()} it.
 * Used on one event loop only.
 */
public final class ReplayBuffer {
    private final long limit;
    private final List<HttpContent> parts = new ArrayList<>(4);
    private long bytes;
    private boolean overflowed;
    private boolean last;

    public ReplayBuffer(long limit) {
        this.limit = limit;
    }

    /** Keeps a duplicate of a part about to be written upstream (the caller still writes, and so releases, the original). */
    public void add(HttpContent c) {
        if (overflowed) return;
        bytes += c.content().readableBytes();
        if (bytes > limit) {
            overflowed = true;
            release();
            return;
        }
        // Only the bytes (and trailers): whatever else the message is, a replay must write a body part.
        if (c instanceof LastHttpContent l) {
            parts.add(new DefaultLastHttpContent(c.content().retainedDuplicate(), l.trailingHeaders().copy()));
            last = true;
        } else {
            parts.add(new DefaultHttpContent(c.content().retainedDuplicate()));
        }
    }

    /** Whether everything added so far is still held. */
    public boolean intact() {
        return !overflowed;
    }

    /** Whether the body's end is held. */
    public boolean hasLast() {
        return last && !overflowed;
    }

    /** Writes the held parts again (not flushed). */
    public void writeTo(Channel ch) {
        for (HttpContent c : parts) ch.write(c.retainedDuplicate());
    }

    public void release() {
        for (HttpContent c : parts) c.release();
        parts.clear();
    }
}
