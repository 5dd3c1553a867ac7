package portico.config;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import portico.plugin.PluginFactory;
import portico.plugin.PluginRegistry;
import portico.plugin.RoutePlugins;

/**
 * Reads a {@code plugins:} map at any scope (global, service, route, consumer) and the
 * credentials a consumer carries for the authentication plugins. Each plugin's factory reads its
 * own settings, so its mistakes carry the same line, column and key path as the rest.
 */
final class PluginSettingsReader {
    /** Every block read, with where it was written, for {@link #crossCheck}. */
    private record Read(PluginFactory<?> factory, Object settings, ConfigNode node) {}

    private final List<Read> reads = new ArrayList<>();

    Map<String, PluginSpec> read(ConfigNode node) {
        return read(node, false);
    }

    /** @param consumerScope under {@code consumers.NAME}: only plugins that run after authentication make sense there */
    Map<String, PluginSpec> read(ConfigNode node, boolean consumerScope) {
        Map<String, PluginSpec> out = new LinkedHashMap<>();
        // Declares every plugin name at this scope (for the schema check), then reads those present.
        node.object(PluginRegistry.names().toArray(String[]::new));
        if (!node.isObject()) return out;
        for (Map.Entry<String, ConfigNode> e : node.entries().entrySet()) {
            PluginFactory<?> factory = PluginRegistry.byName(e.getKey());
            if (factory == null) continue;  // already reported as an unknown key, with a suggestion
            ConfigNode settings = node.get(e.getKey());  // a known key, not a user-chosen name: its own schema path
            if (consumerScope && !factory.phase().afterAuthentication()) {
                settings.error("a consumer's own plugins run after authentication; " + e.getKey() + " runs before it, so it belongs on a route, service or globally");
                continue;
            }
            // A bare `off` is YAML 1.1's false; both spellings mean the same here.
            String scalar = settings.isText() ? settings.text(null) : null;
            if ("off".equals(scalar) || "false".equals(scalar)) {
                out.put(e.getKey(), new PluginSpec(e.getKey(), null, true, settings.mark()));
                continue;
            }
            if (settings.isText() || settings.isList()) {
                settings.error("expected the plugin's settings as a map (or 'off' to disable an inherited one)");
                continue;
            }
            int before = settings.problems().errors().size();
            Object parsed = factory.parse(settings);
            if (parsed != null && settings.problems().errors().size() == before) {
                out.put(e.getKey(), new PluginSpec(e.getKey(), parsed, false, settings.mark()));
                reads.add(new Read(factory, parsed, settings));
            }
        }
        return out;
    }

    /** Lets each plugin block check what it names elsewhere, once the whole config is read. */
    @SuppressWarnings({"unchecked", "rawtypes"})
    void crossCheck(GatewayConfig config) {
        for (Read r : reads) ((PluginFactory) r.factory()).crossCheck(r.settings(), r.node(), config);
    }

    /** The consumer keys that hold credentials ({@code api_keys}, {@code jwt}, {@code basic_auth}). */
    List<String> credentialKeys() {
        List<String> keys = new ArrayList<>();
        for (PluginFactory<?> f : PluginRegistry.ORDERED) {
            if (f.credentialKey() != null) keys.add(f.credentialKey());
        }
        return keys;
    }

    /** Lets each authentication plugin find clashes between consumers (one API key claimed twice). */
    void checkAcrossConsumers(Map<String, ConsumerConfig> consumers, Problems problems) {
        for (PluginFactory<?> f : PluginRegistry.ORDERED) {
            if (f.credentialKey() == null) continue;
            Map<String, List<Object>> byConsumer = new LinkedHashMap<>();
            consumers.forEach((name, c) -> {
                List<Object> own = c.credentials().get(f.name());
                if (own != null) byConsumer.put(name, own);
            });
            if (!byConsumer.isEmpty()) f.checkCredentials(byConsumer, problems);
        }
    }

    /**
     * Lets each plugin check its settings against the routes each block runs on (see
     * {@link PluginFactory#checkRoutes}): a block runs on the routes that resolve to it, a
     * consumer's block on every route.
     */
    @SuppressWarnings({"unchecked", "rawtypes"})
    void checkRoutes(GatewayConfig config, Problems problems) {
        Map<String, java.util.Set<String>> all = new LinkedHashMap<>();
        for (RouteConfig r : config.routes()) all.put(r.name(), AggregateReader.capturedByEveryPath(r.match()));
        List<PluginSpec> blocks = new ArrayList<>(config.plugins().values());
        config.services().values().forEach(s -> blocks.addAll(s.plugins().values()));
        config.routes().forEach(r -> blocks.addAll(r.plugins().values()));
        List<PluginSpec> consumerBlocks = new ArrayList<>();
        config.consumers().values().forEach(c -> consumerBlocks.addAll(c.plugins().values()));
        for (PluginSpec spec : blocks) {
            if (spec.off()) continue;
            Map<String, java.util.Set<String>> runsOn = new LinkedHashMap<>();
            for (RouteConfig r : config.routes()) {
                ServiceConfig service = r.service() == null ? null : config.services().get(r.service());
                RoutePlugins.Scoped resolved = RoutePlugins.resolve(spec.name(), r, service, config);
                if (resolved != null && resolved.spec() == spec) runsOn.put(r.name(), all.get(r.name()));
            }
            if (!runsOn.isEmpty()) ((PluginFactory) PluginRegistry.byName(spec.name())).checkRoutes(spec.settings(), runsOn, problems);
        }
        for (PluginSpec spec : consumerBlocks) {
            if (!spec.off()) ((PluginFactory) PluginRegistry.byName(spec.name())).checkRoutes(spec.settings(), all, problems);
        }
    }

    /** Per plugin name, the consumer's parsed credentials of that plugin's kind. */
    Map<String, List<Object>> credentials(ConfigNode consumer) {
        Map<String, List<Object>> out = new LinkedHashMap<>();
        for (PluginFactory<?> f : PluginRegistry.ORDERED) {
            if (f.credentialKey() == null) continue;
            ConfigNode node = consumer.get(f.credentialKey());
            if (!node.present()) continue;
            List<Object> parsed = f.parseCredentials(node);
            if (!parsed.isEmpty()) out.put(f.name(), List.copyOf(parsed));
        }
        return out;
    }
}
