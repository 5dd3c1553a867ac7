package portico.plugin.transform;

import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import portico.config.ConfigNode;
import portico.config.Problems;
import portico.plugin.Phase;
import portico.plugin.Plugin;
import portico.plugin.PluginContext;
import portico.plugin.PluginFactory;

/** The factory of both transform plugins: their settings name route captures, which are checked per route. */
final class TransformFactory implements PluginFactory<TransformSettings> {
    private final String name;
    private final boolean request;
    private final Function<TransformSettings, Plugin> create;

    TransformFactory(String name, boolean request, Function<TransformSettings, Plugin> create) {
        this.name = name;
        this.request = request;
        this.create = create;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public Phase phase() {
        return Phase.TRANSFORM;
    }

    @Override
    public TransformSettings parse(ConfigNode settings) {
        return TransformSettings.parse(settings, request);
    }

    @Override
    public Plugin create(TransformSettings settings, PluginContext ctx) {
        return create.apply(settings);
    }

    @Override
    public void checkRoutes(TransformSettings settings, Map<String, Set<String>> captures, Problems problems) {
        settings.checkCaptures(captures, problems);
    }

    @Override
    public String toString() {
        return name;
    }
}
