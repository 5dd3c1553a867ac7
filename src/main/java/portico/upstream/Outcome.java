package portico.upstream;

/**
 * How one attempt at a target ended, as far as resilience cares: it feeds the circuit breaker,
 * passive health and retry decisions. {@link #reason()} is the stable word logs use.
 *
 * @param status the response status for {@link Kind#RESPONSE}, else 0
 */
public record Outcome(Kind kind, int status) {

    public enum Kind {
        /** A response head arrived (any status). */
        RESPONSE,
        /** The connection was refused or the target unreachable: nothing was sent. */
        CONNECT_ERROR,
        /** No connection within {@code timeouts.connect}: nothing was sent. */
        CONNECT_TIMEOUT,
        /** The connection closed or reset after the request went out, before a response head. */
        RESET,
        /** The response was not valid HTTP/1.1. */
        BAD_RESPONSE,
        /** No response head within {@code timeouts.response}. */
        RESPONSE_TIMEOUT,
        /** No bytes for {@code timeouts.idle}: the upstream stopped reading the request or sending the answer. */
        IDLE_TIMEOUT,
        /** The caller gave up (client gone, deadline passed, a request-side error): says nothing about the target. */
        CANCELLED
    }

    public static final Outcome CONNECT_ERROR = new Outcome(Kind.CONNECT_ERROR, 0);
    public static final Outcome CONNECT_TIMEOUT = new Outcome(Kind.CONNECT_TIMEOUT, 0);
    public static final Outcome RESET = new Outcome(Kind.RESET, 0);
    public static final Outcome BAD_RESPONSE = new Outcome(Kind.BAD_RESPONSE, 0);
    public static final Outcome RESPONSE_TIMEOUT = new Outcome(Kind.RESPONSE_TIMEOUT, 0);
    public static final Outcome IDLE_TIMEOUT = new Outcome(Kind.IDLE_TIMEOUT, 0);
    public static final Outcome CANCELLED = new Outcome(Kind.CANCELLED, 0);

    private static final Outcome[] RESPONSES = new Outcome[600];

    static {
        for (int i = 100; i < RESPONSES.length; i++) RESPONSES[i] = new Outcome(Kind.RESPONSE, i);
    }

    public static Outcome response(int status) {
        return status >= 100 && status < RESPONSES.length ? RESPONSES[status] : new Outcome(Kind.RESPONSE, status);
    }

    /** True when no byte of the request can have reached the upstream: resending is always safe. */
    public boolean sentNothing() {
        return kind == Kind.CONNECT_ERROR || kind == Kind.CONNECT_TIMEOUT;
    }

    /**
     * Whether this is a sign of trouble at the target for passive health: a 5xx, or a connection
     * or timeout failure. A 4xx is the client's business.
     */
    public boolean troubled() {
        return switch (kind) {
            case RESPONSE -> status >= 500;
            case CANCELLED -> false;
            default -> true;
        };
    }

    /** The log reason: {@code status_503}, {@code connect_error}, {@code connect_timeout}, {@code reset}, ... */
    public String reason() {
        return kind == Kind.RESPONSE ? "status_" + status : kind.name().toLowerCase(java.util.Locale.ROOT);
    }

    @Override
    public String toString() {
        return reason();
    }
}
