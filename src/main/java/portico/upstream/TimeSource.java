package portico.upstream;

import java.time.Clock;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.LongSupplier;
import java.util.random.RandomGenerator;

/**
 * Where resilience reads the time: breaker windows and open periods, ejection periods, the retry
 * budget's window and call durations. Injected so that tests move time instead of waiting for it.
 * Netty timers (timeouts, backoff, probe intervals) run on real time.
 */
public interface TimeSource {
    /** Monotonic nanoseconds, as {@link System#nanoTime()}: for durations and deadlines. */
    long nanoTime();

    /** The wall clock, for resilience4j (its time window and open state read a {@link Clock}). */
    Clock clock();

    TimeSource SYSTEM = of(Clock.systemUTC(), System::nanoTime);

    static TimeSource of(Clock clock, LongSupplier nanos) {
        return new TimeSource() {
            @Override
            public long nanoTime() {
                return nanos.getAsLong();
            }

            @Override
            public Clock clock() {
                return clock;
            }
        };
    }

    /** Uniform randomness from the calling thread's {@link ThreadLocalRandom}: no contention across event loops. */
    RandomGenerator THREAD_LOCAL_RANDOM = () -> ThreadLocalRandom.current().nextLong();
}
