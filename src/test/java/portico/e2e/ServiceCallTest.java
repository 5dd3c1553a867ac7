package portico.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import portico.error.ErrorKind;
import portico.error.GatewayException;
import portico.net.Transport;
import portico.testing.ConfigEdits;
import portico.testing.FakeTime;
import portico.testing.FakeUpstream;
import portico.testing.Fault;
import portico.testing.GatewayUnderTest;
import portico.upstream.UpstreamRequest;
import portico.upstream.UpstreamResponse;

/**
 * {@code Service.call}, the buffered request that health checks and aggregation use, against real
 * upstreams: the same balancing, retries and breaker as proxied requests, a whole response or a
 * classified failure, completed on the event loop it was given.
 */
class ServiceCallTest {
    private static EventLoopGroup loops;
    private static EventLoop loop;

    @BeforeAll
    static void loop() {
        loops = new MultiThreadIoEventLoopGroup(1, Transport.best().ioHandlerFactory());
        loop = loops.next();
    }

    @AfterAll
    static void stop() {
        loops.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }

    private static GatewayUnderTest gateway(String service) {
        return GatewayUnderTest.start("""
                version: 1
                listen: 127.0.0.1:0
                services:
                  shop: %s
                routes: [{name: shop, match: {paths: [/]}, service: shop}]
                """.formatted(service), new FakeTime());
    }

    private static CompletableFuture<UpstreamResponse> call(GatewayUnderTest gw, UpstreamRequest req) {
        return gw.service("shop").call(loop, req).toCompletableFuture();
    }

    private static GatewayException failure(CompletableFuture<UpstreamResponse> f) {
        Throwable t = f.handle((r, e) -> e).join();
        assertThat(t).isInstanceOf(GatewayException.class);
        return (GatewayException) t;
    }

    @Test
    void aCallReturnsTheWholeResponseAndCompletesOnItsLoop() {
        try (FakeUpstream up = FakeUpstream.start().handle("/", (req, res) -> res.status(201).header("X-Seen", req.target())
                .body("{\"got\":\"" + req.bodyText() + "\"}"));
             GatewayUnderTest gw = gateway("{url: %s/api}".formatted(up.url()))) {
            UpstreamRequest req = new UpstreamRequest(HttpMethod.POST, "/orders?x=1",
                    new DefaultHttpHeaders().set("X-Request-Id", "r-1"), "hi".getBytes(StandardCharsets.UTF_8), 1024, null, null);
            CompletableFuture<Boolean> onLoop = new CompletableFuture<>();
            CompletableFuture<UpstreamResponse> f = new CompletableFuture<>();
            // Called from the loop, as a plugin or an aggregate part would: the callback is in place before any I/O.
            loop.execute(() -> gw.service("shop").call(loop, req).whenComplete((r, e) -> {
                onLoop.complete(loop.inEventLoop());
                if (e != null) f.completeExceptionally(e);
                else f.complete(r);
            }));

            UpstreamResponse res = f.join();
            assertThat(res.status()).isEqualTo(201);
            assertThat(res.bodyText()).isEqualTo("{\"got\":\"hi\"}");
            assertThat(res.headers().get("x-seen")).isEqualTo("/api/orders?x=1");
            assertThat(res.target()).isEqualTo("127.0.0.1:" + up.port());
            assertThat(onLoop.join()).isTrue();
            assertThat(up.takeRequest().header("x-request-id")).isEqualTo("r-1");
        }
    }

    @Test
    void aGetIsRetriedOnTheOtherTargetAfterAReset() {
        try (FakeUpstream resets = FakeUpstream.start().fault("/", Fault.RESET_BEFORE_RESPONSE);
             FakeUpstream fine = FakeUpstream.start().respond("/", 200, "\"fine\"");
             GatewayUnderTest gw = gateway("{targets: [{url: %s}, {url: %s}], retries: {attempts: 1}}".formatted(resets.url(), fine.url()))) {
            assertThat(call(gw, UpstreamRequest.get("/x")).join().bodyText()).isEqualTo("\"fine\"");
            assertThat(resets.requestCount()).isEqualTo(1);
        }
    }

