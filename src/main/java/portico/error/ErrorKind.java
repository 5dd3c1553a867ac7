package portico.error;

/**
 * Every error Portico answers itself (CONTRACT section 3). The slug is the stable part of the
 * problem+json {@code type}; docs/errors.md lists them all.
 */
public enum ErrorKind {
    MALFORMED(400, "malformed-request", "Malformed request"),
    UNAUTHENTICATED(401, "unauthenticated", "Unauthenticated"),
    FORBIDDEN(403, "forbidden", "Forbidden"),
    NO_ROUTE(404, "no-route", "No route"),
    METHOD_NOT_ALLOWED(405, "method-not-allowed", "Method not allowed"),
    REQUEST_TIMEOUT(408, "request-timeout", "Request timeout"),
    BODY_TOO_LARGE(413, "body-too-large", "Request body too large"),
    URI_TOO_LONG(414, "uri-too-long", "URI too long"),
    RATE_LIMITED(429, "rate-limited", "Too many requests"),
    HEADERS_TOO_LARGE(431, "headers-too-large", "Request header fields too large"),
    INTERNAL(500, "internal", "Internal gateway error"),
    BAD_UPSTREAM(502, "bad-upstream", "Bad gateway"),
    CIRCUIT_OPEN(503, "circuit-open", "Service unavailable"),
    NO_HEALTHY_TARGET(503, "no-healthy-target", "Service unavailable"),
    SHUTTING_DOWN(503, "shutting-down", "Service unavailable"),
    RATE_LIMIT_UNAVAILABLE(503, "rate-limit-unavailable", "Service unavailable"),
    UPSTREAM_TIMEOUT(504, "upstream-timeout", "Gateway timeout");

    public final int status;
    public final String slug;
    public final String title;

    ErrorKind(int status, String slug, String title) {
        this.status = status;
        this.slug = slug;
        this.title = title;
    }

    /** The problem+json {@code type}: a URN, stable per kind, that needs no web site to resolve. */
    public String type() {
        return "urn:portico:error:" + slug;
    }
}
