package portico.template;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * A string with values filled in at request time, in the one template syntax of the config:
 * {@code {name}} (a route capture), {@code {query.NAME}}, {@code {header.NAME}},
 * {@code {consumer.name}}, {@code {claims.NAME}} and, in aggregate paths, {@code {PART.FIELD}} (a
 * field of an earlier part's answer; FIELD may be dotted). {@code {{} and {@code }}} stand for literal
 * braces. Parsed once, when the config is read; rendering allocates one StringBuilder.
 */
public final class Template {
    private static final Pattern EXPRESSION = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*(\\.[A-Za-z0-9_.~-]+)?");
    /** Words that start a kind of value: bare, they would silently read a route capture of that name. */
    private static final Set<String> KIND_WORDS = Set.of("query", "header", "claims", "consumer");

    /** Where a value lands decides how it is written: percent-encoded for its position. */
    public enum Position {
        /**
         * A path: each value is one segment (everything but RFC 3986 pchar is percent-encoded,
         * '/' included); literal text keeps '/' and what is already percent-encoded. A segment
         * holding a value may not come out empty, "." or ".." (RFC 3986 section 5.2.4 would
         * remove or merge it, moving the request to another path): that value cannot be filled.
         */
        PATH,
        /**
         * A whole query ({@code a={x}&b=1}): each value is percent-encoded but for unreserved
         * characters, so '&' and '=' in a value cannot make new parameters; literal text keeps them.
         */
        QUERY,
        /** One query value: values and literal text alike are encoded but for unreserved characters. */
        QUERY_VALUE,
        /**
         * A header value. Literal text is as written (the config reader allows printable ASCII
         * only). A value of printable ASCII, space and tab is as it is; any other value (a control
         * character, text outside ASCII) is percent-encoded as UTF-8, its '%', spaces and tabs
         * included, so that nothing is lost and no line break can end the header.
         */
        HEADER,
        /** A JSON string: as it is (the JSON writer escapes what it must). */
        TEXT
    }

    private final String text;
    private final List<Object> pieces;  // String literal or Ref
    private final List<Ref> refs;

    private Template(String text, List<Object> pieces, List<Ref> refs) {
        this.text = text;
        this.pieces = List.copyOf(pieces);
        this.refs = List.copyOf(refs);
    }

    /**
     * @param parts the aggregate part names {@code {PART.FIELD}} may refer to; empty outside an aggregate
     * @throws Invalid with every mistake in the text, each a message fit for the user
     */
    public static Template parse(String text, Set<String> parts) {
        List<Object> pieces = new ArrayList<>();
        List<Ref> refs = new ArrayList<>();
        List<String> problems = new ArrayList<>();
        StringBuilder literal = new StringBuilder();
        int i = 0;
        while (i < text.length()) {
            char c = text.charAt(i);
            if (c == '{' && text.startsWith("{{", i)) {
                literal.append('{');
                i += 2;
            } else if (c == '}' && text.startsWith("}}", i)) {
                literal.append('}');
                i += 2;
            } else if (c == '{') {
                int close = text.indexOf('}', i);
                if (close < 0) {
                    problems.add("'" + text + "' has a '{' without its '}' (write {{ for a literal brace)");
                    break;
                }
                String expr = text.substring(i + 1, close);
                if (!literal.isEmpty()) {
                    pieces.add(literal.toString());
                    literal.setLength(0);
                }
                try {
                    Ref ref = ref(expr, parts, text);
                    pieces.add(ref);
                    refs.add(ref);
                } catch (IllegalArgumentException e) {
                    problems.add(e.getMessage());
                }
                i = close + 1;
            } else if (c == '}') {
                problems.add("'" + text + "' has a '}' without its '{' (write }} for a literal brace)");
                i++;
            } else {
                literal.append(c);
                i++;
            }
        }
        if (!problems.isEmpty()) throw new Invalid(problems);
        if (!literal.isEmpty()) pieces.add(literal.toString());
        return new Template(text, pieces, refs);
    }

    private static Ref ref(String expr, Set<String> parts, String text) {
        if (!EXPRESSION.matcher(expr).matches()) {
            throw new IllegalArgumentException("'" + text + "': {" + expr + "} is not a template value; " + Ref.KINDS);
        }
        int dot = expr.indexOf('.');
        if (dot < 0) {
            if (KIND_WORDS.contains(expr)) {
                throw new IllegalArgumentException("'" + text + "': {" + expr + "} needs a name: "
                        + (expr.equals("consumer") ? "{consumer.name}" : "{" + expr + ".NAME}"));
            }
            return new Ref(Ref.Kind.CAPTURE, null, expr);
        }
        String head = expr.substring(0, dot);
        String rest = expr.substring(dot + 1);
        switch (head) {
            case "query":
                return new Ref(Ref.Kind.QUERY, null, rest);
            case "header":
                return new Ref(Ref.Kind.HEADER, null, rest);
            case "claims":
                return new Ref(Ref.Kind.CLAIM, null, rest);
            case "consumer":
                if (!rest.equals("name")) throw new IllegalArgumentException("'" + text + "': {consumer." + rest + "} is unknown; only {consumer.name} is");
                return new Ref(Ref.Kind.CONSUMER, null, rest);
            default:
                if (parts.contains(head)) return new Ref(Ref.Kind.PART, head, rest);
                String hint = parts.isEmpty() ? "" : " or a part's field as {PART.FIELD} (parts: " + String.join(", ", parts) + ")";
                throw new IllegalArgumentException("'" + text + "': {" + expr + "} is unknown; " + Ref.KINDS + hint);
        }
    }

    /** The template as written. */
    public String text() {
        return text;
    }

    /** The values it refers to, in order. */
    public List<Ref> refs() {
        return refs;
    }

    /** True when it is plain text, with nothing to fill in. */
    public boolean isConstant() {
        return refs.isEmpty();
    }

    /** The literal text between the values, for the config reader's checks. */
    public List<String> literals() {
        List<String> out = new ArrayList<>();
        for (Object p : pieces) if (p instanceof String s) out.add(s);
        return out;
    }

    /**
     * The path's segments that are literal text only and are "." or ".." (for the config reader:
     * a configured path means one place); empty for none.
     */
    public List<String> literalDotSegments() {
        List<String> out = new ArrayList<>();
        StringBuilder segment = new StringBuilder();
        boolean hasValue = false;
        for (Object p : pieces) {
            if (p instanceof Ref) {
                hasValue = true;
                continue;
            }
            for (char c : ((String) p).toCharArray()) {
                if (c == '/') {
                    if (!hasValue && isDot(Percent.decode(segment.toString()))) out.add(Percent.decode(segment.toString()));
                    segment.setLength(0);
                    hasValue = false;
                } else {
                    segment.append(c);
                }
            }
        }
        if (!hasValue && isDot(Percent.decode(segment.toString()))) out.add(Percent.decode(segment.toString()));
        return out;
    }

    private static boolean isDot(String segment) {
        return segment.equals(".") || segment.equals("..");
    }

    /** @return the filled-in text, or null when a value cannot be filled (for what is left out then) */
    public String render(Values values, Position position) {
        try {
            return fill(values, position);
        } catch (Unfilled e) {
            return null;
        }
    }

    /**
     * @return the filled-in text
     * @throws Unfilled naming the first value that is missing or cannot go where it would land
     */
    public String fill(Values values, Position position) throws Unfilled {
        if (refs.isEmpty() && position == Position.TEXT) return pieces.isEmpty() ? "" : (String) pieces.get(0);
        StringBuilder out = new StringBuilder(text.length() + 16);
        int segmentStart = 0;
        Ref valueInSegment = null;  // PATH: the last value written into the current segment
        for (Object p : pieces) {
            if (p instanceof String s) {
                switch (position) {
                    case PATH -> {
                        int from = out.length();
                        Percent.encode(s, Percent.PATH_LITERAL, out);
                        for (int k = from; k < out.length(); k++) {
                            if (out.charAt(k) != '/') continue;
                            if (valueInSegment != null) checkSegment(out, segmentStart, k, valueInSegment);
                            segmentStart = k + 1;
                            valueInSegment = null;
                        }
                    }
                    case QUERY -> Percent.encode(s, Percent.QUERY_LITERAL, out);
                    case QUERY_VALUE -> Percent.encode(s, Percent.UNRESERVED, out);
                    case HEADER, TEXT -> out.append(s);
                }
                continue;
            }
            Ref ref = (Ref) p;
            String v = values.value(ref);
            if (v == null) {
                throw new Unfilled(ref, Unfilled.Reason.MISSING, ref.kind() == Ref.Kind.PART
                        ? ref + " is not in the answer of part '" + ref.part() + "'" : ref + " has no value in this request");
            }
            switch (position) {
                case PATH -> {
                    Percent.encode(v, Percent.PCHAR, out);
                    valueInSegment = ref;
                }
                case QUERY, QUERY_VALUE -> Percent.encode(v, Percent.UNRESERVED, out);
                case HEADER -> {
                    if (isPlainHeaderText(v)) out.append(v);
                    else Percent.encode(v, Percent.HEADER_VISIBLE, out);
                }
                case TEXT -> out.append(v);
            }
        }
        if (valueInSegment != null) checkSegment(out, segmentStart, out.length(), valueInSegment);
        return out.toString();
    }

    private static void checkSegment(StringBuilder out, int from, int to, Ref ref) throws Unfilled {
        String segment = Percent.decode(out.substring(from, to));
        if (segment.isEmpty()) {
            throw new Unfilled(ref, Unfilled.Reason.REFUSED, "the value of " + ref + " is empty, so its path segment would be"
                    + " empty; a value fills exactly one segment");
        }
        if (isDot(segment)) {
            throw new Unfilled(ref, Unfilled.Reason.REFUSED, "the value of " + ref + " would make the path segment '" + segment
                    + "', a dot segment; a value fills exactly one segment");
        }
    }

    /** Printable ASCII, space and tab: sent as it is. */
    static boolean isPlainHeaderText(String v) {
        for (int i = 0; i < v.length(); i++) {
            char c = v.charAt(i);
            if ((c < 0x20 && c != '\t') || c > 0x7e) return false;
        }
        return true;
    }

    @Override
    public String toString() {
        return text;
    }

    /** Looks values up for one request; returns decoded text, or null when the request has none. */
    @FunctionalInterface
    public interface Values {
        /** @throws Unfilled when there is a value but it cannot be text (a part's field that is an object) */
        String value(Ref ref) throws Unfilled;
    }

    /** Every mistake found in one template text. */
    public static final class Invalid extends IllegalArgumentException {
        private final List<String> problems;

        Invalid(List<String> problems) {
            super(String.join("; ", problems));
            this.problems = List.copyOf(problems);
        }

        public List<String> problems() {
            return problems;
        }
    }

    /** A value a template names could not be filled in; stackless, as it is flow control. */
    public static final class Unfilled extends Exception {
        /** Why. */
        public enum Reason {
            /** The request (or the part's answer) has no such value. */
            MISSING,
            /** The value is an object or an array, not text, a number or a boolean. */
            NOT_SCALAR,
            /** The value exists but cannot go where it would land (a dot segment in a path). */
            REFUSED
        }

        private final Ref ref;
        private final Reason reason;

        public Unfilled(Ref ref, Reason reason, String message) {
            super(message, null, false, false);
            this.ref = ref;
            this.reason = reason;
        }

        public Ref ref() {
            return ref;
        }

        public Reason reason() {
            return reason;
        }

        /** Whether the value comes from the client's request, so that failing to fill it is the client's mistake. */
        public boolean fromRequest() {
            return ref.kind() != Ref.Kind.PART;
        }
    }

    /**
     * One value a template names.
     *
     * @param part the aggregate part, for {@link Kind#PART} only
     * @param name the capture, parameter, header or claim name; for a part, its (dotted) field path
     */
    public record Ref(Kind kind, String part, String name) {
        static final String KINDS = "use {name} for a route capture, {query.NAME}, {header.NAME}, {consumer.name} or {claims.NAME}";

        public enum Kind { CAPTURE, QUERY, HEADER, CONSUMER, CLAIM, PART }

        @Override
        public String toString() {
            return switch (kind) {
                case CAPTURE -> "{" + name + "}";
                case QUERY -> "{query." + name + "}";
                case HEADER -> "{header." + name + "}";
                case CONSUMER -> "{consumer.name}";
                case CLAIM -> "{claims." + name + "}";
                case PART -> "{" + part + "." + name + "}";
            };
        }
    }
}
