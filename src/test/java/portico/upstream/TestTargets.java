package portico.upstream;

import java.util.ArrayList;
import java.util.List;
import portico.config.TargetConfig;

/** Targets without connection pools, for tests of selection and health that open no socket. */
public final class TestTargets {
    private TestTargets() {}

    /** 10.0.0.1:8080, 10.0.0.2:8080, ... with weight 1. */
    public static List<Target> of(int n) {
        List<Target> out = new ArrayList<>();
        for (int i = 1; i <= n; i++) {
            TargetConfig c = new TargetConfig("http://10.0.0." + i + ":8080", false, "10.0.0." + i, 8080, "", 1);
            out.add(new Target(c, loop -> {
                throw new IllegalStateException("a test target has no connection pool");
            }));
        }
        return out;
    }
}
