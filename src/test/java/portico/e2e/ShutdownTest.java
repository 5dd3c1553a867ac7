package portico.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.Socket;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import portico.testing.FakeUpstream;
import portico.testing.Fault;
import portico.testing.GatewayProcess;
import portico.testing.GatewayUnderTest;
import portico.testing.RawClient;

/**
 * Graceful shutdown (CONTRACT section 1): on SIGTERM the gateway stops accepting connections,
 * finishes the requests in flight, closes idle keep-alive connections and exits 0, waiting at most
 * {@code shutdown_grace}. The upstream here answers only when the test lets it, so "in flight" is
 * a fact, not a race.
 */
class ShutdownTest {
    private static final String CONFIG = """
            version: 1
            listen: 127.0.0.1:0
            shutdown_grace: %s
            services: {app: {url: %s}}
            routes:
              - {name: app, match: {paths: [/]}, service: app}
            """;
    private static final Duration WELL_WITHIN = Duration.ofSeconds(10);

    @Test
    void sigtermFinishesRequestsInFlightRefusesNewConnectionsAndExitsZero() {
        CountDownLatch release = new CountDownLatch(1);
        try (FakeUpstream upstream = FakeUpstream.start().handle("/slow", (req, res) -> {
                release.await(20, TimeUnit.SECONDS);
                res.body("done");
            });
             GatewayProcess gw = GatewayProcess.start(CONFIG.formatted("15s", upstream.url()), "-Xmx128m")) {
            List<CompletableFuture<HttpResponse<String>>> inFlight = sendSlowRequests(3, gw::uri);
            await().atMost(WELL_WITHIN).until(() -> upstream.requestCount() == 3);

            long signalled = System.nanoTime();
            gw.terminate();

            await().atMost(WELL_WITHIN).until(() -> refusesConnections(gw.port()));
            assertThat(inFlight).as("still waiting for the upstream").noneMatch(Future::isDone);
            release.countDown();
            for (CompletableFuture<HttpResponse<String>> f : inFlight) {
                HttpResponse<String> res = f.join();
                assertThat(res.statusCode()).isEqualTo(200);
                assertThat(res.body()).isEqualTo("done");
            }
            assertThat(gw.awaitExit(WELL_WITHIN)).as(gw.output()).isZero();
            assertThat(gw.output()).contains("shutting down: finishing requests in flight").contains("stopped");
            assertThat(Duration.ofNanos(System.nanoTime() - signalled)).as("within shutdown_grace").isLessThan(Duration.ofSeconds(15));
        }
    }

    @Test
    void sigtermExitsZeroWhenTheGracePeriodRunsOutWithRequestsStillInFlight() {
        try (FakeUpstream upstream = FakeUpstream.start().fault("/stuck", Fault.NO_RESPONSE);
             GatewayProcess gw = GatewayProcess.start(CONFIG.formatted("500ms", upstream.url()), "-Xmx128m")) {
            CompletableFuture<HttpResponse<String>> stuck = GatewayUnderTest.HTTP.sendAsync(
                    HttpRequest.newBuilder(gw.uri("/stuck")).timeout(Duration.ofSeconds(30)).build(),
                    HttpResponse.BodyHandlers.ofString());
            await().atMost(WELL_WITHIN).until(() -> upstream.requestCount() == 1);

            gw.terminate();

            assertThat(gw.awaitExit(WELL_WITHIN)).as(gw.output()).isZero();
            assertThat(gw.output()).contains("ran out with 1 requests in flight");
            assertThat(stuck).as("its connection is closed").failsWithin(WELL_WITHIN);
        }
    }

    @Test
    void shutdownFinishesRequestsInFlightAndClosesIdleConnectionsAtOnce() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        try (FakeUpstream upstream = FakeUpstream.start().handle("/slow", (req, res) -> {
                release.await(20, TimeUnit.SECONDS);
                res.body("done");
            });
             GatewayUnderTest gw = GatewayUnderTest.start(CONFIG.formatted("15s", upstream.url()));
             RawClient idle = gw.raw()) {
            assertThat(idle.send("GET /fast HTTP/1.1\r\nHost: gw\r\n\r\n").readResponse().status()).isEqualTo(200);
            List<CompletableFuture<HttpResponse<String>>> inFlight = sendSlowRequests(2, gw::uri);
            await().atMost(WELL_WITHIN).until(() -> upstream.requestCount() == 3);

            CompletableFuture<Boolean> stopping = CompletableFuture.supplyAsync(() -> {
                try {
                    return gw.gateway().shutdown();
                } catch (InterruptedException e) {
                    throw new IllegalStateException(e);
                }
            });

            await().atMost(WELL_WITHIN).until(() -> refusesConnections(gw.port()));
            assertThat(idle.closedByPeer()).as("an idle keep-alive connection is closed").isTrue();
            assertThat(inFlight).noneMatch(Future::isDone);
            assertThat(stopping).isNotDone();
            release.countDown();
            for (CompletableFuture<HttpResponse<String>> f : inFlight) {
                HttpResponse<String> res = f.join();
                assertThat(res.statusCode()).isEqualTo(200);
                assertThat(res.headers().firstValue("connection")).hasValue("close");
            }
            assertThat(stopping.get(WELL_WITHIN.toSeconds(), TimeUnit.SECONDS)).as("finished within the grace period").isTrue();
        }
    }

    @Test
    void shutdownStopsWaitingWhenTheGracePeriodRunsOut() throws Exception {
        try (FakeUpstream upstream = FakeUpstream.start().fault("/stuck", Fault.NO_RESPONSE);
             GatewayUnderTest gw = GatewayUnderTest.start(CONFIG.formatted("500ms", upstream.url()))) {
            CompletableFuture<HttpResponse<String>> stuck = GatewayUnderTest.HTTP.sendAsync(
                    HttpRequest.newBuilder(gw.uri("/stuck")).timeout(Duration.ofSeconds(30)).build(),
                    HttpResponse.BodyHandlers.ofString());
            await().atMost(WELL_WITHIN).until(() -> upstream.requestCount() == 1);

            long start = System.nanoTime();
            boolean clean = gw.gateway().shutdown();

            assertThat(clean).isFalse();
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(5));
            assertThat(stuck).as("its connection is closed").failsWithin(WELL_WITHIN);
        }
    }

    private static List<CompletableFuture<HttpResponse<String>>> sendSlowRequests(int n, java.util.function.Function<String, java.net.URI> uri) {
        return IntStream.range(0, n)
                .mapToObj(i -> GatewayUnderTest.HTTP.sendAsync(
                        HttpRequest.newBuilder(uri.apply("/slow/" + i)).timeout(Duration.ofSeconds(30)).build(),
                        HttpResponse.BodyHandlers.ofString()))
                .toList();
    }

    private static boolean refusesConnections(int port) {
        try (Socket s = new Socket(InetAddress.getLoopbackAddress(), port)) {
            return false;
        } catch (ConnectException refused) {
            return true;
        } catch (IOException other) {
            return false;
        }
    }
}
