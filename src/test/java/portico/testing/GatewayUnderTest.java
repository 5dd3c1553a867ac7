package portico.testing;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.function.UnaryOperator;
import portico.config.ConfigLoader;
import portico.config.GatewayConfig;
import portico.route.RouteTable;
import portico.runtime.Gateway;
import portico.upstream.Service;
import portico.upstream.TimeSource;

/**
 * A gateway started exactly as {@code portico run} starts one, from inline YAML, on port 0.
 * Closing it fails the test if Netty reported a leaked buffer while it ran.
 */
public final class GatewayUnderTest implements AutoCloseable {
    /** One shared client for tests; HTTP/1.1 only, so that what is tested is what the gateway speaks. */
    public static final HttpClient HTTP = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5))
            .build();

    private final Gateway gateway;

    private GatewayUnderTest(Gateway gateway) {
        this.gateway = gateway;
    }

    public static GatewayUnderTest start(String yaml) {
        return start(yaml, Map.of());
    }

    /** @param env variables for ${NAME} in the YAML, on top of the real environment */
    public static GatewayUnderTest start(String yaml, Map<String, String> env) {
        return start(yaml, env, TimeSource.SYSTEM);
    }

    /** With the wall clock and the monotonic ticker the plugins see, so that a test moves time instead of sleeping. */
    public static GatewayUnderTest start(String yaml, Map<String, String> env, java.time.Clock clock,
                                         portico.plugin.PluginContext.Ticker ticker) {
        return start(yaml, env, TimeSource.of(clock, ticker::nanos));
    }

    /**
     * @param time what plugins, breakers, ejections and retry budgets read as the time (a {@link FakeTime})
     */
    public static GatewayUnderTest start(String yaml, TimeSource time) {
        return start(yaml, Map.of(), time);
    }

    /**
     * From YAML that check accepts, then edited as records into a config check would refuse: to
     * prove that what only a bug could let through (a fallback header with a line break, a port
     * past 65535) still ends every exchange with an answer.
     */
    public static GatewayUnderTest start(String yaml, UnaryOperator<GatewayConfig> edit) {
        return start(yaml, Map.of(), TimeSource.SYSTEM, edit);
    }

    private static GatewayUnderTest start(String yaml, Map<String, String> env, TimeSource time) {
        return start(yaml, env, time, UnaryOperator.identity());
    }

    private static GatewayUnderTest start(String yaml, Map<String, String> env, TimeSource time,
                                          UnaryOperator<GatewayConfig> edit) {
        LeakWatch.install();
        Map<String, String> all = new HashMap<>(System.getenv());
        all.putAll(env);
        ConfigLoader.Result result = new ConfigLoader(all).parse("test.yaml", yaml);
        if (result.config() != null) RouteTable.validate(result.config().routes(), result.problems());
        GatewayConfig config;
        try {
            config = edit.apply(result.orThrow());
        } catch (Exception e) {
            throw new IllegalArgumentException("bad test config:\n" + e.getMessage());
        }
        try {
            return new GatewayUnderTest(Gateway.start(config, time, TimeSource.THREAD_LOCAL_RANDOM));
        } catch (Exception e) {
            throw new IllegalStateException("gateway did not start", e);
        }
    }

    /** A gateway for a config built in the test, bypassing {@code check} (to prove what holds even then). */
    public static GatewayUnderTest start(GatewayConfig config) {
        LeakWatch.install();
        try {
            return new GatewayUnderTest(Gateway.start(config, TimeSource.SYSTEM, TimeSource.THREAD_LOCAL_RANDOM));
        } catch (Exception e) {
            throw new IllegalStateException("gateway did not start", e);
        }
    }

    public int port() {
        return gateway.port();
    }

    public Gateway gateway() {
        return gateway;
    }

    /** A service of the running revision, to read its health or call it. */
    public Service service(String name) {
        Service s = gateway.revision().services().get(name);
        if (s == null) throw new IllegalArgumentException("no service " + name);
        return s;
    }

    public URI uri(String pathAndQuery) {
        return URI.create("http://127.0.0.1:" + port() + pathAndQuery);
    }

    /** A GET through the shared client, body as text. */
    public HttpResponse<String> get(String pathAndQuery) {
        return send(HttpRequest.newBuilder(uri(pathAndQuery)).timeout(Duration.ofSeconds(20)).build());
    }

    public HttpResponse<String> send(HttpRequest request) {
        try {
            return HTTP.send(request, HttpResponse.BodyHandlers.ofString());
        } catch (Exception e) {
            throw new AssertionError("request failed: " + request, e);
        }
    }

    public RawClient raw() {
        return RawClient.connect(port());
    }

    @Override
    public void close() {
        gateway.close();
        LeakWatch.assertNoLeaks();
    }
}
