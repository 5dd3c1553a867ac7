package portico.config;

import java.util.List;
import java.util.stream.Collectors;

/** A config that cannot be used; carries every error found, each with its location. */
public final class ConfigException extends Exception {
    private final List<Problem> problems;

    public ConfigException(List<Problem> problems) {
        super(problems.stream().map(Problem::toString).collect(Collectors.joining("\n")), null, false, false);
        this.problems = List.copyOf(problems);
    }

    public List<Problem> problems() {
        return problems;
    }
}
