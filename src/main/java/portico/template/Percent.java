package portico.template;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/** Percent-encoding and -decoding of RFC 3986, UTF-8; '+' is a plus, never a space. */
public final class Percent {
    /** RFC 3986 unreserved: ALPHA DIGIT - . _ ~ */
    static final boolean[] UNRESERVED = table("-._~");
    /** RFC 3986 pchar without '/': unreserved, sub-delims, ':' and '@'. */
    static final boolean[] PCHAR = table("-._~!$&'()*+,;=:@");
    /** Literal text of a path template: pchar, '/' and '%' (taken as already encoded). */
    static final boolean[] PATH_LITERAL = table("-._~!$&'()*+,;=:@/%");
    /** Literal text of a query template: as for a path, and '?'. */
    static final boolean[] QUERY_LITERAL = table("-._~!$&'()*+,;=:@/%?");
    /** An encoded header value: visible ASCII but '%', which starts an encoding. */
    static final boolean[] HEADER_VISIBLE = table("!\"#$&'()*+,-./:;<=>?@[\\]^_`{|}~");

    private Percent() {}

    private static boolean[] table(String extra) {
        boolean[] t = new boolean[128];
        for (char c = 'a'; c <= 'z'; c++) t[c] = true;
        for (char c = 'A'; c <= 'Z'; c++) t[c] = true;
        for (char c = '0'; c <= '9'; c++) t[c] = true;
        for (char c : extra.toCharArray()) t[c] = true;
        return t;
    }

    static void encode(String value, boolean[] safe, StringBuilder out) {
        byte[] bytes = value.getBytes(StandardCharsets.UTF_8);
        for (byte b : bytes) {
            int u = b & 0xff;
            if (u < 128 && safe[u]) {
                out.append((char) u);
            } else {
                out.append('%').append(Character.toUpperCase(Character.forDigit(u >> 4, 16)))
                        .append(Character.toUpperCase(Character.forDigit(u & 0xf, 16)));
            }
        }
    }

    /** A query name or value, percent-encoded. */
    public static String encodeQuery(String value) {
        StringBuilder out = new StringBuilder(value.length() + 8);
        encode(value, UNRESERVED, out);
        return out.toString();
    }

    /** Decodes %XX sequences as UTF-8; a malformed sequence is kept as written. */
    public static String decode(String raw) {
        if (raw.indexOf('%') < 0) return raw;
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(raw.length());
        int i = 0;
        while (i < raw.length()) {
            char c = raw.charAt(i);
            if (c == '%' && i + 2 < raw.length() && hex(raw.charAt(i + 1)) >= 0 && hex(raw.charAt(i + 2)) >= 0) {
                bytes.write(hex(raw.charAt(i + 1)) << 4 | hex(raw.charAt(i + 2)));
                i += 3;
            } else {
                int cp = raw.codePointAt(i);
                byte[] b = new String(Character.toChars(cp)).getBytes(StandardCharsets.UTF_8);
                bytes.write(b, 0, b.length);
                i += Character.charCount(cp);
            }
        }
        return bytes.toString(StandardCharsets.UTF_8);
    }

    private static int hex(char c) {
        return Character.digit(c, 16);
    }
}