    @Test
    void aPostIsNotSentTwice() {
        try (FakeUpstream resets = FakeUpstream.start().fault("/", Fault.RESET_BEFORE_RESPONSE);
             FakeUpstream fine = FakeUpstream.start().respond("/", 200, "\"fine\"");
             GatewayUnderTest gw = gateway("{targets: [{url: %s}, {url: %s}], retries: {attempts: 1}}".formatted(resets.url(), fine.url()))) {
            GatewayException e = failure(call(gw, new UpstreamRequest(HttpMethod.POST, "/x", null, new byte[] {1}, 1024, null, null)));

            assertThat(e.kind()).isEqualTo(ErrorKind.BAD_UPSTREAM);
            assertThat(fine.requestCount()).isZero();
        }
    }

    @Test
    void aResponseLargerThanTheLimitIs502() {
        try (FakeUpstream up = FakeUpstream.start().handle("/", (req, res) -> res.stream(10_000, true));
             GatewayUnderTest gw = gateway("{url: %s}".formatted(up.url()))) {
            GatewayException e = failure(call(gw, new UpstreamRequest(HttpMethod.GET, "/big", null, null, 4096, null, null)));

            assertThat(e.kind()).isEqualTo(ErrorKind.BAD_UPSTREAM);
            assertThat(e.getMessage()).contains("larger than 4096 bytes");
        }
    }

    @Test
    void theCallsOwnTimeoutIs504() {
        try (FakeUpstream up = FakeUpstream.start().fault("/", Fault.NO_RESPONSE);
             GatewayUnderTest gw = gateway("{url: %s}".formatted(up.url()))) {
            GatewayException e = failure(call(gw, UpstreamRequest.get("/slow").withTimeout(Duration.ofMillis(200))));

            assertThat(e.kind()).isEqualTo(ErrorKind.UPSTREAM_TIMEOUT);
        }
    }

    @Test
    void anOpenCircuitFailsTheCallWithoutTouchingTheUpstream() {
        try (FakeUpstream up = FakeUpstream.start().respond("/", 503, "{}");
             GatewayUnderTest gw = gateway("{url: %s, circuit_breaker: {min_calls: 2, open_for: 30s}}".formatted(up.url()))) {
            assertThat(call(gw, UpstreamRequest.get("/x")).join().status()).as("a 503 is an answer").isEqualTo(503);
            assertThat(call(gw, UpstreamRequest.get("/x")).join().status()).isEqualTo(503);

            GatewayException e = failure(call(gw, UpstreamRequest.get("/x")));

            assertThat(e.kind()).isEqualTo(ErrorKind.CIRCUIT_OPEN);
            assertThat(e.headers().get("Retry-After")).isEqualTo("30");
            assertThat(up.requestCount()).isEqualTo(2);
        }
    }

    @Test
    void callsReuseTheServicesPooledConnections() {
        try (FakeUpstream up = FakeUpstream.start().respond("/", 200, "{}");
             GatewayUnderTest gw = gateway("{url: %s}".formatted(up.url()))) {
            for (int i = 0; i < 5; i++) call(gw, UpstreamRequest.get("/x")).join();

            assertThat(up.connectionCount()).isEqualTo(1);
        }
    }

    @Test
    void aConnectThatThrowsFailsTheCallWith502InsteadOfNeverCompleting() {
        try (FakeUpstream up = FakeUpstream.start();
             GatewayUnderTest gw = GatewayUnderTest.start("""
                     version: 1
                     listen: 127.0.0.1:0
                     services: {shop: {url: %s}}
                     routes: [{name: shop, match: {paths: [/]}, service: shop}]
                     """.formatted(up.url()), ConfigEdits.targetPort("shop", 99999))) {
            GatewayException e = failure(call(gw, UpstreamRequest.get("/x")).orTimeout(5, TimeUnit.SECONDS));

            assertThat(e.kind()).isEqualTo(ErrorKind.BAD_UPSTREAM);
            assertThat(e.getMessage()).contains("shop").contains("could not be reached");
        }
    }
}
