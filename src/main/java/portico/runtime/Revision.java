package portico.runtime;

import java.util.Map;
import portico.aggregate.AggregateDestination;
import portico.aggregate.ServicePartCaller;
import portico.config.GatewayConfig;
import portico.config.RouteConfig;
import portico.http.ClientAddress;
import portico.plugin.PluginChain;
import portico.plugin.RoutePlugins;
import portico.route.RouteTable;
import portico.upstream.Service;

/**
 * One compiled config: what the request path reads, once per exchange, from an atomic reference.
 * Immutable after construction; admin writes build a new one and swap it.
 */
public final class Revision {
    private final long number;
    private final GatewayConfig config;
    private final RouteTable routes;
    private final Map<String, Service> services;
    private final ClientAddress clientAddress;
    private final RoutePlugins plugins;
    private final Map<String, AggregateDestination> aggregates;

    Revision(long number, GatewayConfig config, RouteTable routes, Map<String, Service> services, RoutePlugins plugins) {
        this.number = number;
        this.config = config;
        this.routes = routes;
        this.services = Map.copyOf(services);
        this.plugins = plugins;
        this.clientAddress = new ClientAddress(config.trustedProxies());
        this.aggregates = Map.copyOf(AggregateDestination.compile(config, this.services, plugins::isIdentityHeader,
                ServicePartCaller.INSTANCE));
    }

    public long number() {
        return number;
    }

    public GatewayConfig config() {
        return config;
    }

    public RouteTable routes() {
        return routes;
    }

    /** The route's service; null for an aggregate route. */
    public Service service(RouteConfig route) {
        return route.service() == null ? null : services.get(route.service());
    }

    /** The fan-out of an aggregate route; null for a route to a service. */
    public AggregateDestination aggregate(RouteConfig route) {
        return aggregates.get(route.name());
    }

    public Map<String, Service> services() {
        return services;
    }

    /** The plugin chain a route runs, resolved over its scopes. */
    public PluginChain chain(RouteConfig route) {
        return plugins.chain(route.name());
    }

    public RoutePlugins plugins() {
        return plugins;
    }

    public ClientAddress clientAddress() {
        return clientAddress;
    }
}
