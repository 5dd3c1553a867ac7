package portico.plugin.ratelimit;

/**
 * What one limit said about one request.
 *
 * @param granted   permits taken: 0 when the limit refused the request (more than 1 only for a Redis lease)
 * @param remaining permits left after this request, as far as this node knows
 * @param reset     nanoseconds until the limit's quota is fully back (the end of the window; a full bucket)
 * @param retry     when refused: nanoseconds until one permit is free again (Retry-After)
 * @param window    the window the permits were taken from, so that a refund finds them again
 */
record Decision(int granted, long remaining, long reset, long retry, long window) {
    boolean allowed() {
        return granted > 0;
    }

    static Decision refused(long remaining, long reset, long retry, long window) {
        return new Decision(0, remaining, reset, Math.max(1, retry), window);
    }
}
