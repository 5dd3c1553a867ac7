package portico.config;

import java.util.Map;
import java.util.function.Function;

/**
 * Replaces {@code ${NAME}} and {@code ${NAME:-default}} from the environment. It works on the raw
 * text, before YAML parsing, because the contract's own examples put {@code ${X}} inside flow
 * collections ({@code [${KEY}]}) where a YAML parser would read the braces as syntax. Comments are
 * left alone so that a commented-out line never fails for an unset variable.
 */
final class Interpolation {
    private Interpolation() {}

    static String apply(String text, Function<String, String> env, Problems problems) {
        StringBuilder out = new StringBuilder(text.length());
        String[] lines = text.split("\n", -1);
        for (int li = 0; li < lines.length; li++) {
            if (li > 0) out.append('\n');
            out.append(line(lines[li], li + 1, env, problems));
        }
        return out.toString();
    }

    private static String line(String line, int lineNo, Function<String, String> env, Problems problems) {
        StringBuilder out = new StringBuilder(line.length());
        char quote = 0;
        for (int i = 0; i < line.length(); i++) {
            char c = line.charAt(i);
            if (quote == 0 && c == '#' && (i == 0 || Character.isWhitespace(line.charAt(i - 1)))) {
                out.append(line, i, line.length());
                break;
            }
            if (c == '"' || c == '\'') {
                quote = quote == 0 ? c : (quote == c ? 0 : quote);
            }
            if (c == '$' && i + 1 < line.length() && line.charAt(i + 1) == '{') {
                int end = line.indexOf('}', i + 2);
                if (end < 0) {
                    problems.error(new Mark(lineNo, i + 1), "", "unterminated '${' (expected: ${NAME} or ${NAME:-default})");
                    out.append(line, i, line.length());
                    break;
                }
                String expr = line.substring(i + 2, end);
                int dash = expr.indexOf(":-");
                String name = dash < 0 ? expr : expr.substring(0, dash);
                String value = env.apply(name);
                if (value == null && dash >= 0) {
                    value = expr.substring(dash + 2);
                }
                if (value == null) {
                    problems.error(new Mark(lineNo, i + 1), "", "environment variable " + name
                            + " is not set (use ${" + name + ":-default} for a default)");
                    value = "";
                }
                out.append(value);
                i = end;
                continue;
            }
            out.append(c);
        }
        return out.toString();
    }

    static Function<String, String> of(Map<String, String> env) {
        return env::get;
    }
}
