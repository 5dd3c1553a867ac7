package portico.config;

import java.util.function.Function;
import java.util.regex.Pattern;

/**
 * Replaces {@code ${NAME}} and {@code ${NAME:-default}} from the environment; {@code $${} writes a
 * literal {@code ${}. It works on the raw text, before YAML parsing, because the contract's own
 * examples put {@code ${X}} inside flow collections ({@code [${KEY}]}) where a YAML parser would
 * read the braces as syntax. Comments are left alone so that a commented-out line never fails for
 * an unset variable.
 *
 * <p>A value is always data, never YAML: a secret such as {@code a#b: [c} must arrive as those
 * characters, not as a comment or a list. So a value that would not survive as a plain scalar is
 * written as a double-quoted one, and inside quotes it is escaped for that quote style.
 */
final class Interpolation {
    private static final Pattern VARIABLE = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");
    private static final String INDICATORS = "-?:,[]{}#&*!|>'\"%@`";

    /** The text to parse, and how to map its columns back to the file as written. */
    record Result(String text, ColumnMap columns) {}

    private final Function<String, String> env;
    private final Problems problems;
    private final ColumnMap columns = new ColumnMap();
    private int flowDepth;  // open [ and { outside quotes and comments; a flow collection may span lines

    private Interpolation(Function<String, String> env, Problems problems) {
        this.env = env;
        this.problems = problems;
    }

    static Result apply(String text, Function<String, String> env, Problems problems) {
        Interpolation in = new Interpolation(env, problems);
        StringBuilder out = new StringBuilder(text.length());
        String[] lines = text.split("\n", -1);
        for (int li = 0; li < lines.length; li++) {
            if (li > 0) out.append('\n');
            String line = lines[li];
            boolean crlf = line.endsWith("\r");  // Windows line ends: the \r is not part of any value
            out.append(in.line(crlf ? line.substring(0, line.length() - 1) : line, li + 1));
            if (crlf) out.append('\r');
        }
        return new Result(out.toString(), in.columns);
    }

    private String line(String line, int lineNo) {
        StringBuilder out = new StringBuilder(line.length());
        char quote = 0;
        int quoteStart = -1;
        for (int i = 0; i < line.length(); i++) {
            char c = line.charAt(i);
            if (quote == 0 && c == '#' && (i == 0 || Character.isWhitespace(line.charAt(i - 1)))) {
                out.append(line, i, line.length());
                break;
            }
            if (quote == '"' && c == '\\' && i + 1 < line.length()) {
                out.append(c).append(line.charAt(++i));
                continue;
            }
            if (c == '$' && line.startsWith("$${", i)) {
                columns.replaced(lineNo, out.length(), out.length() + 2, i, i + 3);
                out.append("${");
                i += 2;
                continue;
            }
            if (c == '$' && line.startsWith("${", i)) {
                int end = line.indexOf('}', i + 2);
                if (end < 0) {
                    Mark at = new Mark(lineNo, i + 1);
                    problems.error(at, "", "unterminated '${' (expected: ${NAME} or ${NAME:-default})");
                    problems.muteAt(at);
                    out.append(line, i, line.length());
                    break;
                }
                int from = out.length();
                out.append(replacement(line, i, end, quote, quote != 0 ? quoteStart : plainScalarStart(line, i), lineNo));
                columns.replaced(lineNo, from, out.length(), i, end + 1);
                i = end;
                continue;
            }
            if (quote == 0 && (c == '"' || c == '\'') && startsScalar(line, i)) {
                quote = c;
                quoteStart = i;
            } else if (c == quote) {
                quote = 0;  // '' inside single quotes closes and reopens: the same state after both
            } else if (quote == 0 && (c == '[' || c == '{')) {
                flowDepth++;
            } else if (quote == 0 && (c == ']' || c == '}') && flowDepth > 0) {
                flowDepth--;
            }
            out.append(c);
        }
        return out.toString();
    }

