package portico.aggregate;

import io.netty.channel.EventLoop;
import java.util.concurrent.CompletionStage;
import portico.upstream.Service;

/**
 * Makes one buffered GET to a service for an aggregate part. The seam between aggregation and
 * the upstream client: every part goes through it, so balancing, breakers and retries apply to
 * parts wherever the service applies them.
 */
public interface PartCaller {
    /**
     * Called on {@code loop}, the exchange's event loop; the stage completes on it too, with the
     * answer (any status) or a {@link portico.error.GatewayException}: UPSTREAM_TIMEOUT past the
     * request's timeout, BAD_UPSTREAM for a refused or broken connection or an answer larger
     * than the request's limit. Cancelling the stage gives the call up and closes its connection.
     */
    CompletionStage<PartResponse> call(Service service, PartRequest request, EventLoop loop);
}
