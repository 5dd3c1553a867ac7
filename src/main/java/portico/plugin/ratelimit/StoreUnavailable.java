package portico.plugin.ratelimit;

/** The store could not answer (Redis down, slow past the command timeout, or not yet connected). */
final class StoreUnavailable extends RuntimeException {
    StoreUnavailable(String message, Throwable cause) {
        super(message, cause, false, false);
    }
}
