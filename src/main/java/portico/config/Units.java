package portico.config;

import java.time.Duration;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The config's unit syntax: durations {@code 500ms 3s 15m 1h}, sizes {@code 512B 16KB 10MB}
 * (KB = 1024 bytes, as CONTRACT section 5 fixes), percentages {@code 50%}.
 */
public final class Units {
    private static final Pattern DURATION = Pattern.compile("(\\d+)(ms|s|m|h|d)");
    private static final Pattern SIZE = Pattern.compile("(\\d+) *(B|KB|MB|GB)?", Pattern.CASE_INSENSITIVE);
    /** Far beyond any sensible timeout or window, and far below what Duration.toNanos() can hold. */
    static final Duration MAX_DURATION = Duration.ofDays(365);
    private static final Pattern PERCENT = Pattern.compile("(\\d+(?:\\.\\d+)?)%");

    private Units() {}

    /** @throws IllegalArgumentException with a message fit for the user */
    public static Duration duration(String text) {
        Matcher m = DURATION.matcher(text.trim());
        if (!m.matches()) {
            throw new IllegalArgumentException("expected a duration such as 500ms, 3s, 15m or 1h, was '" + text + "'");
        }
        Duration d;
        try {
            long n = Long.parseLong(m.group(1));
            d = switch (m.group(2)) {
                case "ms" -> Duration.ofMillis(n);
                case "s" -> Duration.ofSeconds(n);
                case "m" -> Duration.ofMinutes(n);
                case "h" -> Duration.ofHours(n);
                default -> Duration.ofDays(n);
            };
        } catch (ArithmeticException | NumberFormatException e) {  // more digits than a long holds
            d = null;
        }
        if (d == null || d.compareTo(MAX_DURATION) > 0) {
            throw new IllegalArgumentException("must be at most 365d, was '" + text + "'");
        }
        return d;
    }

    /** @throws IllegalArgumentException with a message fit for the user */
    public static long size(String text) {
        Matcher m = SIZE.matcher(text.trim());
        if (!m.matches()) {
            throw new IllegalArgumentException("expected a size such as 512B, 16KB or 10MB, was '" + text + "'");
        }
        String unit = m.group(2) == null ? "B" : m.group(2).toUpperCase(Locale.ROOT);
        long factor = switch (unit) {
            case "KB" -> 1024;
            case "MB" -> 1024 * 1024;
            case "GB" -> 1024 * 1024 * 1024;
            default -> 1;
        };
        try {
            return Math.multiplyExact(Long.parseLong(m.group(1)), factor);
        } catch (ArithmeticException | NumberFormatException e) {
            throw new IllegalArgumentException("is too large a size, was '" + text + "'");
        }
    }

    /** @return a fraction in [0, 1] */
    public static double percent(String text) {
        Matcher m = PERCENT.matcher(text.trim());
        if (!m.matches()) {
            throw new IllegalArgumentException("expected a percentage such as 50%, was '" + text + "'");
        }
        double p = Double.parseDouble(m.group(1));
        if (p > 100) {
            throw new IllegalArgumentException("must be at most 100%, was '" + text + "'");
        }
        return p / 100;
    }

    /** Formats a duration the way the config writes it, for messages and `routes` output. */
    public static String format(Duration d) {
        long ms = d.toMillis();
        if (ms % 3_600_000 == 0 && ms > 0) return ms / 3_600_000 + "h";
        if (ms % 60_000 == 0 && ms > 0) return ms / 60_000 + "m";
        if (ms % 1000 == 0) return ms / 1000 + "s";
        return ms + "ms";
    }
}
