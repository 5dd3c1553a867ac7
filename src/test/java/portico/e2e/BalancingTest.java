package portico.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import portico.testing.FakeUpstream;
import portico.testing.GatewayUnderTest;

/**
 * How requests are shared among a service's targets ({@code balance}), over real sockets: smooth
 * weighted round robin, least requests, and consistent hashing whose keys stay put when a target
 * goes away, except the keys that target had.
 */
class BalancingTest {

    private static FakeUpstream named(String name) {
        return FakeUpstream.start().respond("/", 200, "\"" + name + "\"");
    }

    @Test
    void weightsThreeToOneGiveAABAAndNeverABurst() {
        try (FakeUpstream a = named("a");
             FakeUpstream b = named("b");
             GatewayUnderTest gw = GatewayUnderTest.start("""
                     version: 1
                     listen: 127.0.0.1:0
                     services:
                       shop:
                         targets: [{url: %s, weight: 3}, {url: %s, weight: 1}]
                     routes: [{name: shop, match: {paths: [/]}, service: shop}]
                     """.formatted(a.url(), b.url()))) {
            List<String> order = new ArrayList<>();
            for (int i = 0; i < 8; i++) order.add(gw.get("/item").body());

            assertThat(String.join(" ", order)).isEqualTo("\"a\" \"a\" \"b\" \"a\" \"a\" \"a\" \"b\" \"a\"");
        }
    }

    @Test
    void leastRequestsSendsNothingMoreToATargetStillWorkingOnOne() {
        CountDownLatch release = new CountDownLatch(1);
        try (FakeUpstream slow = FakeUpstream.start().handle("/", (req, res) -> {
                release.await(20, TimeUnit.SECONDS);
                res.body("\"slow\"");
            });
             FakeUpstream fast = named("fast");
             GatewayUnderTest gw = GatewayUnderTest.start("""
                     version: 1
                     listen: 127.0.0.1:0
                     services:
                       shop: {targets: [{url: %s}, {url: %s}], balance: least_requests}
                     routes: [{name: shop, match: {paths: [/]}, service: shop}]
                     """.formatted(slow.url(), fast.url()))) {
            List<CompletableFuture<HttpResponse<String>>> responses = new ArrayList<>();
            for (int i = 0; i < 10; i++) {
                int slowSeen = slow.requestCount();
                CompletableFuture<HttpResponse<String>> r = GatewayUnderTest.HTTP.sendAsync(
                        HttpRequest.newBuilder(gw.uri("/item/" + i)).build(), HttpResponse.BodyHandlers.ofString());
                responses.add(r);
                // One at a time: each request either gets its answer or is the one the slow target holds.
                await().atMost(Duration.ofSeconds(10)).until(() -> r.isDone() || slow.requestCount() > slowSeen);
            }

            assertThat(slow.requestCount()).as("the slow target holds one request and gets no other").isEqualTo(1);
            assertThat(fast.requestCount()).isEqualTo(9);
            release.countDown();
            assertThat(responses).allSatisfy(r -> assertThat(r.join().statusCode()).isEqualTo(200));
        }
    }

    @Test
    void hashingKeepsEachUserOnOneTargetAndALostTargetMovesOnlyItsOwnUsers() {
        List<FakeUpstream> targets = new ArrayList<>();
        for (int i = 0; i < 4; i++) targets.add(named("t" + i));
        String list = String.join(", ", targets.stream().map(t -> "{url: " + t.url() + "}").toList());
        try (GatewayUnderTest gw = GatewayUnderTest.start("""
                version: 1
                listen: 127.0.0.1:0
                services:
                  shop: {targets: [%s], balance: "hash(header:X-User-Id)"}
                routes: [{name: shop, match: {paths: [/]}, service: shop}]
                """.formatted(list))) {
            int users = 200;
            Map<Integer, String> before = new HashMap<>();
            for (int u = 0; u < users; u++) before.put(u, servedTo(gw, u));
            for (int u = 0; u < 20; u++) assertThat(servedTo(gw, u)).as("user " + u + " again").isEqualTo(before.get(u));

            targets.get(2).close();
            Map<Integer, String> after = new HashMap<>();
            for (int u = 0; u < users; u++) after.put(u, servedTo(gw, u));

            long owned = before.values().stream().filter("\"t2\""::equals).count();
            long moved = before.keySet().stream().filter(u -> !before.get(u).equals(after.get(u))).count();
            assertThat(after.values()).as("every user still served, none by the lost target").doesNotContain("\"t2\"", "failed");
            assertThat(moved).as("only the lost target's users moved").isEqualTo(owned);
            assertThat((double) moved / users).as("about 1/4 of the users").isBetween(0.1, 0.4);
        } finally {
            targets.forEach(FakeUpstream::close);
        }
    }

    private static String servedTo(GatewayUnderTest gw, int user) {
        HttpResponse<String> res = gw.send(HttpRequest.newBuilder(gw.uri("/cart")).header("X-User-Id", "user-" + user)
                .timeout(Duration.ofSeconds(10)).build());
        return res.statusCode() == 200 ? res.body() : "failed";
    }
}
