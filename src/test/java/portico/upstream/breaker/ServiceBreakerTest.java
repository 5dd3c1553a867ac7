package portico.upstream.breaker;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import portico.config.BreakerConfig;
import portico.testing.FakeTime;
import portico.testing.LogCapture;
import portico.upstream.Outcome;
import portico.upstream.health.ServiceHealth.Circuit;

/** The breaker's life on an injected clock: closed, open, half-open, closed or open again. No sleeps. */
class ServiceBreakerTest {
    private static final long FAST = Duration.ofMillis(5).toNanos();
    private final FakeTime time = new FakeTime();
    private final LogCapture log = LogCapture.of(ServiceBreaker.class);

    private ServiceBreaker breaker(Duration slowCall, List<String> failures) {
        return new ServiceBreaker("orders", new BreakerConfig(0.5, 4, Duration.ofSeconds(10), Duration.ofSeconds(30), 2,
                slowCall, 0.5, failures), time);
    }

    private ServiceBreaker breaker() {
        return breaker(null, BreakerConfig.DEFAULT_FAILURES);
    }

    @AfterEach
    void detach() {
        log.close();
    }

    private static void call(ServiceBreaker b, Outcome o, long nanos) {
        assertThat(b.tryAcquire()).as("permitted").isTrue();
        b.record(o, nanos);
    }

    @Test
    void opensWhenTheFailureRatePassesTheThresholdAfterMinCalls() {
        ServiceBreaker b = breaker();
        call(b, Outcome.response(500), FAST);
        call(b, Outcome.response(200), FAST);
        call(b, Outcome.CONNECT_ERROR, FAST);
        assertThat(b.state()).as("3 calls: below min_calls").isEqualTo(Circuit.CLOSED);

        call(b, Outcome.RESPONSE_TIMEOUT, FAST);

        assertThat(b.state()).isEqualTo(Circuit.OPEN);
        assertThat(b.tryAcquire()).isFalse();
        assertThat(b.retryAfterSeconds()).isEqualTo(30);
    }

    @Test
    void fourHundredsAreTheClientsAndDoNotCount() {
        ServiceBreaker b = breaker();
        for (int i = 0; i < 10; i++) call(b, Outcome.response(404), FAST);

        assertThat(b.state()).isEqualTo(Circuit.CLOSED);
    }

    @Test
    void whatCountsIsConfigurable() {
        ServiceBreaker b = breaker(null, List.of("429"));
        for (int i = 0; i < 4; i++) call(b, Outcome.response(503), FAST);
        assertThat(b.state()).isEqualTo(Circuit.CLOSED);
        for (int i = 0; i < 4; i++) call(b, Outcome.response(429), FAST);

        assertThat(b.state()).isEqualTo(Circuit.OPEN);
    }

    @Test
    void halfOpensAfterOpenForAndClosesWhenTheTrialCallsSucceed() {
        ServiceBreaker b = breaker();
        for (int i = 0; i < 4; i++) call(b, Outcome.response(503), FAST);
        time.advance(Duration.ofSeconds(29));
        assertThat(b.tryAcquire()).isFalse();
        assertThat(b.retryAfterSeconds()).isEqualTo(1);

        time.advance(Duration.ofMillis(1001));  // just past open_for
        call(b, Outcome.response(200), FAST);
        assertThat(b.state()).isEqualTo(Circuit.HALF_OPEN);
        assertThat(b.tryAcquire()).as("the second trial").isTrue();
        assertThat(b.tryAcquire()).as("only half_open_calls at once").isFalse();
        b.record(Outcome.response(200), FAST);

        assertThat(b.state()).isEqualTo(Circuit.CLOSED);
        assertThat(log.lines()).containsExactly(
                "circuit of service 'orders' is open: 100% of the last 4 calls failed and 0% were slow; refusing calls for 30s",
                "circuit of service 'orders' is half-open: letting 2 trial calls through",
                "circuit of service 'orders' is closed: the trial calls succeeded");
    }

    @Test
    void opensAgainWhenTheTrialCallsFail() {
        ServiceBreaker b = breaker();
        for (int i = 0; i < 4; i++) call(b, Outcome.response(503), FAST);
        time.advance(Duration.ofSeconds(30).plusMillis(1));
        call(b, Outcome.RESET, FAST);
        call(b, Outcome.response(200), FAST);

        assertThat(b.state()).isEqualTo(Circuit.OPEN);
        assertThat(b.retryAfterSeconds()).isEqualTo(30);
        assertThat(log.lines("open again")).hasSize(1);
    }

    @Test
    void slowCallsOpenItEvenWhenEveryCallSucceeds() {
        ServiceBreaker b = breaker(Duration.ofSeconds(1), BreakerConfig.DEFAULT_FAILURES);
        call(b, Outcome.response(200), FAST);
        call(b, Outcome.response(200), FAST);
        call(b, Outcome.response(200), Duration.ofSeconds(2).toNanos());
        assertThat(b.state()).isEqualTo(Circuit.CLOSED);

        call(b, Outcome.response(200), Duration.ofSeconds(3).toNanos());

        assertThat(b.state()).isEqualTo(Circuit.OPEN);
        assertThat(log.lines()).singleElement().asString().contains("50% were slow");
    }

    @Test
    void failuresOlderThanTheWindowAreForgotten() {
        ServiceBreaker b = breaker();
        for (int i = 0; i < 3; i++) call(b, Outcome.response(503), FAST);
        time.advance(Duration.ofSeconds(11));
        call(b, Outcome.response(503), FAST);

        assertThat(b.state()).as("only one failure within the last 10 s").isEqualTo(Circuit.CLOSED);
    }

    @Test
    void aCancelledCallGivesItsPermissionBackWithoutAVerdict() {
        ServiceBreaker b = breaker();
        for (int i = 0; i < 4; i++) call(b, Outcome.response(503), FAST);
        time.advance(Duration.ofSeconds(30).plusMillis(1));
        call(b, Outcome.CANCELLED, FAST);
        call(b, Outcome.CANCELLED, FAST);

        assertThat(b.state()).isEqualTo(Circuit.HALF_OPEN);
        assertThat(b.tryAcquire()).as("the permissions came back").isTrue();
    }
}
