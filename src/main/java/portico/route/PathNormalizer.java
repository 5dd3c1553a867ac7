package portico.route;

import java.nio.charset.StandardCharsets;

/**
 * Turns a raw request path into the one string the router matches on and the upstream receives
 * (CONTRACT section 5, "Upstream path"). Stateless and thread-safe.
 *
 * <ul>
 *   <li>The path must start with {@code /}. Raw control characters (NUL included), {@code %00} and a
 *       backslash (raw or {@code %5C}) are refused: servers behind the gateway disagree on what they
 *       mean, and a path that means one thing here and another upstream is how access rules are
 *       bypassed.
 *   <li>A percent-encoded unreserved character (ALPHA DIGIT {@code -._~}) is decoded; every other
 *       escape is kept, its hex upper-cased ({@code %2f} becomes {@code %2F}). A {@code %} not
 *       followed by two hex digits is refused.
 *   <li>Dot segments are removed as RFC 3986 section 5.2.4 says ({@code ..} above the root stays at
 *       the root) and duplicate slashes are merged. Decoding runs first, so {@code %2e%2e} is a dot
 *       segment; {@code %2F} is never a separator, so {@code /public/..%2Fadmin} is the single
 *       segment {@code ..%2Fadmin} below {@code /public}.
 *   <li>Characters a path may not carry raw ({@code " < > ^ ` { | }}, space, and bytes 0x80-0xFF)
 *       are percent-encoded, so the upstream always gets a valid request-target.
 * </ul>
 *
 * The input is a string of bytes as Netty decodes the request line (one char per byte); a char
 * above 0xFF cannot come from the wire and is refused.
 */
public final class PathNormalizer {
    private static final char[] HEX = "0123456789ABCDEF".toCharArray();
    /** Unreserved characters (RFC 3986 section 2.3): decoded when escaped. */
    private static final boolean[] UNRESERVED = new boolean[128];
    /** Characters a path segment keeps as they are: unreserved, sub-delims, ':' and '@'. */
    private static final boolean[] PLAIN = new boolean[128];

    static {
        for (char c = 'a'; c <= 'z'; c++) UNRESERVED[c] = true;
        for (char c = 'A'; c <= 'Z'; c++) UNRESERVED[c] = true;
        for (char c = '0'; c <= '9'; c++) UNRESERVED[c] = true;
        for (char c : "-._~".toCharArray()) UNRESERVED[c] = true;
        System.arraycopy(UNRESERVED, 0, PLAIN, 0, 128);
        for (char c : "!$&'()*+,;=:@".toCharArray()) PLAIN[c] = true;
    }

    private PathNormalizer() {}

    /**
     * @param rawPath the request-target's path, without the query
     * @return the normalized path; the same instance when it was already normal
     * @throws BadPathException when the path must be answered with 400
     */
    public static String normalize(String rawPath) {
        if (rawPath == null || rawPath.isEmpty() || rawPath.charAt(0) != '/') {
            throw new BadPathException("the request path must start with '/'");
        }
        return isNormal(rawPath) ? rawPath : rebuild(rawPath);
    }

    /** Most paths need no work; checking that allocates nothing. */
    private static boolean isNormal(String p) {
        char prev = 0;
        for (int i = 0, n = p.length(); i < n; i++) {
            char c = p.charAt(i);
            if (c != '/' && (c >= 128 || !PLAIN[c])) return false;
            // '.' after '/' may start a dot segment: let the slow path decide
            if (prev == '/' && (c == '/' || c == '.')) return false;
            prev = c;
        }
        return true;
    }

    private static String rebuild(String p) {
        int n = p.length();
        int slashes = 0;
        for (int i = 0; i < n; i++) if (p.charAt(i) == '/') slashes++;
        int[] starts = new int[slashes];  // where each kept segment begins in out, to pop on ".."
        int depth = 0;
        StringBuilder out = new StringBuilder(n + 8);
        out.append('/');
        int i = 1;
        while (true) {
            int segStart = out.length();
            int end = p.indexOf('/', i);
            if (end < 0) end = n;
            appendSegment(p, i, end, out, false);
            int len = out.length() - segStart;
            if (len == 1 && out.charAt(segStart) == '.') {
                out.setLength(segStart);
            } else if (len == 2 && out.charAt(segStart) == '.' && out.charAt(segStart + 1) == '.') {
                out.setLength(depth > 0 ? starts[--depth] : segStart);
            } else if (len > 0) {
                starts[depth++] = segStart;
                if (end < n) out.append('/');
            }
            if (end >= n) break;
            i = end + 1;
        }
        return out.toString();
    }

    /**
     * Canonicalizes one literal segment of a route pattern the way {@link #normalize} treats the
     * request, so that {@code /caf%c3%a9}, {@code /café} and {@code /caf%C3%A9} are one pattern.
     * Non-ASCII characters are written as their UTF-8 bytes.
     *
     * @throws IllegalArgumentException with a message fit for the user
     */
    static String canonicalSegment(String segment) {
        StringBuilder out = new StringBuilder(segment.length() + 8);
        try {
            appendSegment(segment, 0, segment.length(), out, true);
        } catch (BadPathException e) {
            throw new IllegalArgumentException(e.getMessage());
        }
        return out.toString();
    }

    private static void appendSegment(String s, int from, int to, StringBuilder out, boolean utf8) {
        for (int i = from; i < to; i++) {
            char c = s.charAt(i);
            if (c == '%') {
                int hi = i + 2 < to ? hex(s.charAt(i + 1)) : -1;
                int lo = i + 2 < to ? hex(s.charAt(i + 2)) : -1;
                if (hi < 0 || lo < 0) throw new BadPathException("malformed percent-encoding in the path");
                int b = hi << 4 | lo;
                if (b == 0) throw new BadPathException("the path contains an encoded NUL (%00)");
                if (b == '\\') throw new BadPathException("the path contains an encoded backslash (%5C)");
                if (b < 128 && UNRESERVED[b]) {
                    out.append((char) b);
                } else {
                    out.append('%').append(HEX[hi]).append(HEX[lo]);
                }
                i += 2;
            } else if (c < 0x20 || c == 0x7F) {
                throw new BadPathException("the path contains a control character");
            } else if (c == '\\') {
                throw new BadPathException("the path contains a backslash");
            } else if (c < 128 && PLAIN[c]) {
                out.append(c);
            } else if (c < 128 || (c <= 0xFF && !utf8)) {
                escape(out, c);
            } else if (utf8) {
                int cp = Character.codePointAt(s, i);
                i += Character.charCount(cp) - 1;
                for (byte b : new String(Character.toChars(cp)).getBytes(StandardCharsets.UTF_8)) escape(out, b & 0xFF);
            } else {
                throw new BadPathException("the path contains a character that is not a byte");
            }
        }
    }

    private static void escape(StringBuilder out, int b) {
        out.append('%').append(HEX[b >> 4]).append(HEX[b & 0xF]);
    }

    private static int hex(char c) {
        if (c >= '0' && c <= '9') return c - '0';
        if (c >= 'A' && c <= 'F') return c - 'A' + 10;
        if (c >= 'a' && c <= 'f') return c - 'a' + 10;
        return -1;
    }
}
