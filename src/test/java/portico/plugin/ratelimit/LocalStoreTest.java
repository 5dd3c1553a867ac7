package portico.plugin.ratelimit;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import portico.testing.FakeTime;

class LocalStoreTest {
    private final FakeTime time = new FakeTime();
    private final portico.plugin.PluginContext.Ticker ticker = time::nanoTime;

    private static RateLimitConfig.Limit limit(long n, Duration window) {
        return new RateLimitConfig.Limit(n + "-per-" + window, n, window, Algorithm.SLIDING_WINDOW, n, List.of(new KeyPart.Ip()));
    }

    @Test
    void aMillionDistinctKeysStayWithinTheBoundAndDoNotPushOutAClientThatKeepsComing() {
        LocalStore store = new LocalStore(List.of(limit(2000, Duration.ofHours(1))), ticker, 10_000);
        String[] hot = {"ip=10.0.0.1"};
        for (int i = 0; i < 500; i++) store.take(hot);

        String[] key = new String[1];
        for (int i = 0; i < 1_000_000; i++) {
            key[0] = "ip=" + i;
            store.take(key);
            if (i % 2000 == 0) store.take(hot);  // the regular client keeps coming during the flood
        }

        assertThat(store.size(0)).isLessThanOrEqualTo(10_000);
        assertThat(store.take(hot).decisions()[0].remaining()).as("its count survived the flood").isEqualTo(2000 - 500 - 500 - 1);
    }

    @Test
    void idleKeysExpireOnTheInjectedClock() {
        LocalStore store = new LocalStore(List.of(limit(5, Duration.ofMinutes(1))), ticker, 1000);
        for (int i = 0; i < 100; i++) store.take(new String[] {"ip=" + i});
        assertThat(store.size(0)).isEqualTo(100);

        time.advance(Duration.ofMinutes(3));  // past two windows: their state no longer matters

        assertThat(store.size(0)).isZero();
    }

    @Test
    void aRequestRefusedByOneLimitUsesUpNoneOfTheOthers() {
        LocalStore store = new LocalStore(List.of(limit(2, Duration.ofSeconds(1)), limit(100, Duration.ofHours(1))), ticker);
        String[] keys = {"ip=a", "ip=a"};
        store.take(keys);
        store.take(keys);

        Outcome refused = store.take(keys);

        assertThat(refused.allowed()).isFalse();
        assertThat(refused.decisions()[0].retry()).isPositive();
        assertThat(refused.decisions()[1].remaining()).isEqualTo(98);
        assertThat(refused.decisions()[1].retry()).as("the hourly limit did not refuse").isZero();
    }

    @Test
    void concurrentRequestsGetExactlyTheLimitBetweenThem() throws InterruptedException {
        LocalStore store = new LocalStore(List.of(limit(10_000, Duration.ofHours(1))), ticker);
        AtomicInteger allowed = new AtomicInteger();
        CountDownLatch go = new CountDownLatch(1);
        List<Thread> threads = new ArrayList<>();
        for (int t = 0; t < 8; t++) {
            Thread thread = new Thread(() -> {
                try {
                    go.await();
                } catch (InterruptedException e) {
                    return;
                }
                for (int i = 0; i < 5_000; i++) if (store.take(new String[] {"ip=same"}).allowed()) allowed.incrementAndGet();
            });
            thread.start();
            threads.add(thread);
        }
        go.countDown();
        for (Thread t : threads) t.join();

        assertThat(allowed.get()).isEqualTo(10_000);
    }
}