    /**
     * What replaces {@code line[start..end]}, a {@code ${...}} seen in the given quote style.
     *
     * @param scalarStart where the scalar holding it starts (its opening quote, if quoted)
     */
    private String replacement(String line, int start, int end, char quote, int scalarStart, int lineNo) {
        String expr = line.substring(start + 2, end);
        int dash = expr.indexOf(":-");
        String name = dash < 0 ? expr : expr.substring(0, dash);
        boolean wholeScalar = quote == 0 && startsScalar(line, start) && endsScalar(line, end);
        Mark at = new Mark(lineNo, start + 1);
        Mark scalar = new Mark(lineNo, scalarStart + 1);
        if (!VARIABLE.matcher(name).matches()) {
            return failed(at, scalar, wholeScalar, "'${" + expr + "}' is not a variable: a name has letters,"
                    + " digits and '_' (write $${ for a literal ${)");
        }
        String value = env.apply(name);
        // As in the shell: the default also replaces a variable that is set but empty.
        if ((value == null || value.isEmpty()) && dash >= 0) value = expr.substring(dash + 2);
        if (value == null) {
            return failed(at, scalar, wholeScalar, "environment variable " + name + " is not set (use ${" + name
                    + ":-default} for a default)");
        }
        if (quote == '"') return escapeDoubleQuoted(value);
        boolean multiLine = value.indexOf('\n') >= 0 || value.indexOf('\r') >= 0;
        if (quote == '\'') {
            if (!multiLine) return value.replace("'", "''");
        } else if (wholeScalar) {
            return plainSafe(value) ? value : "\"" + escapeDoubleQuoted(value) + "\"";
        } else if (!multiLine) {
            return value;
        }
        return failed(at, scalar, wholeScalar, "environment variable " + name + " holds a line break;"
                + " put ${" + name + "} in double quotes");
    }

    /**
     * Reports the mistake and leaves an empty value behind. Whatever the reader would then say
     * about that value (required, not a URL...) is this same mistake, so it is muted.
     */
    private String failed(Mark at, Mark scalar, boolean wholeScalar, String message) {
        problems.error(at, "", message);
        problems.muteAt(at);
        problems.muteAt(scalar);
        return wholeScalar ? "\"\"" : "";
    }

    private static int plainScalarStart(String line, int i) {
        int j = i;
        while (j > 0 && !startsScalar(line, j)) j--;
        return j;
    }

    /** Whether a quote or value at {@code i} begins a scalar rather than sitting inside one. */
    private static boolean startsScalar(String line, int i) {
        int j = i - 1;
        while (j >= 0 && line.charAt(j) == ' ') j--;
        if (j < 0) return true;
        char c = line.charAt(j);
        if (c == '[' || c == '{' || c == ',') return true;
        return (c == ':' || c == '-' || c == '?') && j < i - 1;
    }

    /** Whether the scalar ends right after {@code end}: end of line, a comment, or a flow separator. */
    private boolean endsScalar(String line, int end) {
        int k = end + 1;
        while (k < line.length() && line.charAt(k) == ' ') k++;
        if (k == line.length()) return true;
        char c = line.charAt(k);
        if (c == '#') return k > end + 1;
        return flowDepth > 0 && (c == ',' || c == ']' || c == '}');
    }

    /** A value that YAML reads back as exactly these characters when written bare. */
    private static boolean plainSafe(String v) {
        if (v.isEmpty()) return true;  // an empty value is an empty (null) setting, as if nothing was written
        char first = v.charAt(0);
        if (Character.isWhitespace(first) || Character.isWhitespace(v.charAt(v.length() - 1))) return false;
        if (INDICATORS.indexOf(first) >= 0) {
            boolean followedByText = v.length() > 1 && v.charAt(1) != ' ';
            if (!("-?:".indexOf(first) >= 0 && followedByText)) return false;
        }
        for (int i = 0; i < v.length(); i++) {
            char c = v.charAt(i);
            if (c < 0x20 || c == 0x7f || ",[]{}".indexOf(c) >= 0) return false;
        }
        return !v.contains(": ") && !v.contains(" #") && !v.endsWith(":");
    }

    private static String escapeDoubleQuoted(String v) {
        StringBuilder out = new StringBuilder(v.length() + 8);
        for (int i = 0; i < v.length(); i++) {
            char c = v.charAt(i);
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                default -> {
                    if (c < 0x20 || c == 0x7f) out.append(String.format("\\u%04x", (int) c));
                    else out.append(c);
                }
            }
        }
        return out.toString();
    }
}
