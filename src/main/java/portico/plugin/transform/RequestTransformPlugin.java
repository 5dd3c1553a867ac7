package portico.plugin.transform;

import io.netty.handler.codec.http.HttpHeaderNames;
import java.util.concurrent.CompletionStage;
import portico.error.ErrorKind;
import portico.error.GatewayException;
import portico.http.ContentCoding;
import portico.http.Exchange;
import portico.plugin.BodyTransform;
import portico.plugin.Plugin;
import portico.plugin.PluginFactory;
import portico.plugin.Verdict;
import portico.template.ExchangeValues;
import portico.template.Template;

/**
 * {@code request_transform}: edits what goes upstream, the last step before the call (CONTRACT
 * section 5). Headers and query parameters are edited on the exchange, the path is rewritten from
 * a template; body operations ask the relay for the whole body, and only for a JSON body.
 */
public final class RequestTransformPlugin implements Plugin {
    public static final PluginFactory<TransformSettings> FACTORY = new TransformFactory("request_transform", true, RequestTransformPlugin::new);

    private final TransformSettings settings;

    RequestTransformPlugin(TransformSettings settings) {
        this.settings = settings;
    }

    @Override
    public CompletionStage<Verdict> onRequest(Exchange ex) {
        Template.Values values = new ExchangeValues(ex);
        if (!settings.query().isEmpty() || settings.path() != null) {
            String target = ex.upstreamTarget();
            int q = target.indexOf('?');
            String path = q < 0 ? target : target.substring(0, q);
            String query = q < 0 ? null : target.substring(q + 1);
            if (settings.path() != null) {
                try {
                    path = settings.path().fill(values, Template.Position.PATH);
                } catch (Template.Unfilled e) {
                    // Never the client's own path instead: that would reach what the rewrite was to hide.
                    return GatewayException.failed(ErrorKind.MALFORMED, "request_transform.path '" + settings.path()
                            + "' cannot be filled: " + e.getMessage());
                }
            }
            if (!settings.query().isEmpty()) query = settings.query().apply(query, values);
            ex.upstreamTarget(query == null ? path : path + "?" + query);
        }
        settings.headers().apply(ex.upstreamHeaders(), values);
        return Verdict.PROCEED;
    }

    @Override
    public BodyTransform requestBody(Exchange ex) {
        if (!settings.hasBodyOps() || !JsonBodyTransform.isJson(ex.upstreamHeaders().get(HttpHeaderNames.CONTENT_TYPE))) return null;
        String encoding = ex.upstreamHeaders().get(HttpHeaderNames.CONTENT_ENCODING);
        String what = "the request body of " + ex.request().method() + " " + ex.path();
        return new JsonBodyTransform(settings, "request_transform", true, ContentCoding.of(encoding), encoding, new ExchangeValues(ex), what);
    }

    @Override
    public String toString() {
        return "request_transform";
    }
}
