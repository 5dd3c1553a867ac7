package portico.plugin;

import java.util.concurrent.CompletionStage;
import portico.http.Exchange;

/**
 * A plugin of the authentication phase (jwt, key_auth, basic_auth). The chain asks such plugins
 * through {@link Authenticator#authenticate} (any one succeeding authenticates), never through
 * {@link #onRequest}, which therefore just proceeds.
 */
public interface AuthenticationPlugin extends Plugin, Authenticator {
    @Override
    default CompletionStage<Verdict> onRequest(Exchange ex) {
        return Verdict.PROCEED;
    }
}
