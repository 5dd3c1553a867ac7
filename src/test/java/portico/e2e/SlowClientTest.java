package portico.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import portico.testing.FakeUpstream;
import portico.testing.GatewayUnderTest;
import portico.testing.ProblemJson;
import portico.testing.RawClient;
import portico.testing.RawResponse;

/**
 * Clients that hold a connection without finishing a request: they get {@code limits.header_timeout}
 * to send a head (then 408 and a close), {@code keepalive_timeout} between requests, at most
 * {@code max_connections} at once, and however many there are, they cannot starve anyone else
 * while they wait, nor hold their slots past the header timeout.
 */
class SlowClientTest {
    private static final String PARTIAL_HEAD = "GET /api HTTP/1.1\r\nHost: x\r\nX-Slow: ";

    private static String config(FakeUpstream upstream, String limits) {
        return """
                version: 1
                listen: 127.0.0.1:0
                limits: %s
                services: {api: {url: %s}}
                routes:
                  - {name: api, match: {paths: [/api]}, service: api}
                """.formatted(limits, upstream.url());
    }

    @Test
    void headSlowerThanTheHeaderTimeoutGets408AndIsClosed() {
        try (FakeUpstream upstream = FakeUpstream.start();
             GatewayUnderTest gw = GatewayUnderTest.start(config(upstream, "{header_timeout: 500ms}"));
             RawClient client = gw.raw()) {
            long start = System.nanoTime();
            RawResponse res = client.send(PARTIAL_HEAD).readResponse();

            assertThat(res.status()).isEqualTo(408);
            ProblemJson problem = ProblemJson.of(res);
            assertThat(problem.type()).isEqualTo("urn:portico:error:request-timeout");
            assertThat(problem.requestId()).isNotBlank().isEqualTo(res.header("x-request-id"));
            assertThat(Duration.ofNanos(System.nanoTime() - start)).as("not before the timeout").isGreaterThan(Duration.ofMillis(400));
            assertThat(client.closedByPeer()).isTrue();
            assertThat(upstream.connectionCount()).isZero();
        }
    }

    @Test
    void headDrippingInSteadilyStillHasOnlyTheHeaderTimeout() {
        ScheduledExecutorService drip = Executors.newSingleThreadScheduledExecutor();
        try (FakeUpstream upstream = FakeUpstream.start();
             GatewayUnderTest gw = GatewayUnderTest.start(config(upstream, "{header_timeout: 500ms}"));
             RawClient client = gw.raw()) {
            client.send(PARTIAL_HEAD);
            // One byte every 50 ms: each byte is progress, but the head as a whole is late.
            // (A task that throws is not run again: dripping stops when the gateway closes.)
            drip.scheduleAtFixedRate(() -> client.send("a"), 50, 50, TimeUnit.MILLISECONDS);

            RawResponse res = client.readResponse();

            assertThat(res.status()).isEqualTo(408);
            assertThat(client.closedByPeer()).isTrue();
        } finally {
            drip.shutdownNow();
        }
    }

    @Test
    void aPartialHeadSentRightAfterACompleteRequestGets408AfterTheHeaderTimeout() {
        try (FakeUpstream upstream = FakeUpstream.start().respond("/api", 200, "first");
             GatewayUnderTest gw = GatewayUnderTest.start(config(upstream, "{header_timeout: 1s, keepalive_timeout: 30s}"));
             RawClient client = gw.raw()) {
            client.send("GET /api HTTP/1.1\r\nHost: x\r\n\r\n" + PARTIAL_HEAD);  // one write, one read
            client.soTimeout(10_000);

            assertThat(client.readResponse().body()).isEqualTo("first");
            RawResponse second = client.readResponse();
            assertThat(second).as("an answer, not a silent close after the 30 s keep-alive").isNotNull();
            assertThat(second.status()).isEqualTo(408);
            assertThat(client.closedByPeer()).isTrue();
        }
    }

