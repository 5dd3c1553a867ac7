package portico.config;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Function;

/**
 * Collects every problem in one pass so that a user sees all of them at once, not the first.
 * Lists come in file order (line, then column), whatever order the sections were read in.
 */
public final class Problems {
    private static final Comparator<Problem> FILE_ORDER =
            Comparator.comparingInt((Problem p) -> p.mark().line()).thenComparingInt(p -> p.mark().column());

    private final String file;
    private final List<Problem> list = new ArrayList<>();
    private final Set<Mark> muted = new HashSet<>();

    public Problems(String file) {
        this.file = file;
    }

    public String file() {
        return file;
    }

    public void error(Mark mark, String path, String message) {
        if (!muted.contains(mark)) list.add(new Problem(file, mark, path, message, false));
    }

    public void warning(Mark mark, String path, String message) {
        if (!muted.contains(mark)) list.add(new Problem(file, mark, path, message, true));
    }

    /**
     * Drops later problems at this mark: they are consequences of one already reported there (the
     * value an unset {@code ${NAME}} left behind is not also "required" or "not a duration").
     */
    void muteAt(Mark mark) {
        muted.add(mark);
    }

    /** Gives problems reported without a key path (before the YAML was parsed) the path at their mark. */
    void locate(Function<Mark, String> pathAt) {
        list.replaceAll(p -> p.path().isEmpty() ? new Problem(p.file(), p.mark(), pathAt.apply(p.mark()), p.message(), p.warning()) : p);
    }

    public boolean hasErrors() {
        return list.stream().anyMatch(p -> !p.warning());
    }

    public List<Problem> errors() {
        return list.stream().filter(p -> !p.warning()).sorted(FILE_ORDER).toList();
    }

    public List<Problem> warnings() {
        return list.stream().filter(Problem::warning).sorted(FILE_ORDER).toList();
    }

    public List<Problem> all() {
        return list.stream().sorted(FILE_ORDER).toList();
    }
}
