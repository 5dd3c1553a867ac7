package portico.config;

import java.util.ArrayList;
import java.util.List;

/** Collects every problem in one pass so that a user sees all of them at once, not the first. */
public final class Problems {
    private final String file;
    private final List<Problem> list = new ArrayList<>();

    public Problems(String file) {
        this.file = file;
    }

    public String file() {
        return file;
    }

    public void error(Mark mark, String path, String message) {
        list.add(new Problem(file, mark, path, message, false));
    }

    public void warning(Mark mark, String path, String message) {
        list.add(new Problem(file, mark, path, message, true));
    }

    public boolean hasErrors() {
        return list.stream().anyMatch(p -> !p.warning());
    }

    public List<Problem> errors() {
        return list.stream().filter(p -> !p.warning()).toList();
    }

    public List<Problem> warnings() {
        return list.stream().filter(Problem::warning).toList();
    }

    public List<Problem> all() {
        return List.copyOf(list);
    }
}
