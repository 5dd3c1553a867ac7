package portico.plugin.acl;

import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletionStage;
import portico.config.ConfigNode;
import portico.config.GatewayConfig;
import portico.config.RouteConfig;
import portico.config.Suggest;
import portico.error.ErrorKind;
import portico.error.GatewayException;
import portico.http.Exchange;
import portico.http.Identity;
import portico.plugin.CrossChecks;
import portico.plugin.Phase;
import portico.plugin.Plugin;
import portico.plugin.PluginContext;
import portico.plugin.PluginFactory;
import portico.plugin.Verdict;

/**
 * {@code acl}: lets a request through by the groups of its consumer ({@code consumers.NAME.groups},
 * the anonymous consumer's included). A group in {@code deny} refuses; with {@code allow}, one of
 * the consumer's groups must be in it. Refusals are 403; a request with no consumer has no groups.
 */
public final class AclPlugin implements Plugin {
    public static final PluginFactory<Config> FACTORY = new Factory();

    /**
     * @param allow {@code allow}: groups of which the consumer must be in one; empty for any
     * @param deny  {@code deny}: groups whose members are refused; checked first
     */
    public record Config(Set<String> allow, Set<String> deny) {
        public Config {
            allow = Set.copyOf(allow);
            deny = Set.copyOf(deny);
        }
    }

    private final Config config;

    AclPlugin(Config config) {
        this.config = config;
    }

    static Config parse(ConfigNode node) {
        node.object("allow", "deny");
        Set<String> allow = groups(node.get("allow"));
        Set<String> deny = groups(node.get("deny"));
        if (!node.get("allow").present() && !node.get("deny").present()) {
            node.error("needs allow or deny, a list of consumer groups (for example allow: [admins])");
            return null;
        }
        return new Config(allow, deny);
    }

    private static Set<String> groups(ConfigNode node) {
        Set<String> out = new LinkedHashSet<>();
        // An empty allow list would read as "anyone" to some and "no one" to others: refuse it.
        if (node.isList() && node.items().isEmpty()) node.error("needs at least one group");
        for (ConfigNode item : node.items()) {
            String g = item.requiredText();
            if (g != null) out.add(g);
        }
        return out;
    }

    @Override
    public CompletionStage<Verdict> onRequest(Exchange ex) {
        Identity who = ex.identity();
        List<String> groups = who == null ? List.of() : who.groups();
        for (String g : groups) {
            if (config.deny().contains(g)) return refuse(who, "is in the denied group '" + g + "'");
        }
        if (config.allow().isEmpty()) return Verdict.PROCEED;
        for (String g : groups) {
            if (config.allow().contains(g)) return Verdict.PROCEED;
        }
        return refuse(who, "is not in an allowed group");
    }

    private static CompletionStage<Verdict> refuse(Identity who, String why) {
        String subject = who == null || who.consumer() == null ? "the request's caller" : "consumer '" + who.consumer() + "'";
        return GatewayException.failed(ErrorKind.FORBIDDEN, subject + " " + why);
    }

    private static final class Factory implements PluginFactory<Config> {
        @Override
        public String name() {
            return "acl";
        }

        @Override
        public Phase phase() {
            return Phase.ACL;
        }

        @Override
        public Config parse(ConfigNode node) {
            return AclPlugin.parse(node);
        }

        @Override
        public Plugin create(Config settings, PluginContext ctx) {
            return new AclPlugin(settings);
        }

        /** A group no consumer is in is most often a typo; an acl where nothing authenticates sees no groups at all. */
        @Override
        public void crossCheck(Config settings, ConfigNode node, GatewayConfig config) {
            Set<String> known = CrossChecks.groups(config);
            for (String key : List.of("allow", "deny")) {
                for (ConfigNode item : node.get(key).items()) {
                    String g = item.text(null);
                    if (g != null && !known.contains(g)) {
                        item.warning("no consumer is in group '" + g + "'" + Suggest.didYouMean(g, known));
                    }
                }
            }
            for (RouteConfig route : CrossChecks.routesRunning(name(), settings, config)) {
                if (CrossChecks.authenticates(route, config)) continue;
                node.warning("route '" + route.name() + "' runs no authentication plugin, so its requests have no consumer and no "
                        + "groups: " + (settings.allow().isEmpty() ? "deny never refuses one" : "every one is refused (403)"));
            }
        }

        @Override
        public String toString() {
            return name();
        }
    }
}
