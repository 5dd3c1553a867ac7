package portico.plugin.ratelimit;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The three algorithms' arithmetic, on a hand-moved clock (nanoseconds, as the local store uses). */
class MeterTest {
    private static final long SECOND = Duration.ofSeconds(1).toNanos();
    private static final long WINDOW = 10 * SECOND;

    private static int passed(Meter m, Cell cell, long at, int attempts) {
        int ok = 0;
        for (int i = 0; i < attempts; i++) if (m.take(cell, at, 1).allowed()) ok++;
        return ok;
    }

    @Test
    void aFixedWindowLetsTwiceTheLimitThroughAroundItsBoundary() {
        Meter fixed = new FixedWindowMeter(10, WINDOW);
        Cell cell = new Cell();
        long justBefore = 100 * WINDOW - SECOND / 10;

        int before = passed(fixed, cell, justBefore, 20);
        int after = passed(fixed, cell, justBefore + SECOND / 5, 20);

        assertThat(before + after).as("documented weakness of fixed_window").isEqualTo(20);
    }

    @Test
    void aSlidingWindowDoesNotLetABurstAtTheBoundaryDoubleTheLimit() {
        Meter sliding = new SlidingWindowMeter(10, WINDOW);
        Cell cell = new Cell();
        long justBefore = 100 * WINDOW - SECOND / 10;

        int before = passed(sliding, cell, justBefore, 20);
        int after = passed(sliding, cell, justBefore + SECOND / 5, 20);

        assertThat(before).isEqualTo(10);
        assertThat(after).as("0.1s into the next window the previous one still weighs 99%").isZero();
    }

    @Test
    void aSlidingWindowPassesAgainAsThePreviousWindowFadesAndSaysWhen() {
        Meter sliding = new SlidingWindowMeter(10, WINDOW);
        Cell cell = new Cell();
        long start = 100 * WINDOW;
        passed(sliding, cell, start, 10);  // the whole quota at the start of a window

        Decision refused = sliding.take(cell, start + 9 * SECOND, 1);
        assertThat(refused.allowed()).isFalse();
        // Next window: 10 * (1 - e/10s) <= 9 from e = 1s, that is 2s after the refusal.
        assertThat(refused.retry()).isEqualTo(2 * SECOND);
        assertThat(sliding.take(cell, start + 11 * SECOND - 1, 1).allowed()).isFalse();
        assertThat(sliding.take(cell, start + 11 * SECOND, 1).allowed()).isTrue();
        // Half-way through, half of the previous window still counts: 5 + the one above.
        assertThat(passed(sliding, cell, start + 15 * SECOND, 10)).isEqualTo(4);
    }

    @Test
    void aSlidingWindowLimitIsExactWithinOneWindow() {
        Meter sliding = new SlidingWindowMeter(100, WINDOW);
        Cell cell = new Cell();
        long start = 100 * WINDOW;
        int ok = 0;
        for (int ms = 0; ms < 10_000; ms += 10) ok += passed(sliding, cell, start + ms * 1_000_000L, 1);
        assertThat(ok).isEqualTo(100);
    }

    @Test
    void aTokenBucketSpendsItsBurstThenRefillsSteadily() {
        Meter bucket = new TokenBucketMeter(10, 20, WINDOW);  // 1 per second, 20 at once
        Cell cell = new Cell();
        long start = 5 * WINDOW;

        assertThat(passed(bucket, cell, start, 30)).isEqualTo(20);
        Decision refused = bucket.take(cell, start, 1);
        assertThat(refused.retry()).isEqualTo(SECOND);
        assertThat(passed(bucket, cell, start + SECOND / 2, 5)).isZero();
        assertThat(passed(bucket, cell, start + 3 * SECOND, 5)).isEqualTo(3);
        assertThat(bucket.take(cell, start + 100 * SECOND, 1).remaining()).as("never more than the burst").isEqualTo(19);
    }

    @Test
    void aRefundGivesThePermitBackOnlyInTheWindowItCameFrom() {
        Meter fixed = new FixedWindowMeter(2, WINDOW);
        Cell cell = new Cell();
        long start = 7 * WINDOW;
        Decision first = fixed.take(cell, start, 1);
        fixed.take(cell, start, 1);

        fixed.refund(cell, start + SECOND, first.window(), 1);
        assertThat(fixed.take(cell, start + SECOND, 1).allowed()).isTrue();
        assertThat(fixed.take(cell, start + SECOND, 1).allowed()).isFalse();

        fixed.refund(cell, start + WINDOW, first.window(), 1);  // the next window: nothing to give back
        assertThat(fixed.take(cell, start + WINDOW, 1).remaining()).isEqualTo(1);
    }

    @Test
    void aLeaseTakesWhatIsLeftWhenItAsksForMore() {
        Meter fixed = new FixedWindowMeter(10, WINDOW);
        Cell cell = new Cell();
        assertThat(fixed.take(cell, 0, 7).granted()).isEqualTo(7);
        assertThat(fixed.take(cell, 0, 7).granted()).isEqualTo(3);
        assertThat(fixed.take(cell, 0, 7).granted()).isZero();
    }
}
