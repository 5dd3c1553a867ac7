package portico.testing;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;
import portico.config.FallbackConfig;
import portico.config.GatewayConfig;
import portico.config.ResilienceConfig;
import portico.config.ServiceConfig;
import portico.config.TargetConfig;

/**
 * Edits of a parsed config into shapes check refuses, for {@link GatewayUnderTest#start(String, UnaryOperator)}:
 * the records do not validate, the reader does, so this is how a test plays a bug that got past it.
 */
public final class ConfigEdits {
    private ConfigEdits() {}

    /** Replaces one service. */
    public static UnaryOperator<GatewayConfig> service(String name, UnaryOperator<ServiceConfig> edit) {
        return c -> {
            Map<String, ServiceConfig> services = new LinkedHashMap<>(c.services());
            services.put(name, edit.apply(services.get(name)));
            return new GatewayConfig(c.source(), c.listen(), c.trustedProxies(), c.limits(), c.shutdownGrace(), c.cluster(),
                    services, c.routes(), c.consumers(), c.plugins());
        };
    }

    /** The service's fallback with one more header, as given. */
    public static UnaryOperator<GatewayConfig> fallbackHeader(String service, String name, String value) {
        return service(service, s -> {
            ResilienceConfig r = s.resilience();
            FallbackConfig f = r.fallback();
            Map<String, String> headers = new LinkedHashMap<>(f.headers());
            headers.put(name, value);
            return new ServiceConfig(s.name(), s.targets(), s.timeouts(), s.plugins(), new ResilienceConfig(r.balance(),
                    r.retries(), r.circuitBreaker(), r.healthCheck(), r.outlierDetection(),
                    new FallbackConfig(f.status(), f.body(), headers)));
        });
    }

    /** The service's only target on another port, unchecked. */
    public static UnaryOperator<GatewayConfig> targetPort(String service, int port) {
        return target(service, t -> new TargetConfig(t.url(), t.tls(), t.host(), port, t.basePath(), t.weight()));
    }

    /** The service's only target, edited. */
    public static UnaryOperator<GatewayConfig> target(String service, UnaryOperator<TargetConfig> edit) {
        return service(service, s -> new ServiceConfig(s.name(), List.of(edit.apply(s.targets().get(0))), s.timeouts(),
                s.plugins(), s.resilience()));
    }
}
