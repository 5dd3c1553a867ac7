package portico.config;

import java.util.List;
import java.util.Map;

/** Reads inline YAML as {@code portico check} reads a file named {@code test.yaml}. */
final class Configs {
    private Configs() {}

    static ConfigLoader.Result read(String yaml) {
        return read(yaml, Map.of());
    }

    static ConfigLoader.Result read(String yaml, Map<String, String> env) {
        return new ConfigLoader(env).parse("test.yaml", yaml);
    }

    /** Every error exactly as {@code check} prints it. */
    static List<String> errors(String yaml) {
        return errors(yaml, Map.of());
    }

    static List<String> errors(String yaml, Map<String, String> env) {
        return read(yaml, env).problems().errors().stream().map(Problem::toString).toList();
    }

    /** Every warning exactly as {@code check} prints it. */
    static List<String> warnings(String yaml) {
        return read(yaml, Map.of()).problems().warnings().stream().map(Problem::toString).toList();
    }

    static GatewayConfig valid(String yaml) {
        return valid(yaml, Map.of());
    }

    static GatewayConfig valid(String yaml, Map<String, String> env) {
        try {
            return read(yaml, env).orThrow();
        } catch (ConfigException e) {
            throw new AssertionError("expected a valid config, got:\n" + e.getMessage(), e);
        }
    }
}
