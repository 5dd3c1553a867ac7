package portico.plugin;

import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import portico.config.ConsumerConfig;
import portico.config.GatewayConfig;
import portico.config.PluginSpec;
import portico.config.RouteConfig;
import portico.config.ServiceConfig;
import portico.http.ReservedHeaders;

/**
 * Resolves, once per config revision, which plugins each route runs (CONTRACT section 5: consumer
 * over route over service over global; {@code NAME: off} disables an inherited one) and creates
 * them. One instance per configured block, so a global rate limit is one set of counters for every
 * route that inherits it, not one per route.
 */
public final class RoutePlugins implements AutoCloseable {
    private final Map<String, PluginChain> chains;
    private final Set<String> identityHeaders;
    private final List<AutoCloseable> closeables;

    private RoutePlugins(Map<String, PluginChain> chains, Set<String> identityHeaders, List<AutoCloseable> closeables) {
        this.chains = Map.copyOf(chains);
        this.identityHeaders = Set.copyOf(identityHeaders);
        this.closeables = List.copyOf(closeables);
    }

    /** The chain of a route; {@link PluginChain#EMPTY} for a route without plugins. */
    public PluginChain chain(String route) {
        return chains.getOrDefault(route, PluginChain.EMPTY);
    }

    /**
     * Identity header names, lower case with '_' as '-': client-sent copies of these (and of every
     * {@code X-Consumer-*}) are removed from every request before anything else runs.
     */
    public Set<String> identityHeaders() {
        return identityHeaders;
    }

    /** Whether a client-sent header name is an identity header (case, '_' and '-' variants included). */
    public boolean isIdentityHeader(String name) {
        String n = canonical(name);
        return n.startsWith("x-consumer-") || identityHeaders.contains(n);
    }

    public static String canonical(String header) {
        return header.toLowerCase(Locale.ROOT).replace('_', '-');
    }

    public static RoutePlugins compile(GatewayConfig config, PluginContext ctx) {
        Map<PluginSpec, Plugin> instances = new IdentityHashMap<>();
        List<AutoCloseable> closeables = new ArrayList<>();
        Map<String, Map<String, Optional<Plugin>>> consumerPlugins = new LinkedHashMap<>();
        for (ConsumerConfig c : config.consumers().values()) {
            Map<String, Optional<Plugin>> own = new LinkedHashMap<>();
            c.plugins().forEach((name, spec) ->
                    own.put(name, spec.off() ? Optional.empty() : Optional.of(instance(spec, ctx, instances, closeables))));
            if (!own.isEmpty()) consumerPlugins.put(c.name(), own);
        }
        Map<String, PluginChain> chains = new LinkedHashMap<>();
        for (RouteConfig route : config.routes()) {
            ServiceConfig service = route.service() == null ? null : config.services().get(route.service());
            List<Plugin> before = new ArrayList<>();
            List<Authenticator> authenticators = new ArrayList<>();
            List<PluginChain.Named> after = new ArrayList<>();
            List<String> description = new ArrayList<>();
            String anonymous = null;
            for (PluginFactory<?> f : PluginRegistry.ORDERED) {
                Scoped scoped = resolve(f.name(), route, service, config);
                if (scoped == null || scoped.spec().off()) continue;
                Plugin p = instance(scoped.spec(), ctx, instances, closeables);
                description.add(f.name() + " (" + scoped.scope() + ")");
                if (f.phase() == Phase.AUTHENTICATE) {
                    if (!(p instanceof Authenticator a)) throw new IllegalStateException(f.name() + " is not an Authenticator");
                    authenticators.add(a);
                    if (anonymous == null) anonymous = a.anonymous();
                } else if (f.phase().afterAuthentication()) {
                    after.add(new PluginChain.Named(f.name(), f.phase(), p));
                } else {
                    before.add(p);
                }
            }
            chains.put(route.name(), new PluginChain(before, authenticators, after, consumerPlugins, anonymous,
                    anonymousGroups(anonymous, config), description));
        }
        return new RoutePlugins(chains, identityHeaders(config), closeables);
    }

    /** The anonymous consumer needs no entry under {@code consumers}; when it has one, its groups apply. */
    private static List<String> anonymousGroups(String name, GatewayConfig config) {
        ConsumerConfig c = name == null ? null : config.consumers().get(name);
        return c == null ? List.of() : c.groups();
    }

    /** Which scope's block a route uses for one plugin name, for {@code explain} as well as for the chain. */
    public record Scoped(PluginSpec spec, String scope) {}

    public static Scoped resolve(String name, RouteConfig route, ServiceConfig service, GatewayConfig config) {
        PluginSpec spec = route.plugins().get(name);
        if (spec != null) return new Scoped(spec, "route");
        spec = service == null ? null : service.plugins().get(name);
        if (spec != null) return new Scoped(spec, "service " + service.name());
        spec = config.plugins().get(name);
        return spec == null ? null : new Scoped(spec, "global");
    }

    /** The plugin names a route runs in order, with the scope each comes from; no instances are created. */
    public static List<String> describe(GatewayConfig config, RouteConfig route) {
        ServiceConfig service = route.service() == null ? null : config.services().get(route.service());
        List<String> out = new ArrayList<>();
        for (PluginFactory<?> f : PluginRegistry.ORDERED) {
            Scoped s = resolve(f.name(), route, service, config);
            if (s != null && !s.spec().off()) out.add(f.name() + " (" + s.scope() + ")");
        }
        return out;
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    private static Plugin instance(PluginSpec spec, PluginContext ctx, Map<PluginSpec, Plugin> instances, List<AutoCloseable> closeables) {
        return instances.computeIfAbsent(spec, s -> {
            PluginFactory f = PluginRegistry.byName(s.name());
            Plugin p = f.create(s.settings(), ctx);
            if (p instanceof AutoCloseable c) closeables.add(c);
            return p;
        });
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    private static Set<String> identityHeaders(GatewayConfig config) {
        List<PluginSpec> all = new ArrayList<>(config.plugins().values());
        config.services().values().forEach(s -> all.addAll(s.plugins().values()));
        config.routes().forEach(r -> all.addAll(r.plugins().values()));
        config.consumers().values().forEach(c -> all.addAll(c.plugins().values()));
        Set<String> out = new LinkedHashSet<>();
        for (PluginSpec spec : all) {
            if (spec.off()) continue;
            PluginFactory f = PluginRegistry.byName(spec.name());
            for (Object h : (Set<Object>) f.identityHeaders(spec.settings())) {
                // check refuses these names; should one get here anyway, stripping it would break framing for everyone.
                if (!ReservedHeaders.isReserved(h.toString())) out.add(canonical(h.toString()));
            }
        }
        return out;
    }

    @Override
    public void close() {
        for (AutoCloseable c : closeables) {
            try {
                c.close();
            } catch (Exception ignored) {
                // a plugin that fails to close has nothing left to serve; the gateway stops anyway
            }
        }
    }
}
