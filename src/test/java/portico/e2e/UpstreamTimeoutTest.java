package portico.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static portico.e2e.UpstreamFailureTest.assertStillServes;

import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import portico.testing.DeafUpstream;
import portico.testing.FakeUpstream;
import portico.testing.Fault;
import portico.testing.FullBacklogPort;
import portico.testing.GatewayUnderTest;
import portico.testing.ProblemJson;
import portico.testing.RawClient;
import portico.testing.RawResponse;

/**
 * The three upstream timeouts of a service (CONTRACT section 5) and what each one produces:
 * {@code connect} and {@code response} are 504 before any answer; {@code idle} is the longest
 * silence while a body streams, so once the answer has begun it closes the client connection. None
 * of them limits a slow but steady body. Times are asserted only as "well before the test's own
 * limits", never to the millisecond.
 */
class UpstreamTimeoutTest {
    private static final String CONFIG = """
            version: 1
            listen: 127.0.0.1:0
            services:
              slow: {url: %s, timeouts: {connect: 300ms, response: 300ms, idle: 300ms}}
            routes:
              - {name: slow, match: {paths: [/]}, service: slow}
            """;
    private static final Duration WELL_WITHIN = Duration.ofSeconds(5);

    @Test
    void aConnectThatHangsIs504AfterTimeoutsConnect() {
        try (FullBacklogPort hanging = FullBacklogPort.open();
             GatewayUnderTest gw = GatewayUnderTest.start(CONFIG.formatted(hanging.url()))) {
            long start = System.nanoTime();
            ProblemJson problem = ProblemJson.of(gw.get("/x"));

            assertThat(problem.httpStatus()).isEqualTo(504);
            assertThat(problem.type()).isEqualTo("urn:portico:error:upstream-timeout");
            assertThat(problem.detail()).contains("timeouts.connect");
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(WELL_WITHIN);
        }
    }

    @Test
    void anUpstreamThatNeverAnswersIs504AfterTimeoutsResponse() {
        try (FakeUpstream upstream = FakeUpstream.start().fault("/silent", Fault.NO_RESPONSE);
             GatewayUnderTest gw = GatewayUnderTest.start(CONFIG.formatted(upstream.url()))) {
            long start = System.nanoTime();
            ProblemJson problem = ProblemJson.of(gw.get("/silent"));

            assertThat(problem.httpStatus()).isEqualTo(504);
            assertThat(problem.type()).isEqualTo("urn:portico:error:upstream-timeout");
            assertThat(problem.detail()).isEqualTo("service 'slow' (127.0.0.1:" + upstream.port()
                    + ") sent no response head within timeouts.response (300ms)");
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(WELL_WITHIN);
            assertStillServes(gw, "/ok");
        }
    }

    @Test
    void aHeadThatStallsHalfWayIs504AfterTimeoutsResponse() {
        try (FakeUpstream upstream = FakeUpstream.start().fault("/stall", Fault.SLOW_HEADERS);
             GatewayUnderTest gw = GatewayUnderTest.start(CONFIG.formatted(upstream.url()))) {
            ProblemJson problem = ProblemJson.of(gw.get("/stall"));

            assertThat(problem.httpStatus()).isEqualTo(504);
            assertThat(problem.detail()).contains("timeouts.response");
            assertStillServes(gw, "/ok");
        }
    }

    @Test
    void aBodyThatStallsClosesTheClientConnectionAfterTimeoutsIdle() {
        try (FakeUpstream upstream = FakeUpstream.start().fault("/stall", Fault.SLOW_BODY);
             GatewayUnderTest gw = GatewayUnderTest.start(CONFIG.formatted(upstream.url()));
             RawClient client = gw.raw()) {
            client.soTimeout((int) WELL_WITHIN.toMillis());
            RawResponse res = client.send("GET /stall HTTP/1.1\r\nHost: gw\r\n\r\n").readResponse();

            assertThat(res.status()).isEqualTo(200);
            assertThat(res.body()).hasSizeLessThan(Integer.parseInt(res.header("content-length")));
            assertThat(client.closedByPeer()).as("closed within " + WELL_WITHIN).isTrue();
            assertStillServes(gw, "/ok");
        }
    }

    @Test
    void anUpstreamThatStopsReadingTheRequestBodyIs504AfterTimeoutsIdle() {
        long declared = 64L * 1024 * 1024;
        try (DeafUpstream upstream = DeafUpstream.start();
             GatewayUnderTest gw = GatewayUnderTest.start(CONFIG.formatted(upstream.url())
                     .replace("listen: 127.0.0.1:0", "listen: 127.0.0.1:0\nlimits: {max_body_bytes: 128MB}"));
             RawClient client = gw.raw()) {
            client.soTimeout((int) WELL_WITHIN.toMillis());
            client.send("POST /upload HTTP/1.1\r\nHost: gw\r\nContent-Length: " + declared + "\r\n\r\n");
            CompletableFuture<Void> sending = CompletableFuture.runAsync(() -> {
                byte[] piece = new byte[64 * 1024];
                for (long sent = 0; sent < declared; sent += piece.length) client.send(piece);
            });
            RawResponse res = client.readResponse();

            assertThat(res).as("an answer before the gateway closes").isNotNull();
            ProblemJson problem = ProblemJson.of(res);
            assertThat(problem.httpStatus()).isEqualTo(504);
            assertThat(problem.detail()).contains("timeouts.idle");
            assertThat(res.header("connection")).isEqualTo("close");
            assertThat(sending).as("the rest of the body is refused").failsWithin(WELL_WITHIN);
        }
    }

    @Test
    void aSlowButSteadyBodyIsNotCutByEitherTimeout() {
        // Ten bytes, one every 100 ms: a full second in all, more than timeouts.response and
        // timeouts.idle, but never silent for long.
        try (FakeUpstream upstream = FakeUpstream.start().handle("/trickle", (req, res) -> {
                res.raw("HTTP/1.1 200 OK\r\nContent-Length: 10\r\nContent-Type: text/plain\r\n\r\n");
                for (int i = 0; i < 10; i++) {
                    Thread.sleep(100);
                    res.raw(String.valueOf(i));
                }
            });
             GatewayUnderTest gw = GatewayUnderTest.start(CONFIG.formatted(upstream.url()))) {
            HttpResponse<String> res = gw.get("/trickle");

            assertThat(res.statusCode()).isEqualTo(200);
            assertThat(res.body()).isEqualTo("0123456789");
        }
    }

    @Test
    void aSlowButSteadyHeadIsWithinTimeoutsResponseOnlyIfItEndsInTime() {
        // timeouts.response covers the whole head: a head trickled over a second is too late
        // even though no single gap reaches timeouts.idle.
        try (FakeUpstream upstream = FakeUpstream.start().handle("/trickle-head", (req, res) -> {
                res.raw("HTTP/1.1 200 OK\r\n");
                for (int i = 0; i < 10; i++) {
                    Thread.sleep(100);
                    res.raw("X-Part-" + i + ": " + i + "\r\n");
                }
                res.raw("Content-Length: 0\r\n\r\n");
            });
             GatewayUnderTest gw = GatewayUnderTest.start(CONFIG.formatted(upstream.url()))) {
            ProblemJson problem = ProblemJson.of(gw.get("/trickle-head"));

            assertThat(problem.httpStatus()).isEqualTo(504);
            assertThat(problem.detail()).contains("timeouts.response");
        }
    }
}
