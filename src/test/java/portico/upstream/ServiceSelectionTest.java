package portico.upstream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.netty.handler.codec.http.DefaultHttpHeaders;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import portico.config.BalanceConfig;
import portico.config.BreakerConfig;
import portico.config.OutlierConfig;
import portico.config.ResilienceConfig;
import portico.config.RetryConfig;
import portico.config.ServiceConfig;
import portico.config.TargetConfig;
import portico.config.Timeouts;
import portico.error.ErrorKind;
import portico.error.GatewayException;
import portico.testing.FakeTime;
import portico.upstream.health.ServiceHealth;

/** {@link Service#select} and {@link Service#record} without sockets: which target, and when none. */
class ServiceSelectionTest {
    private final FakeTime time = new FakeTime();

    private Service service(ResilienceConfig r, int... weights) {
        List<TargetConfig> configs = new ArrayList<>();
        for (int i = 0; i < weights.length; i++) {
            configs.add(new TargetConfig("http://10.0.0." + (i + 1) + ":8080", false, "10.0.0." + (i + 1), 8080, "", weights[i]));
        }
        ServiceConfig sc = new ServiceConfig("orders", configs, Timeouts.DEFAULTS, java.util.Map.of(), r);
        List<Target> targets = configs.stream().map(c -> new Target(c, loop -> null)).toList();
        return new Service(sc, targets, time, TimeSource.THREAD_LOCAL_RANDOM, null);
    }

    private static ResilienceConfig with(OutlierConfig outliers, BreakerConfig breaker) {
        ResilienceConfig d = ResilienceConfig.DEFAULTS;
        return new ResilienceConfig(d.balance(), d.retries(), breaker, null, outliers, null);
    }

    private static String pickAndAnswer(Service s, Outcome outcome) {
        Attempt a = s.select(null, Set.of());
        s.record(a, outcome);
        return a.target().config().host();
    }

    @Test
    void weightsThreeToOneInterleave() {
        Service s = service(ResilienceConfig.DEFAULTS, 3, 1);
        List<String> order = new ArrayList<>();
        for (int i = 0; i < 8; i++) order.add(pickAndAnswer(s, Outcome.response(200)));

        assertThat(order).containsExactly("10.0.0.1", "10.0.0.1", "10.0.0.2", "10.0.0.1", "10.0.0.1", "10.0.0.1", "10.0.0.2", "10.0.0.1");
    }

    @Test
    void aRetryGoesToATargetNotTriedYetWhileThereIsOne() {
        Service s = service(ResilienceConfig.DEFAULTS, 1, 1, 1);
        Target first = s.select(null, Set.of()).target();
        Target second = s.select(null, Set.of(first)).target();
        Target third = s.select(null, Set.of(first, second)).target();
        Target fourth = s.select(null, Set.of(first, second, third)).target();

        assertThat(List.of(first, second, third)).doesNotHaveDuplicates();
        assertThat(fourth).isIn(first, second, third);
    }

    @Test
    void theInFlightCountFollowsSelectAndRecordOnce() {
        Service s = service(ResilienceConfig.DEFAULTS, 1);
        Attempt a = s.select(null, Set.of());
        assertThat(a.target().inFlight()).isEqualTo(1);

        s.record(a, Outcome.response(200));
        s.record(a, Outcome.CANCELLED);  // a safety-net record is ignored

        assertThat(a.target().inFlight()).isZero();
    }

    @Test
    void consecutiveFailuresEjectATargetForAPeriodThatGrows() {
        Service s = service(with(new OutlierConfig(3, Duration.ofSeconds(10), Duration.ofSeconds(25), 0.5), null), 1, 1);
        Target bad = s.targets().get(0);
        eject(s, bad);

        assertThat(s.health().target("10.0.0.1:8080").state()).isEqualTo(ServiceHealth.State.EJECTED);
        for (int i = 0; i < 5; i++) assertThat(s.select(null, Set.of()).target()).isNotEqualTo(bad);

        time.advance(Duration.ofSeconds(10));
        assertThat(s.health().target("10.0.0.1:8080").state()).isEqualTo(ServiceHealth.State.HEALTHY);
        eject(s, bad);
        time.advance(Duration.ofSeconds(19));
        assertThat(s.health().target("10.0.0.1:8080").state()).as("the second ejection lasts twice as long")
                .isEqualTo(ServiceHealth.State.EJECTED);
        time.advance(Duration.ofSeconds(1));
        assertThat(s.health().target("10.0.0.1:8080").state()).isEqualTo(ServiceHealth.State.HEALTHY);
    }