    @Test
    void aPipelinedHeadLeftUnfinishedWhileTheLastRequestIsAnsweredGets408AfterTheHeaderTimeout() {
        CountDownLatch partialSent = new CountDownLatch(1);
        try (FakeUpstream upstream = FakeUpstream.start().handle("/api", (req, res) -> {
                 partialSent.await(5, TimeUnit.SECONDS);
                 res.body("first");
             });
             GatewayUnderTest gw = GatewayUnderTest.start(config(upstream, "{header_timeout: 1s, keepalive_timeout: 30s}"));
             RawClient client = gw.raw()) {
            client.send("GET /api HTTP/1.1\r\nHost: x\r\n\r\n");
            upstream.takeRequest();  // the exchange is under way
            client.send(PARTIAL_HEAD);
            partialSent.countDown();
            client.soTimeout(10_000);

            assertThat(client.readResponse().body()).isEqualTo("first");
            RawResponse second = client.readResponse();
            assertThat(second).as("an answer, not a silent close after the 30 s keep-alive").isNotNull();
            assertThat(second.status()).isEqualTo(408);
            assertThat(client.closedByPeer()).isTrue();
            assertThat(upstream.requestCount()).isEqualTo(1);
        }
    }

    @Test
    void newConnectionThatSendsNothingIsClosedAfterTheHeaderTimeout() {
        try (FakeUpstream upstream = FakeUpstream.start();
             GatewayUnderTest gw = GatewayUnderTest.start(config(upstream, "{header_timeout: 500ms}"));
             RawClient client = gw.raw()) {
            client.soTimeout(5_000);

            assertThat(client.closedByPeer()).as("closed silently: there was no request to answer").isTrue();
        }
    }

    @Test
    void idleKeepAliveConnectionIsClosedAfterTheKeepAliveTimeout() {
        try (FakeUpstream upstream = FakeUpstream.start();
             GatewayUnderTest gw = GatewayUnderTest.start(config(upstream, "{header_timeout: 5s, keepalive_timeout: 500ms}"));
             RawClient client = gw.raw()) {
            // Timed from before the request: the gateway's clock starts after its answer, so this lower
            // bound holds however late this thread gets to read the answer on a loaded machine.
            long sent = System.nanoTime();
            assertThat(client.send("GET /api HTTP/1.1\r\nHost: x\r\n\r\n").readResponse().status()).isEqualTo(200);
            client.soTimeout(4_000);

            assertThat(client.closedByPeer()).as("idle connection closed well before the 5 s header timeout").isTrue();
            assertThat(Duration.ofNanos(System.nanoTime() - sent)).isGreaterThan(Duration.ofMillis(400));
        }
    }

    @Test
    void keepAliveConnectionUsedWithinTheTimeoutStaysOpen() {
        try (FakeUpstream upstream = FakeUpstream.start();
             GatewayUnderTest gw = GatewayUnderTest.start(config(upstream, "{keepalive_timeout: 5s}"));
             RawClient client = gw.raw()) {
            for (int i = 0; i < 3; i++) {
                assertThat(client.send("GET /api HTTP/1.1\r\nHost: x\r\n\r\n").readResponse().status()).isEqualTo(200);
            }
            assertThat(upstream.requestCount()).isEqualTo(3);
        }
    }

