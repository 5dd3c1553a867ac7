package portico.plugin;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import portico.config.ConfigNode;
import portico.config.ConsumerConfig;
import portico.config.GatewayConfig;
import portico.config.RouteConfig;
import portico.config.ServiceConfig;
import portico.config.Suggest;

/** What several plugins' {@link PluginFactory#crossCheck} ask of the whole config. */
public final class CrossChecks {
    private CrossChecks() {}

    /**
     * An {@code anonymous} consumer that is not under {@code consumers} works, but gets no groups
     * and no consumer plugins; most often it is a typo.
     */
    public static void anonymous(ConfigNode node, GatewayConfig config) {
        String name = node.text(null);
        if (name == null || config.consumers().containsKey(name)) return;
        node.warning("no consumer is named '" + name + "'" + Suggest.didYouMean(name, config.consumers().keySet())
                + " (anonymous requests then get no groups and no consumer plugins; declare it, even as " + name + ": {})");
    }

    /** Whether any consumer holds a credential of this plugin's kind. */
    public static boolean anyCredential(String plugin, GatewayConfig config) {
        for (ConsumerConfig c : config.consumers().values()) {
            if (!c.credentials().getOrDefault(plugin, List.of()).isEmpty()) return true;
        }
        return false;
    }

    /** Every group some consumer is in. */
    public static Set<String> groups(GatewayConfig config) {
        Set<String> out = new TreeSet<>();
        for (ConsumerConfig c : config.consumers().values()) out.addAll(c.groups());
        return out;
    }

    /** The routes on which exactly this block of settings (not another of the same plugin) runs. */
    public static List<RouteConfig> routesRunning(String plugin, Object settings, GatewayConfig config) {
        List<RouteConfig> out = new ArrayList<>();
        for (RouteConfig r : config.routes()) {
            RoutePlugins.Scoped s = RoutePlugins.resolve(plugin, r, service(r, config), config);
            if (s != null && !s.spec().off() && s.spec().settings() == settings) out.add(r);
        }
        return out;
    }

    /** Whether an authentication plugin runs on the route. */
    public static boolean authenticates(RouteConfig route, GatewayConfig config) {
        for (PluginFactory<?> f : PluginRegistry.ORDERED) {
            if (f.phase() != Phase.AUTHENTICATE) continue;
            RoutePlugins.Scoped s = RoutePlugins.resolve(f.name(), route, service(route, config), config);
            if (s != null && !s.spec().off()) return true;
        }
        return false;
    }

    private static ServiceConfig service(RouteConfig r, GatewayConfig config) {
        return r.service() == null ? null : config.services().get(r.service());
    }
}
