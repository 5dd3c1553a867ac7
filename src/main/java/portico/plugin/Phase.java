package portico.plugin;

/**
 * The fixed order in which plugins run (CONTRACT section 5), never the order they appear in YAML.
 * Responses pass the same plugins in reverse.
 */
public enum Phase {
    REQUEST_ID,
    CORS,
    AUTHENTICATE,
    IP_RESTRICTION,
    ACL,
    REQUEST_SIZE,
    RATE_LIMIT,
    CACHE,
    TRANSFORM;

    /** Phases that run after authentication may be overridden per consumer. */
    public boolean afterAuthentication() {
        return compareTo(AUTHENTICATE) > 0;
    }
}
