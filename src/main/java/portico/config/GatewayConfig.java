package portico.config;

import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * The whole config, parsed once and frozen. Nothing on the request path reads YAML or validates:
 * it reads these records (compiled further into a runtime revision).
 *
 * @param source        the file it came from, for messages and write-back
 * @param shutdownGrace how long SIGTERM waits for in-flight requests (default 30s)
 * @param consumers     identities with credentials, by name
 * @param plugins       global plugins: every route has them unless it turns them {@code off}
 */
public record GatewayConfig(
        String source,
        List<ListenerConfig> listen,
        List<Cidr> trustedProxies,
        Limits limits,
        Duration shutdownGrace,
        ClusterConfig cluster,
        Map<String, ServiceConfig> services,
        List<RouteConfig> routes,
        Map<String, ConsumerConfig> consumers,
        Map<String, PluginSpec> plugins) {

    public GatewayConfig {
        listen = List.copyOf(listen);
        trustedProxies = List.copyOf(trustedProxies);
        services = Map.copyOf(services);
        routes = List.copyOf(routes);
        consumers = Map.copyOf(consumers);
        plugins = Map.copyOf(plugins);
    }
}