    @Test
    void connectionsAboveTheCapAreClosed() {
        List<RawClient> clients = new ArrayList<>();
        try (FakeUpstream upstream = FakeUpstream.start();
             GatewayUnderTest gw = GatewayUnderTest.start(config(upstream, "{max_connections: 3}"))) {
            for (int i = 0; i < 3; i++) {
                RawClient c = gw.raw();
                clients.add(c);
                assertThat(c.send("GET /api HTTP/1.1\r\nHost: x\r\n\r\n").readResponse().status()).isEqualTo(200);
            }
            try (RawClient fourth = gw.raw()) {
                fourth.soTimeout(5_000);
                assertThat(fourth.closedByPeer()).as("the fourth connection").isTrue();
            }

            clients.remove(0).close();

            // The freed slot is counted when the gateway sees the close; until then, new ones are refused.
            await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> {
                try (RawClient again = gw.raw()) {
                    RawResponse res = again.send("GET /api HTTP/1.1\r\nHost: x\r\n\r\n").readResponse();
                    assertThat(res).isNotNull();
                    assertThat(res.status()).isEqualTo(200);
                }
            });
        } finally {
            clients.forEach(RawClient::close);
        }
    }

    @Test
    void twoThousandSlowHeadsDoNotStarveAnotherClient() throws Exception {
        List<Socket> slow = new ArrayList<>(2000);
        byte[] partial = PARTIAL_HEAD.getBytes(StandardCharsets.US_ASCII);
        try (FakeUpstream upstream = FakeUpstream.start();
             GatewayUnderTest gw = GatewayUnderTest.start(config(upstream, "{header_timeout: 60s}"))) {
            for (int i = 0; i < 2000; i++) {
                Socket s = new Socket(InetAddress.getLoopbackAddress(), gw.port());
                slow.add(s);
                OutputStream out = s.getOutputStream();
                out.write(partial);
                out.flush();
            }

            long start = System.nanoTime();
            HttpResponse<String> res = gw.send(HttpRequest.newBuilder(gw.uri("/api")).timeout(Duration.ofSeconds(10)).build());

            assertThat(res.statusCode()).isEqualTo(200);
            assertThat(Duration.ofNanos(System.nanoTime() - start)).as("served quickly").isLessThan(Duration.ofSeconds(3));
            Socket first = slow.get(0);
            first.setSoTimeout(200);
            assertThat(stillOpen(first)).as("the first slow client is still waiting, not dropped").isTrue();
        } finally {
            for (Socket s : slow) {
                try {
                    s.close();
                } catch (IOException e) {
                    // closing anyway
                }
            }
        }
    }

    @Test
    void twoThousandSlowHeadsAreEachCutWith408AtTheHeaderTimeoutAndFreeTheirSlots() throws Exception {
        List<Socket> slow = new ArrayList<>(2000);
        byte[] partial = PARTIAL_HEAD.getBytes(StandardCharsets.US_ASCII);
        try (FakeUpstream upstream = FakeUpstream.start();
             GatewayUnderTest gw = GatewayUnderTest.start(config(upstream, "{header_timeout: 2s}"))) {
            for (int i = 0; i < 2000; i++) {
                Socket s = new Socket(InetAddress.getLoopbackAddress(), gw.port());
                slow.add(s);
                s.getOutputStream().write(partial);
                s.getOutputStream().flush();
            }

            for (Socket s : slow) {
                s.setSoTimeout(10_000);
                byte[] answer = s.getInputStream().readAllBytes();  // to the gateway's close
                assertThat(new String(answer, StandardCharsets.US_ASCII)).startsWith("HTTP/1.1 408 ");
            }

            await("every slot counted against max_connections is free again").atMost(Duration.ofSeconds(5))
                    .until(() -> gw.gateway().openConnections() == 0);
            for (int i = 0; i < 20; i++) {
                assertThat(gw.get("/api").statusCode()).isEqualTo(200);
            }
            assertThat(upstream.requestCount()).as("no slow head ever reached the upstream").isEqualTo(20);
        } finally {
            for (Socket s : slow) {
                try {
                    s.close();
                } catch (IOException e) {
                    // closing anyway
                }
            }
        }
    }

    /** Open and silent: neither an answer nor a close arrives within the socket timeout. */
    private static boolean stillOpen(Socket s) {
        try {
            s.getInputStream().read();
            return false;
        } catch (java.net.SocketTimeoutException e) {
            return true;
        } catch (IOException e) {
            return false;
        }
    }
}
