package portico.plugin;

import java.util.function.BiFunction;
import java.util.function.Function;
import portico.config.ConfigNode;

/**
 * Names a plugin, places it in a phase, reads its settings (reporting mistakes on the node, with
 * line and column, and returning null), and creates instances. One per plugin, listed in
 * {@link PluginRegistry#ORDERED}.
 */
public interface PluginFactory<C> {
    String name();

    Phase phase();

    /** @return the settings, or null when they were invalid (the problems are on the node) */
    C parse(ConfigNode settings);

    Plugin create(C settings, PluginContext ctx);

    /**
     * The key under {@code consumers.NAME} that holds this plugin's credentials ({@code api_keys},
     * {@code jwt}, {@code basic_auth}), or null for a plugin that has none.
     */
    default String credentialKey() {
        return null;
    }

    /**
     * Reads one consumer's credentials from the node under {@link #credentialKey()}: a single one or
     * a list. Mistakes are reported on the node; the plugin finds the parsed objects again in
     * {@link portico.config.ConsumerConfig#credentials()} under its name.
     */
    default java.util.List<Object> parseCredentials(ConfigNode node) {
        return java.util.List.of();
    }

    /**
     * Checks credentials across consumers once all are read (an API key or a user name that two
     * consumers claim), reporting each clash on the problems with the later credential's place.
     *
     * @param byConsumer consumer name to its parsed credentials of this plugin's kind, in file order
     */
    default void checkCredentials(java.util.Map<String, java.util.List<Object>> byConsumer, portico.config.Problems problems) {}

    /**
     * Upstream header names this plugin sets from an identity ({@code claims_to_headers}): every
     * request has client-sent copies of them removed first, on every route (CONTRACT section 5).
     */
    default java.util.Set<String> identityHeaders(C settings) {
        return java.util.Set.of();
    }

    /**
     * Checks the settings against the routes they run on, once the whole config is read (a
     * template naming a route capture that one of them lacks), reporting each mistake on the
     * problems at the place it was written.
     *
     * @param captures the routes this block runs on, by name, each with the captures every one of
     *                 its paths has; for a consumer's block, every route
     */
    default void checkRoutes(C settings, java.util.Map<String, java.util.Set<String>> captures, portico.config.Problems problems) {}

    /**
     * Checks the settings against the rest of the config, once all of it is read without errors:
     * the consumers or groups they name, the routes they run on. Reports on {@code node}, where
     * the settings were written: a warning for what is probably a mistake, an error for what can
     * never work. Helpers for the common checks are in {@link CrossChecks}.
     */
    default void crossCheck(C settings, ConfigNode node, portico.config.GatewayConfig config) {}

    static <C> PluginFactory<C> of(String name, Phase phase, Function<ConfigNode, C> parse,
                                   BiFunction<C, PluginContext, Plugin> create) {
        return new PluginFactory<>() {
            @Override
            public String name() {
                return name;
            }

            @Override
            public Phase phase() {
                return phase;
            }

            @Override
            public C parse(ConfigNode settings) {
                return parse.apply(settings);
            }

            @Override
            public Plugin create(C settings, PluginContext ctx) {
                return create.apply(settings, ctx);
            }

            @Override
            public String toString() {
                return name;
            }
        };
    }
}
