package portico.http;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Locale;
import java.util.zip.DeflaterOutputStream;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;
import java.util.zip.Inflater;
import java.util.zip.InflaterInputStream;

/**
 * The {@code Content-Encoding}s the gateway can undo and redo when it must read a whole body
 * (RFC 9110 section 8.4.1): none, {@code gzip} and {@code deflate}. Decoding is bounded, so a
 * small compressed body cannot expand past the caller's limit.
 */
public enum ContentCoding {
    IDENTITY, GZIP, DEFLATE;

    /** @return the coding for a {@code Content-Encoding} value, or null for one the gateway cannot decode (br, zstd, a list) */
    public static ContentCoding of(String header) {
        if (header == null || header.isBlank()) return IDENTITY;
        return switch (header.trim().toLowerCase(Locale.ROOT)) {
            case "identity" -> IDENTITY;
            case "gzip", "x-gzip" -> GZIP;
            case "deflate" -> DEFLATE;
            default -> null;
        };
    }

    /** Thrown when the decoded body would be larger than allowed. */
    public static final class TooLarge extends IOException {
        public TooLarge(long limit) {
            super("decodes to more than " + limit + " bytes", null);
        }
    }

    /** @throws IOException when the body is not in this coding, or {@link TooLarge} past {@code maxBytes} */
    public byte[] decode(byte[] body, long maxBytes) throws IOException {
        if (this == IDENTITY) return body;
        try (InputStream in = this == GZIP ? new GZIPInputStream(new ByteArrayInputStream(body))
                : new InflaterInputStream(new ByteArrayInputStream(body), new Inflater(isRawDeflate(body)))) {
            ByteArrayOutputStream out = new ByteArrayOutputStream(Math.max(256, body.length * 4));
            byte[] buf = new byte[8192];
            long total = 0;
            for (int n; (n = in.read(buf)) > 0; ) {
                total += n;
                if (total > maxBytes) throw new TooLarge(maxBytes);
                out.write(buf, 0, n);
            }
            return out.toByteArray();
        }
    }

    public byte[] encode(byte[] body) {
        if (this == IDENTITY) return body;
        ByteArrayOutputStream out = new ByteArrayOutputStream(Math.max(64, body.length / 2));
        try (DeflaterOutputStream z = this == GZIP ? new GZIPOutputStream(out) : new DeflaterOutputStream(out)) {
            z.write(body);
        } catch (IOException e) {
            throw new UncheckedIOException(e);  // in memory: cannot happen
        }
        return out.toByteArray();
    }

    /** "deflate" means zlib-wrapped (RFC 9110 section 8.4.1.2), but some servers send raw deflate. */
    private static boolean isRawDeflate(byte[] body) {
        if (body.length < 2) return true;
        int cmf = body[0] & 0xff;
        int flg = body[1] & 0xff;
        return (cmf & 0x0f) != 8 || ((cmf << 8) | flg) % 31 != 0;
    }
}
