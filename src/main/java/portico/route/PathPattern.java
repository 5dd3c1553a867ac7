package portico.route;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * One compiled {@code match.paths} entry (CONTRACT section 5, "Path patterns"). Immutable and
 * thread-safe. Patterns are matched against paths already put through {@link PathNormalizer}.
 *
 * <ul>
 *   <li>{@code /users} is a prefix that stops at a segment boundary: it matches {@code /users},
 *       {@code /users/} and {@code /users/1}, never {@code /usersX}. A trailing slash on a prefix
 *       changes nothing ({@code /users/} is {@code /users}).
 *   <li>{@code {name}} is a whole segment and captures exactly one non-empty segment.
 *   <li>A trailing {@code $} makes the pattern exact: {@code /users$} matches {@code /users} only,
 *       {@code /users/$} matches {@code /users/} only, {@code /$} matches {@code /} only. The bare
 *       {@code /} matches every path.
 *   <li>{@code ~REGEX} is a Java regex; its named groups are the captures. It is applied with
 *       {@link Matcher#lookingAt()} (anchored at the start, not at the end), and the match must end
 *       at a segment boundary (end of path, before a {@code /}, or just after one). So
 *       {@code ~^/v\d+} matches {@code /v2/x} but not {@code /v2x}; end the regex with {@code $} to
 *       make it exact.
 * </ul>
 *
 * Literal segments are canonicalized like requests ({@code %7e} is {@code ~}, {@code %2f} is
 * {@code %2F}, {@code é} is {@code %C3%A9}); literal matching is case-sensitive.
 */
public final class PathPattern {
    private static final Pattern CAPTURE_NAME = Pattern.compile("[A-Za-z][A-Za-z0-9_]*");
    private static final Pattern REGEX_GROUP = Pattern.compile("\\(\\?<([a-zA-Z][a-zA-Z0-9]*)>");

    private final String text;
    private final boolean exact;
    /** Per segment: the literal text, or null where a capture stands. Empty for a regex. */
    private final String[] literals;
    /** Per segment: the capture name, or null where a literal stands. */
    private final String[] names;
    private final Pattern regex;
    private final List<String> captureNames;
    /** For a regex: the whole segments its match must start with (for shadow warnings only). */
    private final String[] regexLeadingSegments;

    private PathPattern(String text, boolean exact, String[] literals, String[] names, Pattern regex,
                        List<String> captureNames, String[] regexLeadingSegments) {
        this.text = text;
        this.exact = exact;
        this.literals = literals;
        this.names = names;
        this.regex = regex;
        this.captureNames = captureNames;
        this.regexLeadingSegments = regexLeadingSegments;
    }

    /**
     * @param pattern as written under {@code match.paths}
     * @throws IllegalArgumentException with a message fit for the user (config validation calls this)
     */
    public static PathPattern compile(String pattern) {
        if (pattern == null || pattern.isEmpty()) throw new IllegalArgumentException("a path pattern must not be empty");
        if (pattern.charAt(0) == '~') return compileRegex(pattern);
        if (pattern.charAt(0) != '/') {
            throw new IllegalArgumentException("a path pattern starts with '/' (or '~' for a regex), was '" + pattern + "'");
        }
        boolean exact = pattern.endsWith("$");
        String body = exact ? pattern.substring(0, pattern.length() - 1) : pattern;
        List<String> segments = new ArrayList<>(Arrays.asList(body.substring(1).split("/", -1)));
        // "/users/" as a prefix means "/users"; only an exact pattern can ask for the trailing slash.
        if (!exact && segments.get(segments.size() - 1).isEmpty()) segments.remove(segments.size() - 1);
        int n = segments.size();
        String[] literals = new String[n];
        String[] names = new String[n];
        List<String> captureNames = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            String seg = segments.get(i);
            boolean last = i == n - 1;
            if (seg.isEmpty()) {
                if (exact && last) {
                    literals[i] = "";
                    continue;
                }
                throw new IllegalArgumentException("'" + pattern + "' has an empty segment ('//'); requests never do, as '//' is merged");
            }
            if (seg.startsWith("{") && seg.endsWith("}")) {
                String name = seg.substring(1, seg.length() - 1);
                if (name.isEmpty()) throw new IllegalArgumentException("'" + pattern + "' has a capture without a name: {}");
                if (!CAPTURE_NAME.matcher(name).matches()) {
                    throw new IllegalArgumentException("'" + pattern + "': a capture name has letters, digits and '_' and starts with a letter, was '" + name + "'");
                }
                if (captureNames.contains(name)) throw new IllegalArgumentException("'" + pattern + "' captures '" + name + "' twice");
                names[i] = name;
                captureNames.add(name);
                continue;
            }
            if (seg.indexOf('{') >= 0 || seg.indexOf('}') >= 0) {
                throw new IllegalArgumentException("'" + pattern + "': a capture must be a whole segment, as in /users/{id}, was '" + seg + "'");
            }
            String literal;
            try {
                literal = PathNormalizer.canonicalSegment(seg);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("'" + pattern + "': " + e.getMessage().replace("the path", "it"));
            }
            if (literal.equals(".") || literal.equals("..")) {
                throw new IllegalArgumentException("'" + pattern + "' has a '" + literal + "' segment; requests never do, as dot segments are removed first");
            }
            literals[i] = literal;
        }
        return new PathPattern(pattern, exact, literals, names, null, List.copyOf(captureNames), null);
    }

    private static PathPattern compileRegex(String pattern) {
        String re = pattern.substring(1);
        if (re.isEmpty()) throw new IllegalArgumentException("'~' must be followed by a regex");
        Pattern compiled;
        try {
            compiled = Pattern.compile(re);
        } catch (PatternSyntaxException e) {
            throw new IllegalArgumentException("invalid regex '" + re + "': " + e.getDescription() + " near index " + e.getIndex());
        }
        List<String> captureNames = new ArrayList<>();
        Matcher m = REGEX_GROUP.matcher(re);
        while (m.find()) {
            String name = m.group(1);
            if (!captureNames.contains(name) && isGroup(re, name)) captureNames.add(name);
        }
        return new PathPattern(pattern, false, new String[0], new String[0], compiled, List.copyOf(captureNames),
                leadingSegments(re));
    }

    /**
     * Java 17 has no public list of a pattern's named groups; {@code (?<n>} text may sit in a
     * character class or a quote. Declaring the name a second time fails only when it is real.
     */
    private static boolean isGroup(String re, String name) {
        try {
            Pattern.compile("(?:" + re + ")|(?<" + name + ">)");
            return false;
        } catch (PatternSyntaxException e) {
            return true;
        }
    }

    /** The whole segments a regex's matches must start with, from its leading literal text. */
    private static String[] leadingSegments(String re) {
        if (re.indexOf('|') >= 0) return new String[0];  // alternation: any branch may start elsewhere
        int i = re.startsWith("^") ? 1 : 0;
        StringBuilder lit = new StringBuilder();
        for (; i < re.length(); i++) {
            char c = re.charAt(i);
            if ("\\[](){}.*+?^$|".indexOf(c) >= 0) {
                // a quantifier applies to the character before it: that one is not certain
                if ("*+?{".indexOf(c) >= 0 && lit.length() > 0) lit.setLength(lit.length() - 1);
                break;
            }
            lit.append(c);
        }
        String s = lit.toString();
        int lastSlash = s.lastIndexOf('/');
        if (!s.startsWith("/") || lastSlash <= 0) return new String[0];
        return s.substring(1, lastSlash).split("/", -1);
    }

    /** The result of a match: captures (raw, still percent-encoded), the matched part and the rest. */
    public record Match(Map<String, String> captures, String matchedPrefix, String remainder) {}

    /**
     * @param normalizedPath a path from {@link PathNormalizer#normalize}
     * @return null when the path does not match
     */
    public Match match(String normalizedPath) {
        int end = matchedLength(normalizedPath);
        if (end < 0) return null;
        return new Match(captures(normalizedPath), normalizedPath.substring(0, end),
                end == normalizedPath.length() ? "/" : normalizedPath.substring(end));
    }

    /**
     * How much of the path this pattern matches, or -1. The matched part never ends with '/', so
     * that the remainder (for strip_prefix) always starts with one.
     */
    int matchedLength(String path) {
        if (regex != null) {
            Matcher m = regex.matcher(path);
            return m.lookingAt() ? regexEnd(path, m.end()) : -1;
        }
        int len = path.length();
        int pos = 1;  // start of the next path segment, -1 once all were consumed
        int matched = 0;
        for (int s = 0; s < literals.length; s++) {
            if (pos < 0) return -1;
            int end = path.indexOf('/', pos);
            if (end < 0) end = len;
            String lit = literals[s];
            if (lit != null) {
                if (end - pos != lit.length() || !path.regionMatches(pos, lit, 0, lit.length())) return -1;
            } else if (end == pos) {
                return -1;
            }
            matched = end;
            pos = end < len ? end + 1 : -1;
        }
        if (exact && pos >= 0) return -1;
        return matched;
    }

    private static int regexEnd(String path, int end) {
        boolean afterSlash = end > 0 && path.charAt(end - 1) == '/';
        if (end < path.length() && path.charAt(end) != '/' && !afterSlash) return -1;
        return afterSlash ? end - 1 : end;
    }

    private Map<String, String> captures(String path) {
        if (captureNames.isEmpty()) return Map.of();
        Map<String, String> out = new LinkedHashMap<>();
        if (regex != null) {
            Matcher m = regex.matcher(path);
            if (m.lookingAt()) {
                for (String name : captureNames) {
                    String v = m.group(name);
                    if (v != null) out.put(name, v);  // a group that took no part is left out
                }
            }
            return Collections.unmodifiableMap(out);
        }
        int pos = 1;
        for (int s = 0; s < literals.length && pos >= 0; s++) {
            int end = path.indexOf('/', pos);
            if (end < 0) end = path.length();
            if (names[s] != null) out.put(names[s], path.substring(pos, end));
            pos = end < path.length() ? end + 1 : -1;
        }
        return Collections.unmodifiableMap(out);
    }

    /** The pattern as written. */
    public String text() {
        return text;
    }

    public boolean isRegex() {
        return regex != null;
    }

    /** True for a literal pattern ending in {@code $}; a regex is exact only by its own anchors. */
    public boolean isExact() {
        return exact;
    }

    /** Capture names in the order they appear. */
    public List<String> captureNames() {
        return captureNames;
    }

    int segmentCount() {
        return literals.length;
    }

    /** The literal of segment i, or null when segment i is a capture. */
    String literal(int i) {
        return literals[i];
    }

    /**
     * True when every path this pattern matches, {@code other} matches too. Exact for literal
     * patterns; for a regex only what its leading literal text proves (false when unsure).
     */
    boolean coveredBy(PathPattern other) {
        if (other.regex != null) return regex != null && other.text.equals(text);
        if (regex != null) {
            if (other.exact || other.literals.length > regexLeadingSegments.length) return false;
            for (int i = 0; i < other.literals.length; i++) {
                String lit = other.literals[i];
                String seg = regexLeadingSegments[i];
                if (lit != null ? !lit.equals(seg) : seg.isEmpty()) return false;
            }
            return true;
        }
        if (other.exact && (!exact || other.literals.length != literals.length)) return false;
        if (other.literals.length > literals.length) return false;
        for (int i = 0; i < other.literals.length; i++) {
            String theirs = other.literals[i];
            String mine = literals[i];
            if (theirs != null ? !theirs.equals(mine) : mine != null && mine.isEmpty()) return false;
        }
        return true;
    }

    /** Same paths matched, same captures positions: two routes with this are duplicates. */
    boolean sameShape(PathPattern other) {
        if (regex != null || other.regex != null) return text.equals(other.text);
        return exact == other.exact && Arrays.equals(literals, other.literals);  // null marks a capture
    }

    @Override
    public String toString() {
        return text;
    }
}