    @Test
    void aSuccessInBetweenStartsTheCountAgain() {
        Service s = service(with(new OutlierConfig(3, Duration.ofSeconds(10), Duration.ofSeconds(25), 0.5), null), 1, 1);
        Target t = s.targets().get(0);
        for (Outcome o : List.of(Outcome.RESET, Outcome.response(503), Outcome.response(200), Outcome.CONNECT_ERROR,
                Outcome.response(404), Outcome.RESPONSE_TIMEOUT)) {
            recordOn(s, t, o);
        }

        assertThat(s.health().target("10.0.0.1:8080").state()).isEqualTo(ServiceHealth.State.HEALTHY);
        assertThat(s.health().target("10.0.0.1:8080").consecutiveFailures()).as("a 404 is an answer: the target works")
                .isEqualTo(1);
    }

    @Test
    void neverMoreThanMaxEjectedOfTheTargetsAreEjected() {
        Service s = service(with(new OutlierConfig(1, Duration.ofSeconds(10), Duration.ofSeconds(10), 0.5), null), 1, 1);
        eject(s, s.targets().get(0));
        eject(s, s.targets().get(1));

        assertThat(s.health().targets()).extracting(ServiceHealth.TargetStatus::state)
                .containsExactly(ServiceHealth.State.EJECTED, ServiceHealth.State.HEALTHY);
    }

    @Test
    void whenNoTargetIsUsableTheAnswerIs503WithRetryAfterUntilTheFirstComesBack() {
        Service s = service(with(new OutlierConfig(1, Duration.ofSeconds(10), Duration.ofSeconds(10), 1.0), null), 1, 1);
        eject(s, s.targets().get(0));
        time.advance(Duration.ofSeconds(3));
        eject(s, s.targets().get(1));

        GatewayException e = catchThrowableOfType(GatewayException.class, () -> s.select(null, Set.of()));

        assertThat(e.kind()).isEqualTo(ErrorKind.NO_HEALTHY_TARGET);
        assertThat(e.headers().get("Retry-After")).isEqualTo("7");
    }

    @Test
    void anOpenCircuitRefusesWithRetryAfterAndTouchesNoTarget() {
        BreakerConfig b = new BreakerConfig(0.5, 2, Duration.ofSeconds(10), Duration.ofSeconds(30), 1, null, 0.5,
                BreakerConfig.DEFAULT_FAILURES);
        Service s = service(with(OutlierConfig.DEFAULTS, b), 1);
        pickAndAnswer(s, Outcome.response(500));
        pickAndAnswer(s, Outcome.response(502));
        time.advance(Duration.ofSeconds(12));

        GatewayException e = catchThrowableOfType(GatewayException.class, () -> s.select(null, Set.of()));

        assertThat(e.kind()).isEqualTo(ErrorKind.CIRCUIT_OPEN);
        assertThat(e.headers().get("Retry-After")).isEqualTo("18");
        assertThat(s.targets().get(0).inFlight()).isZero();
        assertThat(s.health().circuit()).isEqualTo(ServiceHealth.Circuit.OPEN);
    }

    @Test
    void theHashKeyIsTheConfiguredHeaderOrTheClientAddress() {
        ResilienceConfig d = ResilienceConfig.DEFAULTS;
        Service byHeader = service(new ResilienceConfig(new BalanceConfig(BalanceConfig.Strategy.HASH_HEADER, "x-user-id"),
                RetryConfig.UNCONFIGURED, null, null, d.outlierDetection(), null), 1, 1);
        Service byIp = service(new ResilienceConfig(new BalanceConfig(BalanceConfig.Strategy.HASH_IP, null),
                RetryConfig.UNCONFIGURED, null, null, d.outlierDetection(), null), 1, 1);

        assertThat(byHeader.balanceKey(new DefaultHttpHeaders().set("X-User-Id", "42"), "10.1.1.1")).isEqualTo("42");
        assertThat(byIp.balanceKey(new DefaultHttpHeaders().set("X-User-Id", "42"), "10.1.1.1")).isEqualTo("10.1.1.1");
        assertThat(service(ResilienceConfig.DEFAULTS, 1).balanceKey(new DefaultHttpHeaders(), "10.1.1.1")).isNull();
    }

    private static void eject(Service s, Target t) {
        for (int i = 0; i < 10 && s.health().target(t.toString()).state() != ServiceHealth.State.EJECTED; i++) {
            recordOn(s, t, Outcome.CONNECT_ERROR);
        }
    }

    /** An attempt at exactly this target: select until it comes up (round robin), recording the others as fine. */
    private static void recordOn(Service s, Target t, Outcome o) {
        for (int i = 0; i < 10; i++) {
            Attempt a;
            try {
                a = s.select(null, Set.of());
            } catch (GatewayException e) {
                return;
            }
            if (a.target() == t) {
                s.record(a, o);
                return;
            }
            s.record(a, Outcome.CANCELLED);
        }
    }
}
