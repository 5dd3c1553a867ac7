package portico.upstream.retry;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import java.time.Duration;
import java.util.List;
import java.util.random.RandomGenerator;
import org.junit.jupiter.api.Test;
import portico.config.RetryConfig;
import portico.testing.FakeTime;
import portico.upstream.Outcome;

/** When a failed attempt is tried again: methods, bodies, conditions, attempts, budget and backoff. No sockets, no sleeps. */
class RetryRulesTest {
    private static final HttpHeaders NONE = new DefaultHttpHeaders();
    private final FakeTime time = new FakeTime();

    private RetryPolicy policy(int attempts, List<String> on, double budget, int minPerSecond) {
        return new RetryPolicy(new RetryConfig(attempts, on, 64 * 1024, false, Duration.ofMillis(100), Duration.ofMillis(400),
                budget, minPerSecond), time, RandomGenerator.of("L64X128MixRandom"));
    }

    private RetryPolicy generous() {
        return policy(3, RetryConfig.DEFAULT_ON, 1.0, 100);
    }

    @Test
    void aGetThatWasResetIsRetriedUntilTheAttemptsAreUsed() {
        RetryState s = generous().begin(HttpMethod.GET, NONE, null);

        assertThat(s.next(Outcome.RESET, true)).isNotNegative();
        assertThat(s.next(Outcome.response(503), true)).isNotNegative();
        assertThat(s.next(Outcome.RESET, true)).isNotNegative();
        assertThat(s.next(Outcome.RESET, true)).as("1 + 3 tries, no more").isNegative();
    }

    @Test
    void aPostThatWasSentIsNeverSentAgainButOneThatNeverLeftIs() {
        RetryState post = generous().begin(HttpMethod.POST, NONE, null);

        assertThat(post.next(Outcome.RESET, true)).isNegative();
        assertThat(post.next(Outcome.response(503), true)).isNegative();
        assertThat(post.next(Outcome.CONNECT_ERROR, true)).as("refused: nothing was sent").isNotNegative();
        assertThat(post.next(Outcome.CONNECT_TIMEOUT, false)).isNotNegative();
        assertThat(post.keepsBody()).as("a POST body is never needed twice").isFalse();
    }

    @Test
    void anIdempotencyKeyOrNonIdempotentMakesAPostResendable() {
        RetryState keyed = generous().begin(HttpMethod.POST, new DefaultHttpHeaders().set("Idempotency-Key", "k1"), null);
        RetryState route = generous().begin(HttpMethod.PATCH, NONE, true);
        RetryState forbidden = generous().begin(HttpMethod.PATCH, NONE, false);

        assertThat(keyed.next(Outcome.RESET, true)).isNotNegative();
        assertThat(keyed.keepsBody()).isTrue();
        assertThat(route.next(Outcome.RESET, true)).isNotNegative();
        assertThat(forbidden.next(Outcome.RESET, true)).isNegative();
    }

    @Test
    void aRequestWhoseBodyIsNoLongerHeldIsNotResent() {
        RetryState put = generous().begin(HttpMethod.PUT, NONE, null);

        assertThat(put.next(Outcome.RESET, false)).isNegative();
        assertThat(put.next(Outcome.CONNECT_ERROR, false)).isNotNegative();
    }

    @Test
    void onlyTheListedConditionsAreRetried() {
        RetryState s = policy(5, List.of("connect_error", "503"), 1.0, 100).begin(HttpMethod.GET, NONE, null);

        assertThat(s.next(Outcome.response(500), true)).isNegative();
        assertThat(s.next(Outcome.RESET, true)).isNegative();
        assertThat(s.next(Outcome.RESPONSE_TIMEOUT, true)).isNegative();
        assertThat(s.next(Outcome.CANCELLED, true)).isNegative();
        assertThat(s.next(Outcome.response(503), true)).isNotNegative();
        assertThat(s.next(Outcome.CONNECT_ERROR, true)).isNotNegative();
    }

    @Test
    void withoutARetriesKeyOnlyAFailedConnectIsTriedOnceMore() {
        RetryPolicy p = new RetryPolicy(RetryConfig.UNCONFIGURED, time, RandomGenerator.of("L64X128MixRandom"));
        RetryState s = p.begin(HttpMethod.GET, NONE, null);

        assertThat(s.keepsBody()).isFalse();
        assertThat(s.next(Outcome.RESET, true)).isNegative();
        assertThat(s.next(Outcome.response(503), true)).isNegative();
        assertThat(s.next(Outcome.CONNECT_ERROR, true)).isNotNegative();
        assertThat(s.next(Outcome.CONNECT_ERROR, true)).isNegative();
    }

    @Test
    void theBudgetCapsRetriesAtItsShareOfRequests() {
        RetryPolicy p = policy(3, RetryConfig.DEFAULT_ON, 0.2, 0);
        int retries = 0;
        for (int i = 0; i < 100; i++) {
            RetryState s = p.begin(HttpMethod.GET, NONE, null);
            while (s.next(Outcome.response(503), true) >= 0) retries++;
        }

        assertThat(retries).as("20% of 100 requests, where 3 retries each would be 300").isEqualTo(20);
    }

    @Test
    void theBudgetAllowsAFewRetriesPerSecondWhateverTheRatio() {
        RetryPolicy p = policy(1, RetryConfig.DEFAULT_ON, 0.0, 3);
        int retries = 0;
        for (int i = 0; i < 50; i++) if (p.begin(HttpMethod.GET, NONE, null).next(Outcome.RESET, true) >= 0) retries++;

        assertThat(retries).as("3 per second over the 10 s window").isEqualTo(30);
    }

    @Test
    void theBudgetRefillsAsItsWindowMovesOn() {
        RetryPolicy p = policy(1, RetryConfig.DEFAULT_ON, 0.0, 1);
        for (int i = 0; i < 10; i++) assertThat(p.begin(HttpMethod.GET, NONE, null).next(Outcome.RESET, true)).isNotNegative();
        assertThat(p.begin(HttpMethod.GET, NONE, null).next(Outcome.RESET, true)).isNegative();

        time.advance(Duration.ofSeconds(10));

        assertThat(p.begin(HttpMethod.GET, NONE, null).next(Outcome.RESET, true)).isNotNegative();
    }

    @Test
    void backoffDoublesUpToItsMaximumWithJitterInTheUpperHalf() {
        RandomGenerator lowest = () -> 0L;   // nextLong(bound) of 0 is the shortest wait
        Backoff b = new Backoff(Duration.ofMillis(100), Duration.ofMillis(400), lowest);

        assertThat(b.delayNanos(1)).isEqualTo(Duration.ofMillis(50).toNanos());
        assertThat(b.delayNanos(2)).isEqualTo(Duration.ofMillis(100).toNanos());
        assertThat(b.delayNanos(3)).isEqualTo(Duration.ofMillis(200).toNanos());
        assertThat(b.delayNanos(4)).isEqualTo(Duration.ofMillis(200).toNanos());
        RandomGenerator seeded = RandomGenerator.of("L64X128MixRandom");
        Backoff jittered = new Backoff(Duration.ofMillis(100), Duration.ofMillis(400), seeded);
        for (int i = 0; i < 100; i++) {
            assertThat(jittered.delayNanos(2)).isBetween(Duration.ofMillis(100).toNanos(), Duration.ofMillis(200).toNanos());
        }
    }
}
