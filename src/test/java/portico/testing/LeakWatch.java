package portico.testing;

import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBuf;
import io.netty.util.ResourceLeakDetector;
import io.netty.util.ResourceLeakDetectorFactory;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Turns Netty's leak reports into test failures: a detector that records every report, checked
 * when a {@link GatewayUnderTest} closes. Reports come when leaked buffers are garbage collected,
 * so a check collects first and allocates to give the detector a turn.
 */
final class LeakWatch {
    private static final List<String> LEAKS = new CopyOnWriteArrayList<>();
    private static volatile boolean installed;

    private LeakWatch() {}

    static synchronized void install() {
        if (installed) return;
        installed = true;
        ResourceLeakDetector.setLevel(ResourceLeakDetector.Level.PARANOID);
        ResourceLeakDetectorFactory.setResourceLeakDetectorFactory(new ResourceLeakDetectorFactory() {
            @Override
            @SuppressWarnings("deprecation")
            public <T> ResourceLeakDetector<T> newResourceLeakDetector(Class<T> resource, int samplingInterval, long maxActive) {
                return new ResourceLeakDetector<>(resource, samplingInterval) {
                    @Override
                    protected void reportTracedLeak(String resourceType, String records) {
                        LEAKS.add(resourceType + records);
                    }

                    @Override
                    protected void reportUntracedLeak(String resourceType) {
                        LEAKS.add(resourceType);
                    }
                };
            }
        });
    }

    static void assertNoLeaks() {
        for (int i = 0; i < 3; i++) {
            System.gc();
            ByteBuf b = ByteBufAllocator.DEFAULT.buffer(1);
            b.release();
        }
        if (!LEAKS.isEmpty()) {
            String first = LEAKS.get(0);
            LEAKS.clear();
            throw new AssertionError("Netty reported a leaked buffer:\n" + first);
        }
    }
}
