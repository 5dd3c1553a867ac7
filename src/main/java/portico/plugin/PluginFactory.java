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
