package portico.http;

import java.util.List;
import java.util.Map;

/**
 * Who a request is, once an authentication plugin accepted its credential.
 *
 * @param consumer the consumer name, or null for a token that maps to no configured consumer
 * @param subject  a credential-specific subject (JWT {@code sub}, basic-auth user), may be null
 * @param claims   JWT claims, empty for other credentials
 */
public record Identity(String consumer, String subject, List<String> groups, Map<String, Object> claims) {
    /** "This request carries no credential of this kind." */
    public static final Identity NONE = new Identity(null, null, List.of(), Map.of());

    public Identity {
        groups = List.copyOf(groups);
        claims = Map.copyOf(claims);
    }
}
