package portico.aggregate;

import java.time.Duration;
import java.util.List;
import portico.config.AggregateConfig;
import portico.upstream.Service;

/**
 * A part compiled against its revision: its service, its timeout, the parts it waits for (by
 * index) and where its value goes in the answer (a field path from the top).
 */
record Part(int index, AggregateConfig.Part config, Service service, Duration timeout, List<Integer> dependsOn,
            List<String> placement) {
    String name() {
        return config.name();
    }
}
