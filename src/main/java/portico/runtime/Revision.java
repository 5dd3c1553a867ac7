package portico.runtime;

import java.util.Map;
import portico.config.GatewayConfig;
import portico.config.RouteConfig;
import portico.http.ClientAddress;
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

    Revision(long number, GatewayConfig config, RouteTable routes, Map<String, Service> services) {
        this.number = number;
        this.config = config;
        this.routes = routes;
        this.services = Map.copyOf(services);
        this.clientAddress = new ClientAddress(config.trustedProxies());
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

    public Service service(RouteConfig route) {
        return services.get(route.service());
    }

    public Map<String, Service> services() {
        return services;
    }

    public ClientAddress clientAddress() {
        return clientAddress;
    }
}
