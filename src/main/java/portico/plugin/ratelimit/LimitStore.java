package portico.plugin.ratelimit;

import io.netty.channel.EventLoop;
import java.util.concurrent.CompletionStage;

/** Where a block's counters live: this node's memory, or Redis shared by every node. */
interface LimitStore {
    /**
     * Takes one permit per limit for the keys (one key per limit), all or none. Completes on
     * {@code loop}; the local store completes at once. Fails with {@link StoreUnavailable} when the
     * store cannot answer in time.
     */
    CompletionStage<Outcome> take(String[] keys, EventLoop loop);

    /** Gives back the permit an allowed request took ({@code count: failures} on a success). Never blocks. */
    void refund(String[] keys, Outcome taken, EventLoop loop);
}
