package portico.plugin;

import java.util.concurrent.CompletionStage;
import portico.http.Exchange;
import portico.http.Identity;

/**
 * An authentication plugin (jwt, key_auth, basic_auth). Several on one route mean any one that
 * succeeds authenticates (CONTRACT section 5), so the chain asks each in turn instead of running
 * them as ordinary steps.
 */
public interface Authenticator {
    /**
     * @return the identity; {@link Identity#NONE} when the request carries no credential of this
     *         kind; a failed stage with an UNAUTHENTICATED GatewayException for a bad credential
     */
    CompletionStage<Identity> authenticate(Exchange ex);

    /** The {@code WWW-Authenticate} challenge for a 401 when no credential was offered. */
    String challenge();

    /** The consumer to use when no authenticator on the route accepts a request, or null for 401. */
    default String anonymous() {
        return null;
    }
}
