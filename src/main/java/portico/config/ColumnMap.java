package portico.config;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Maps a position in the interpolated text back to where the user wrote it. A replaced
 * {@code ${NAME}} rarely has the length of its value, so without this every error after it on
 * the same line would point at the wrong column. Interpolation never adds or removes a line.
 */
final class ColumnMap {
    static final ColumnMap IDENTITY = new ColumnMap();

    /** One replacement on a line, 0-based, end exclusive, in interpolated and original columns. */
    private record Replacement(int from, int to, int originalFrom, int originalTo) {}

    private final Map<Integer, List<Replacement>> byLine = new HashMap<>();

    void replaced(int line, int from, int to, int originalFrom, int originalTo) {
        byLine.computeIfAbsent(line, l -> new ArrayList<>()).add(new Replacement(from, to, originalFrom, originalTo));
    }

    /** @return the mark in the file as written; a mark inside a replacement is the {@code ${} that made it */
    Mark original(Mark m) {
        List<Replacement> line = byLine.get(m.line());
        if (line == null || m.column() < 1) return m;
        int at = m.column() - 1;
        int shift = 0;
        for (Replacement r : line) {  // in line order
            if (at < r.from()) break;
            if (at < r.to()) return new Mark(m.line(), r.originalFrom() + 1);
            shift = r.originalTo() - r.to();
        }
        return new Mark(m.line(), at + shift + 1);
    }
}
