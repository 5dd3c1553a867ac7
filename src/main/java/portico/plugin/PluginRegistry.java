package portico.plugin;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Every plugin, in the order they run (CONTRACT section 5). Adding a plugin is one class plus one
 * line here, at its phase; the constructor check keeps the list in phase order.
 */
public final class PluginRegistry {
    public static final List<PluginFactory<?>> ORDERED = List.of(
            portico.plugin.cors.CorsPlugin.FACTORY,
            portico.plugin.jwt.JwtPlugin.FACTORY,
            portico.plugin.keyauth.KeyAuthPlugin.FACTORY,
            portico.plugin.basicauth.BasicAuthPlugin.FACTORY,
            portico.plugin.iprestriction.IpRestrictionPlugin.FACTORY,
            portico.plugin.acl.AclPlugin.FACTORY,
            portico.plugin.requestsize.RequestSizePlugin.FACTORY,
            portico.plugin.ratelimit.RateLimitPlugin.FACTORY,
            portico.plugin.transform.RequestTransformPlugin.FACTORY,
            portico.plugin.transform.ResponseTransformPlugin.FACTORY);

    private static final Map<String, PluginFactory<?>> BY_NAME = index(ORDERED);

    private PluginRegistry() {}

    public static PluginFactory<?> byName(String name) {
        return BY_NAME.get(name);
    }

    public static java.util.Set<String> names() {
        return BY_NAME.keySet();
    }

    static Map<String, PluginFactory<?>> index(List<PluginFactory<?>> ordered) {
        Map<String, PluginFactory<?>> out = new LinkedHashMap<>();
        Phase previous = Phase.REQUEST_ID;
        for (PluginFactory<?> f : ordered) {
            if (f.phase().compareTo(previous) < 0) {
                throw new IllegalStateException(f.name() + " is listed after a " + previous + " plugin");
            }
            if (out.putIfAbsent(f.name(), f) != null) throw new IllegalStateException("duplicate plugin: " + f.name());
            previous = f.phase();
        }
        return out;
    }
}
