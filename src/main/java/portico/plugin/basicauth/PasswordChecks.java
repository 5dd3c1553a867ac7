package portico.plugin.basicauth;

import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

/**
 * The threads that verify password hashes. bcrypt and PBKDF2 cost tens of milliseconds of CPU
 * each on purpose, far too long for an event loop. The queue is bounded so that a flood of
 * guesses waits here or is refused (429), rather than growing memory without end.
 * One per gateway (SharedResources), closed with it.
 */
final class PasswordChecks implements AutoCloseable {
    static final String KEY = "basic_auth.password-checks";
    private static final int QUEUE = 256;

    private final ThreadPoolExecutor pool;

    PasswordChecks() {
        int threads = Math.max(1, Runtime.getRuntime().availableProcessors() / 2);
        AtomicInteger n = new AtomicInteger();
        pool = new ThreadPoolExecutor(threads, threads, 30, TimeUnit.SECONDS, new ArrayBlockingQueue<>(QUEUE), r -> {
            Thread t = new Thread(r, "portico-password-check-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        pool.allowCoreThreadTimeOut(true);
    }

    /** Runs the check on a pool thread; a full queue fails the stage with RejectedExecutionException. */
    <T> CompletionStage<T> run(Supplier<T> check) {
        try {
            return CompletableFuture.supplyAsync(check, pool);
        } catch (RejectedExecutionException e) {
            return CompletableFuture.failedStage(e);
        }
    }

    @Override
    public void close() {
        pool.shutdownNow();
    }
}
