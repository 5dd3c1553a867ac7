package portico.plugin.keyauth;

import io.netty.handler.codec.http.HttpHeaderNames;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import portico.config.ConfigNode;
import portico.config.ConsumerConfig;
import portico.config.Mark;
import portico.config.Problems;
import portico.error.ErrorKind;
import portico.error.GatewayException;
import portico.http.Exchange;
import portico.http.Identity;
import portico.http.QueryParams;
import portico.plugin.AuthenticationPlugin;
import portico.plugin.CrossChecks;
import portico.plugin.Phase;
import portico.plugin.Plugin;
import portico.plugin.PluginContext;
import portico.plugin.PluginFactory;

/**
 * {@code key_auth}: a consumer is found by one of its {@code consumers.NAME.api_keys}, sent in a
 * header (default {@code X-API-Key}) or, when {@code query} names one, a query parameter. Keys
 * are held only as SHA-256 digests and compared in constant time; the key is removed from the
 * request before it is forwarded, so a service never learns it.
 */
public final class KeyAuthPlugin implements AuthenticationPlugin {
    public static final PluginFactory<Config> FACTORY = new Factory();

    /**
     * @param header    {@code header}: where the key is sent; default {@code X-API-Key}
     * @param query     {@code query}: a query parameter that may carry the key instead; default none
     * @param anonymous {@code anonymous}: the consumer for requests without a valid key; default none (401)
     */
    public record Config(String header, String query, String anonymous) {}

    /** One configured key, as its digest; where it was written, for messages. */
    public record ApiKey(byte[] digest, Mark mark, String path) {
        @Override
        public String toString() {
            return "ApiKey[" + path + "]";  // never the digest: it identifies the key
        }
    }

    private record Holder(byte[] digest, String consumer, List<String> groups) {}

    private final Config config;
    private final Map<ByteBuffer, Holder> byDigest;

    KeyAuthPlugin(Config config, Map<String, ConsumerConfig> consumers) {
        this.config = config;
        Map<ByteBuffer, Holder> keys = new HashMap<>();
        for (ConsumerConfig c : consumers.values()) {
            for (Object o : c.credentials().getOrDefault(FACTORY.name(), List.of())) {
                ApiKey k = (ApiKey) o;
                keys.putIfAbsent(ByteBuffer.wrap(k.digest()), new Holder(k.digest(), c.name(), c.groups()));
            }
        }
        this.byDigest = Map.copyOf(keys);
    }

    static byte[] sha256(String key) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(key.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }

    @Override
    public CompletionStage<Identity> authenticate(Exchange ex) {
        List<String> offered = new ArrayList<>(ex.request().headers().getAll(config.header()));
        if (config.query() != null) offered.addAll(QueryParams.all(ex.rawQuery(), config.query()));
        // The gateway consumed the key: the service behind it must never see it.
        ex.upstreamHeaders().remove(config.header());
        if (config.query() != null) ex.upstreamTarget(QueryParams.without(ex.upstreamTarget(), config.query()));
        if (offered.isEmpty()) return CompletableFuture.completedStage(Identity.NONE);
        // Which of two keys counts is a choice another parser may make differently: none does.
        if (offered.size() > 1) return refuse("more than one API key was sent");
        String key = offered.get(0);
        byte[] digest = sha256(key.trim());
        // The table is keyed by digests, which a client cannot steer; isEqual confirms in constant time.
        Holder h = byDigest.get(ByteBuffer.wrap(digest));
        if (h == null || !MessageDigest.isEqual(h.digest(), digest)) return refuse("the API key is not valid");
        return CompletableFuture.completedStage(new Identity(h.consumer(), null, h.groups(), Map.of()));
    }

    private CompletionStage<Identity> refuse(String why) {
        return CompletableFuture.failedStage(new GatewayException(ErrorKind.UNAUTHENTICATED, why)
                .header(HttpHeaderNames.WWW_AUTHENTICATE, challenge()));
    }

    @Override
    public String challenge() {
        return "ApiKey realm=\"portico\", header=\"" + config.header() + "\"";
    }

    @Override
    public String anonymous() {
        return config.anonymous();
    }


    private static final class Factory implements PluginFactory<Config> {
        @Override
        public String name() {
            return "key_auth";
        }

        @Override
        public Phase phase() {
            return Phase.AUTHENTICATE;
        }

        @Override
        public Config parse(ConfigNode node) {
            node.object("header", "query", "anonymous");
            String header = node.get("header").text("X-API-Key");
            if (header.isBlank()) {
                node.get("header").error("must not be empty");
                return null;
            }
            String query = node.get("query").text(null);
            if (query != null && query.isBlank()) {
                node.get("query").error("must not be empty");
                return null;
            }
            return new Config(header, query, node.get("anonymous").text(null));
        }

        @Override
        public Plugin create(Config settings, PluginContext ctx) {
            return new KeyAuthPlugin(settings, ctx.consumers());
        }

        @Override
        public void crossCheck(Config settings, ConfigNode node, portico.config.GatewayConfig config) {
            if (!CrossChecks.anyCredential(name(), config)) {
                node.error("no consumer has api_keys, so no key can authenticate a request (consumers: {NAME: {api_keys: [...]}})");
            }
            CrossChecks.anonymous(node.get("anonymous"), config);
        }

        @Override
        public String credentialKey() {
            return "api_keys";
        }

        @Override
        public List<Object> parseCredentials(ConfigNode node) {
            List<Object> out = new ArrayList<>();
            for (ConfigNode item : node.items()) {
                String key = item.requiredText();
                if (key == null) continue;
                if (key.trim().length() < 16) item.warning("an API key shorter than 16 characters can be guessed");
                out.add(new ApiKey(sha256(key.trim()), item.mark(), item.path()));
            }
            return out;
        }

        @Override
        public void checkCredentials(Map<String, List<Object>> byConsumer, Problems problems) {
            Map<ByteBuffer, String> owner = new HashMap<>();
            byConsumer.forEach((consumer, keys) -> {
                for (Object o : keys) {
                    ApiKey k = (ApiKey) o;
                    String first = owner.putIfAbsent(ByteBuffer.wrap(k.digest()), consumer);
                    if (first != null) {
                        problems.error(k.mark(), k.path(), first.equals(consumer)
                                ? "this API key is listed twice"
                                : "this API key is already consumer '" + first + "''s: a key must name one consumer");
                    }
                }
            });
        }

        @Override
        public String toString() {
            return name();
        }
    }
}
