package portico.template;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * A string with values filled in at request time, in the one template syntax of CONTRACT section 5:
 * {@code {name}} (a route capture), {@code {query.NAME}}, {@code {header.NAME}},
 * {@code {consumer.name}}, {@code {claims.NAME}} and, in aggregate paths, {@code {PART.FIELD}} (a
 * field of an earlier part's answer; FIELD may be dotted). {@code {{} and {@code }}} stand for literal
 * braces. Parsed once, when the config is read; rendering allocates one StringBuilder.
 */
public final class Template {
    private static final Pattern EXPRESSION = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*(\\.[A-Za-z0-9_.~-]+)?");

    /** Where a value lands decides how it is written (CONTRACT section 5: percent-encoded for its position). */
    public enum Position {
        /**
         * A path: each value is one segment (everything but RFC 3986 pchar is percent-encoded,
         * '/' included); literal text keeps '/' and what is already percent-encoded.
         */
        PATH,
        /**
         * A whole query ({@code a={x}&b=1}): each value is percent-encoded but for unreserved
         * characters, so '&' and '=' in a value cannot make new parameters; literal text keeps them.
         */
        QUERY,
        /** One query value: values and literal text alike are encoded but for unreserved characters. */
        QUERY_VALUE,
        /** A header value or a JSON string: as it is; a value with a control character counts as missing. */
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
     * @throws IllegalArgumentException with a message fit for the user
     */
    public static Template parse(String text, Set<String> parts) {
        List<Object> pieces = new ArrayList<>();
        List<Ref> refs = new ArrayList<>();
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
                if (close < 0) throw new IllegalArgumentException("'" + text + "' has a '{' without its '}' (write {{ for a literal brace)");
                String expr = text.substring(i + 1, close);
                if (!literal.isEmpty()) {
                    pieces.add(literal.toString());
                    literal.setLength(0);
                }
                Ref ref = ref(expr, parts, text);
                pieces.add(ref);
                refs.add(ref);
                i = close + 1;
            } else if (c == '}') {
                throw new IllegalArgumentException("'" + text + "' has a '}' without its '{' (write }} for a literal brace)");
            } else {
                literal.append(c);
                i++;
            }
        }
        if (!literal.isEmpty()) pieces.add(literal.toString());
        return new Template(text, pieces, refs);
    }

    private static Ref ref(String expr, Set<String> parts, String text) {
        if (!EXPRESSION.matcher(expr).matches()) {
            throw new IllegalArgumentException("'" + text + "': {" + expr + "} is not a template value; " + Ref.KINDS);
        }
        int dot = expr.indexOf('.');
        if (dot < 0) return new Ref(Ref.Kind.CAPTURE, null, expr);
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

    /** @return the filled-in text, or null when a value it names is missing (the caller skips what it was for) */
    public String render(Values values, Position position) {
        if (refs.isEmpty() && position == Position.TEXT) return pieces.isEmpty() ? "" : (String) pieces.get(0);
        StringBuilder out = new StringBuilder(text.length() + 16);
        for (Object p : pieces) {
            if (p instanceof String s) {
                switch (position) {
                    case PATH -> Percent.encode(s, Percent.PATH_LITERAL, out);
                    case QUERY -> Percent.encode(s, Percent.QUERY_LITERAL, out);
                    case QUERY_VALUE -> Percent.encode(s, Percent.UNRESERVED, out);
                    case TEXT -> out.append(s);
                }
                continue;
            }
            String v = values.value((Ref) p);
            if (v == null) return null;
            switch (position) {
                case PATH -> Percent.encode(v, Percent.PCHAR, out);
                case QUERY, QUERY_VALUE -> Percent.encode(v, Percent.UNRESERVED, out);
                case TEXT -> {
                    if (hasControl(v)) return null;
                    out.append(v);
                }
            }
        }
        return out.toString();
    }

    private static boolean hasControl(String v) {
        for (int i = 0; i < v.length(); i++) {
            char c = v.charAt(i);
            if (c < 0x20 && c != '\t' || c == 0x7f) return true;
        }
        return false;
    }

    @Override
    public String toString() {
        return text;
    }

    /** Looks values up for one request; returns decoded text, or null when the request has none. */
    @FunctionalInterface
    public interface Values {
        String value(Ref ref);
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
