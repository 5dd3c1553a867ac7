package portico.upstream;

import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import portico.config.ServiceConfig;
import portico.config.Timeouts;

/** An upstream service at run time: its targets and how to pick one. */
public final class Service {
    private final ServiceConfig config;
    private final Target[] targets;
    private final AtomicInteger next = new AtomicInteger();

    Service(ServiceConfig config, List<Target> targets) {
        this.config = config;
        this.targets = targets.toArray(Target[]::new);
    }

    public String name() {
        return config.name();
    }

    public Timeouts timeouts() {
        return config.timeouts();
    }

    public List<Target> targets() {
        return List.of(targets);
    }

    /** Plain round robin across targets. */
    public Target pick() {
        int i = Math.floorMod(next.getAndIncrement(), targets.length);
        return targets[i];
    }

    void close() {
        for (Target t : targets) t.close();
    }
}
