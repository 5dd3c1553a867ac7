package portico.plugin.requestsize;

import java.util.concurrent.CompletionStage;
import portico.config.ConfigNode;
import portico.http.Exchange;
import portico.plugin.Phase;
import portico.plugin.Plugin;
import portico.plugin.PluginFactory;
import portico.plugin.Verdict;

/**
 * {@code request_size}: a tighter body limit for one route (an upload route may allow more than
 * the login route). It lowers the exchange's limit; the relay enforces it on {@code Content-Length}
 * before anything is sent upstream and again on every streamed chunk, so a chunked body that grows
 * past it is cut with 413 as well. It can only lower {@code limits.max_body_bytes}, never raise it.
 */
public final class RequestSizePlugin implements Plugin {
    public static final PluginFactory<Config> FACTORY =
            PluginFactory.of("request_size", Phase.REQUEST_SIZE, RequestSizePlugin::parse, (c, ctx) -> new RequestSizePlugin(c));

    /** @param maxBody {@code max_body}: required, a size such as {@code 64KB} */
    public record Config(long maxBody) {}

    private final Config config;

    RequestSizePlugin(Config config) {
        this.config = config;
    }

    static Config parse(ConfigNode node) {
        node.object("max_body");
        ConfigNode max = node.get("max_body");
        if (!max.present()) {
            max.error("is required (for example max_body: 1MB)");
            return null;
        }
        long bytes = max.size(-1);
        if (bytes < 0) return null;
        return new Config(bytes);
    }

    @Override
    public CompletionStage<Verdict> onRequest(Exchange ex) {
        ex.maxRequestBody(config.maxBody());
        return Verdict.PROCEED;
    }
}
