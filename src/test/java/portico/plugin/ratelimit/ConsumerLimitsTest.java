package portico.plugin.ratelimit;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpVersion;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import portico.config.ConfigLoader;
import portico.http.Exchange;
import portico.http.Identity;
import portico.plugin.PluginContext;
import portico.plugin.RoutePlugins;
import portico.plugin.SharedResources;
import portico.plugin.Verdict;
import portico.testing.FakeTime;

/**
 * Per-consumer limits: {@code key: consumer} counts each consumer alone whatever its address, and
 * {@code consumers.NAME.plugins.rate_limit} replaces the route's limit for that consumer. The chain
 * is run directly with the identity an authentication plugin would have set, which also covers a
 * request without a consumer; e2e/RateLimitConsumerTest does the same over sockets with key_auth.
 */
class ConsumerLimitsTest {
    private final SharedResources shared = new SharedResources();
    private final RoutePlugins plugins = RoutePlugins.compile(config("""
            version: 1
            services: {api: {url: "http://127.0.0.1:1"}}
            routes:
              - {name: api, match: {paths: [/]}, service: api, plugins: {rate_limit: {limit: 2, window: 1m, key: consumer}}}
              - {name: by-ip, match: {paths: [/ip]}, service: api, plugins: {rate_limit: {limit: 2, window: 1m}}}
            consumers:
              alice: {plugins: {rate_limit: {limit: 5, window: 1m}}}
              bob: {}
            """), new PluginContext(Clock.systemUTC(), new FakeTime()::nanoTime, null, null, shared));

    private static portico.config.GatewayConfig config(String yaml) {
        try {
            return new ConfigLoader(Map.of()).parse("test.yaml", yaml).orThrow();
        } catch (portico.config.ConfigException e) {
            throw new AssertionError(e.getMessage(), e);
        }
    }

    private final io.netty.channel.EventLoop loop = new io.netty.channel.DefaultEventLoop();

    @AfterEach
    void close() {
        plugins.close();
        shared.close();
        loop.shutdownGracefully(0, 1, java.util.concurrent.TimeUnit.SECONDS);
    }

    private boolean passes(String route, String consumer, String ip) {
        Exchange ex = new Exchange(new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, "/"), loop, "id", ip, 0, "/", null);
        ex.routed(route, "api");
        if (consumer != null) ex.identity(new Identity(consumer, null, List.of(), Map.of()));
        CompletableFuture<Verdict> v = plugins.chain(route).onRequest(ex).toCompletableFuture();
        try {
            v.get(5, java.util.concurrent.TimeUnit.SECONDS);
            return true;
        } catch (java.util.concurrent.ExecutionException e) {
            assertThat(e.getCause()).isInstanceOf(portico.error.GatewayException.class);
            return false;
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    private int passing(String route, String consumer, String ip, int attempts) {
        int ok = 0;
        for (int i = 0; i < attempts; i++) if (passes(route, consumer, ip)) ok++;
        return ok;
    }

    @Test
    void aConsumerKeyCountsEachConsumerWhateverItsAddress() {
        assertThat(passes("api", "bob", "10.0.0.1")).isTrue();
        assertThat(passes("api", "bob", "10.0.0.2")).isTrue();
        assertThat(passes("api", "bob", "10.0.0.3")).as("a new address is still bob").isFalse();
    }

    @Test
    void aConsumersOwnLimitReplacesTheRoutesForThatConsumerOnly() {
        assertThat(passing("api", "alice", "10.0.0.1", 10)).isEqualTo(5);
        assertThat(passing("api", "bob", "10.0.0.1", 10)).isEqualTo(2);
    }

    @Test
    void requestsWithoutAConsumerAreCountedByAddress() {
        assertThat(passing("api", null, "10.0.0.1", 5)).isEqualTo(2);
        assertThat(passing("api", null, "10.0.0.2", 5)).isEqualTo(2);
    }

    @Test
    void anIpKeyPutsConsumersBehindOneAddressTogether() {
        assertThat(passing("by-ip", "bob", "10.0.0.9", 3) + passing("by-ip", "carol", "10.0.0.9", 3)).isEqualTo(2);
    }
}
