package portico.plugin.transform;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpResponse;
import java.util.concurrent.CompletionStage;
import portico.http.ContentCoding;
import portico.http.Exchange;
import portico.plugin.BodyTransform;
import portico.plugin.Plugin;
import portico.plugin.PluginFactory;
import portico.plugin.Verdict;
import portico.template.ExchangeValues;

/**
 * {@code response_transform}: edits what the client gets, the first step after the upstream
 * answers (CONTRACT section 5). Header operations apply to every answer, the gateway's own
 * errors included (so a {@code Deprecation} header is never missing); body operations apply to
 * 2xx JSON answers only, so a service's error document reaches the client as the service wrote it.
 * A compressed body is decoded, transformed and encoded again in the same {@code Content-Encoding}.
 */
public final class ResponseTransformPlugin implements Plugin {
    public static final PluginFactory<TransformSettings> FACTORY = new TransformFactory("response_transform", false, ResponseTransformPlugin::new);

    private final TransformSettings settings;

    ResponseTransformPlugin(TransformSettings settings) {
        this.settings = settings;
    }

    @Override
    public CompletionStage<Verdict> onRequest(Exchange ex) {
        return Verdict.PROCEED;
    }

    @Override
    public void onResponse(Exchange ex, HttpResponse head) {
        if (!settings.headers().isEmpty()) settings.headers().apply(head.headers(), new ExchangeValues(ex));
    }

    @Override
    public BodyTransform responseBody(Exchange ex, HttpResponse head) {
        int status = head.status().code();
        if (!settings.hasBodyOps() || status < 200 || status > 299) return null;
        if (!JsonBodyTransform.isJson(head.headers().get(HttpHeaderNames.CONTENT_TYPE))) return null;
        String encoding = head.headers().get(HttpHeaderNames.CONTENT_ENCODING);
        String what = "the response to " + ex.request().method() + " " + ex.path();
        return new JsonBodyTransform(settings, "response_transform", false, ContentCoding.of(encoding), encoding, new ExchangeValues(ex), what);
    }

    @Override
    public String toString() {
        return "response_transform";
    }
}
