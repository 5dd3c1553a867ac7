package portico.aggregate;

import io.netty.channel.EventLoop;
import io.netty.handler.codec.http.HttpMethod;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import portico.upstream.Service;
import portico.upstream.UpstreamRequest;
import portico.upstream.UpstreamResponse;

/**
 * Part calls through {@link Service#call}: the service's balancer, health, circuit breaker and
 * retries, over the same connection pools as proxied requests. The service's {@code fallback}
 * is not used for a part: the part's own {@code default} is its fallback.
 */
public final class ServicePartCaller implements PartCaller {
    public static final ServicePartCaller INSTANCE = new ServicePartCaller();

    private ServicePartCaller() {}

    @Override
    public CompletionStage<PartResponse> call(Service service, PartRequest request, EventLoop loop) {
        UpstreamRequest up = new UpstreamRequest(HttpMethod.GET, request.pathAndQuery(), request.headers(), null,
                (int) Math.min(Integer.MAX_VALUE - 8, request.maxBytes()), request.timeout(), request.clientIp());
        CompletableFuture<UpstreamResponse> call = service.call(loop, up).toCompletableFuture();
        CompletableFuture<PartResponse> part = call.thenApply(res -> new PartResponse(res.status(), res.headers(), res.body()));
        part.whenComplete((res, err) -> {
            if (part.isCancelled()) call.cancel(false);
        });
        return part;
    }
}
