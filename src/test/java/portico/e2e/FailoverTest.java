package portico.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import portico.testing.FakeUpstream;
import portico.testing.GatewayUnderTest;
import portico.upstream.health.ServiceHealth.State;

/**
 * One target of two dies under load. With no resilience key written, only the requests it held at
 * that moment may fail: the next ones find its connection refused and are sent to the other target
 * (a failed connect sent nothing), and passive health soon stops trying it at all.
 */
class FailoverTest {
    private static final int CLIENTS = 4;

    @Test
    void aTargetKilledMidRunCostsNoMoreThanTheRequestsInFlightThenTrafficMoves() throws Exception {
        try (FakeUpstream doomed = FakeUpstream.start().respond("/", 200, "\"doomed\"");
             FakeUpstream survivor = FakeUpstream.start().respond("/", 200, "\"survivor\"");
             GatewayUnderTest gw = GatewayUnderTest.start("""
                     version: 1
                     listen: 127.0.0.1:0
                     services:
                       shop: {targets: [{url: %s}, {url: %s}]}
                     routes: [{name: shop, match: {paths: [/]}, service: shop}]
                     """.formatted(doomed.url(), survivor.url()))) {
            AtomicInteger done = new AtomicInteger();
            AtomicInteger failed = new AtomicInteger();
            List<CompletableFuture<List<String>>> clients = new ArrayList<>();
            for (int c = 0; c < CLIENTS; c++) {
                clients.add(CompletableFuture.supplyAsync(() -> {
                    List<String> seen = new ArrayList<>();
                    for (int i = 0; i < 150; i++) {
                        String body = call(gw);
                        if (body == null) failed.incrementAndGet();
                        seen.add(body);
                        done.incrementAndGet();
                    }
                    return seen;
                }));
            }
            await().atMost(Duration.ofSeconds(20)).until(() -> done.get() >= 100);
            doomed.close();  // its listener and every connection it had, at once
            List<List<String>> results = new ArrayList<>();
            for (CompletableFuture<List<String>> c : clients) results.add(c.get());

            assertThat(failed.get()).as("at most the requests in flight when it died").isLessThanOrEqualTo(CLIENTS);
            for (List<String> seen : results) {
                assertThat(seen.subList(seen.size() - 20, seen.size())).as("the end of each client's run")
                        .containsOnly("\"survivor\"");
            }
            assertThat(gw.service("shop").health().target("127.0.0.1:" + doomed.port()).state()).isEqualTo(State.EJECTED);
        }
    }

    private static String call(GatewayUnderTest gw) {
        try {
            HttpResponse<String> res = GatewayUnderTest.HTTP.send(HttpRequest.newBuilder(gw.uri("/item"))
                    .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
            return res.statusCode() == 200 ? res.body() : null;
        } catch (Exception e) {
            return null;
        }
    }
}
