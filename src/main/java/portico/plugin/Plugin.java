package portico.plugin;

import io.netty.handler.codec.http.HttpResponse;
import java.util.concurrent.CompletionStage;
import portico.http.Exchange;

/**
 * One step of a route's request path. Called on the exchange's event loop; must not block (an
 * asynchronous step returns an incomplete stage; the chain resumes on the loop).
 * {@link #onRequest} sees the request head and may edit {@link Exchange#upstreamHeaders()};
 * it completes with {@link Verdict#PROCEED}, a {@link Verdict.Respond}, or fails with a
 * {@link portico.error.GatewayException}. {@link #onResponse} runs in reverse phase order for
 * every plugin whose onRequest ran, and may edit the response head only.
 */
public interface Plugin {
    CompletionStage<Verdict> onRequest(Exchange ex);

    default void onResponse(Exchange ex, HttpResponse head) {}

    /**
     * Asked once the request plugins have all run and proceeded, for a request with a body:
     * null (the default) lets the body stream; a transform makes the relay collect the body (up
     * to its limit) and send on what it returns.
     */
    default BodyTransform requestBody(Exchange ex) {
        return null;
    }

    /**
     * Asked after {@link #onResponse}, for an upstream or aggregated answer with a body: null (the
     * default) lets the body stream; a transform makes the relay collect it (up to its limit) and
     * send on what it returns. Response transforms apply in the same reverse order as onResponse.
     */
    default BodyTransform responseBody(Exchange ex, HttpResponse head) {
        return null;
    }
}
