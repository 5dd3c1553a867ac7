package portico.config;

import java.time.Duration;

/**
 * {@code outlier_detection}: passive health. A target whose requests fail this many times in a row
 * (5xx, connect error, reset, timeout) is ejected, skipped by the balancer, for a period that grows
 * with each ejection, as Envoy's outlier detection does.
 *
 * @param consecutiveFailures {@code consecutive_failures}: failures in a row that eject; 0 turns it off; default 5
 * @param ejectFor            {@code eject_for}: the first ejection's length; the n-th lasts n times this; default 30s
 * @param maxEjectFor         {@code max_eject_for}: the longest ejection; default 5m
 * @param maxEjected          {@code max_ejected}: at most this fraction of the targets is ejected at once,
 *                            rounded down (so a service with one target never ejects it); default 50%
 */
public record OutlierConfig(int consecutiveFailures, Duration ejectFor, Duration maxEjectFor, double maxEjected) {
    public static final OutlierConfig DEFAULTS = new OutlierConfig(5, Duration.ofSeconds(30), Duration.ofMinutes(5), 0.5);
}
