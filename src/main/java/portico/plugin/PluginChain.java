package portico.plugin;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import portico.error.ErrorKind;
import portico.error.GatewayException;
import portico.http.Exchange;
import portico.http.Identity;

/**
 * A route's plugins, resolved once per config revision (route over service over global) and
 * run in phase order. Authentication plugins are asked in turn until one accepts; then the
 * consumer's own plugins replace the route's of the same name for the phases that follow.
 * Synchronous plugins cost no allocation beyond the exchange's list of plugins that ran.
 */
public final class PluginChain {
    public static final PluginChain EMPTY = new PluginChain(List.of(), List.of(), List.of(), Map.of(), null, List.of());

    private final List<Plugin> beforeAuth;
    private final List<Authenticator> authenticators;
    private final List<Named> afterAuth;
    /** consumer -> plugin name -> its instance, or empty for {@code NAME: off}. */
    private final Map<String, Map<String, Optional<Plugin>>> consumerPlugins;
    /** The identity used when no authenticator accepts the request, with the consumer's groups; or null for 401. */
    private final Identity anonymous;
    private final List<String> description;

    /** A plugin with its name, so that a consumer's plugin of the same name can replace it. */
    public record Named(String name, Phase phase, Plugin plugin) {}

    /** A chain whose anonymous consumer (or null) has no groups. */
    public PluginChain(List<Plugin> beforeAuth, List<Authenticator> authenticators, List<Named> afterAuth,
                       Map<String, Map<String, Optional<Plugin>>> consumerPlugins, String anonymous, List<String> description) {
        this(beforeAuth, authenticators, afterAuth, consumerPlugins, anonymous, List.of(), description);
    }

    /**
     * @param anonymous       the consumer for requests no authenticator accepts (CONTRACT section 5), or null for 401
     * @param anonymousGroups its groups: those of {@code consumers.NAME} when that consumer is configured
     */
    public PluginChain(List<Plugin> beforeAuth, List<Authenticator> authenticators, List<Named> afterAuth,
                       Map<String, Map<String, Optional<Plugin>>> consumerPlugins, String anonymous,
                       List<String> anonymousGroups, List<String> description) {
        this.beforeAuth = List.copyOf(beforeAuth);
        this.authenticators = List.copyOf(authenticators);
        this.afterAuth = List.copyOf(afterAuth);
        this.consumerPlugins = Map.copyOf(consumerPlugins);
        this.anonymous = anonymous == null ? null : new Identity(anonymous, null, anonymousGroups, Map.of());
        this.description = List.copyOf(description);
    }

    /** The plugin names in the order they run, for {@code portico explain}. */
    public List<String> describe() {
        return description;
    }

    /** Whether the plugin of this name runs on the route (the relay asks whether cors answers preflights). */
    public boolean runs(String pluginName) {
        String prefix = pluginName + " (";
        for (String d : description) {
            if (d.startsWith(prefix)) return true;
        }
        return false;
    }

    public boolean isEmpty() {
        return beforeAuth.isEmpty() && authenticators.isEmpty() && afterAuth.isEmpty() && consumerPlugins.isEmpty();
    }

    /** Runs the request side; completes on the exchange's event loop. */
    public CompletionStage<Verdict> onRequest(Exchange ex) {
        if (isEmpty()) return Verdict.PROCEED;
        CompletionStage<Verdict> before = runAll(ex, beforeAuth, 0);
        return then(ex, before, v -> authenticate(ex));
    }

    /** Response side: reverse order over the plugins whose onRequest ran. */
    public static void onResponse(Exchange ex, HttpResponse head) {
        List<Plugin> ran = ex.pluginsRan();
        for (int i = ran.size() - 1; i >= 0; i--) {
            try {
                ran.get(i).onResponse(ex, head);
            } catch (RuntimeException e) {
                // A response plugin's bug must not lose the upstream's answer; it is logged by the caller's path.
                ex.failed(ErrorKind.INTERNAL, "response plugin failed: " + e);
            }
        }
    }

    private CompletionStage<Verdict> authenticate(Exchange ex) {
        if (authenticators.isEmpty()) return afterAuth(ex);
        return tryAuthenticator(ex, 0, new GatewayException[authenticators.size()]);
    }

    /**
     * The 401 when nothing authenticated: the first refusal's detail, and one challenge per
     * authenticator on the route (RFC 9110 section 11.6.1), each refusing one's with its error,
     * so a client sees every way in. A refusal that is not a 401 (403 insufficient_scope, 429)
     * is answered as it is.
     */
    private GatewayException refusal(GatewayException[] failures) {
        GatewayException first = null;
        for (GatewayException f : failures) {
            if (f != null) {
                first = f;
                break;
            }
        }
        if (first != null && first.kind() != ErrorKind.UNAUTHENTICATED) return first;
        // A new exception: a plugin's own may be shared, and its challenge is only one of these.
        GatewayException e = new GatewayException(ErrorKind.UNAUTHENTICATED, first != null ? first.getMessage() : "credentials are required");
        if (first != null) e.headers().set(first.headers());
        List<String> challenges = new ArrayList<>(authenticators.size());
        for (int i = 0; i < authenticators.size(); i++) {
            List<String> own = failures[i] == null ? List.of() : failures[i].headers().getAll(HttpHeaderNames.WWW_AUTHENTICATE);
            if (own.isEmpty()) challenges.add(authenticators.get(i).challenge());
            else challenges.addAll(own);
        }
        e.headers().remove(HttpHeaderNames.WWW_AUTHENTICATE);
        for (String c : challenges) e.headers().add(HttpHeaderNames.WWW_AUTHENTICATE, c);
        return e;
    }

    private CompletionStage<Verdict> tryAuthenticator(Exchange ex, int i, GatewayException[] failures) {
        if (i == authenticators.size()) {
            if (anonymous != null) {
                ex.identity(anonymous);
                return afterAuth(ex);
            }
            return CompletableFuture.failedStage(refusal(failures));
        }
        Authenticator a = authenticators.get(i);
        CompletionStage<Identity> attempt;
        try {
            attempt = a.authenticate(ex);
        } catch (RuntimeException e) {
            attempt = CompletableFuture.failedStage(e);
        }
        return attempt.handleAsync((identity, err) -> {
            if (err == null && identity != null && identity != Identity.NONE) {
                ex.identity(identity);
                return afterAuth(ex);
            }
            if (err != null) {
                Throwable cause = err instanceof java.util.concurrent.CompletionException && err.getCause() != null ? err.getCause() : err;
                if (!(cause instanceof GatewayException ge)) return CompletableFuture.<Verdict>failedStage(cause);
                failures[i] = ge;
            }
            return tryAuthenticator(ex, i + 1, failures);
        }, ex.eventLoop()).thenCompose(s -> s);
    }

    private CompletionStage<Verdict> afterAuth(Exchange ex) {
        Identity who = ex.identity();
        tellUpstream(ex, who);
        Map<String, Optional<Plugin>> own = who == null || who.consumer() == null ? null : consumerPlugins.get(who.consumer());
        if (own == null) return runAll(ex, plugins(afterAuth), 0);
        List<Plugin> list = new ArrayList<>(afterAuth.size() + own.size());
        for (Named n : afterAuth) {
            Optional<Plugin> mine = own.get(n.name());
            if (mine == null) list.add(n.plugin());
            else mine.ifPresent(list::add);
        }
        // The consumer's plugins that the route does not have at all; names keep registry order.
        for (PluginFactory<?> f : PluginRegistry.ORDERED) {
            Optional<Plugin> mine = own.get(f.name());
            if (mine != null && mine.isPresent() && afterAuth.stream().noneMatch(n -> n.name().equals(f.name()))) {
                insertInPhaseOrder(list, mine.get(), f.phase());
            }
        }
        return runAll(ex, list, 0);
    }

    /** The service learns who called from the gateway alone (client-sent copies were removed on arrival). */
    private static void tellUpstream(Exchange ex, Identity who) {
        if (who == null || ex.upstreamHeaders() == null) return;
        if (who.consumer() != null) ex.upstreamHeaders().set("X-Consumer-Name", who.consumer());
        if (!who.groups().isEmpty()) ex.upstreamHeaders().set("X-Consumer-Groups", String.join(", ", who.groups()));
    }

    private void insertInPhaseOrder(List<Plugin> list, Plugin p, Phase phase) {
        int at = list.size();
        for (int i = 0; i < afterAuth.size() && i < list.size(); i++) {
            if (afterAuth.get(i).phase().compareTo(phase) > 0) {
                at = list.indexOf(afterAuth.get(i).plugin());
                if (at < 0) at = list.size();
                break;
            }
        }
        list.add(at, p);
    }

    private static List<Plugin> plugins(List<Named> named) {
        List<Plugin> out = new ArrayList<>(named.size());
        for (Named n : named) out.add(n.plugin());
        return out;
    }

    private static CompletionStage<Verdict> runAll(Exchange ex, List<Plugin> list, int from) {
        for (int i = from; i < list.size(); i++) {
            Plugin p = list.get(i);
            ex.pluginRan(p);
            CompletionStage<Verdict> stage;
            try {
                stage = p.onRequest(ex);
                if (stage == null) throw new IllegalStateException(p + " returned null");
            } catch (RuntimeException e) {
                return CompletableFuture.failedStage(e);
            }
            CompletableFuture<Verdict> f = stage.toCompletableFuture();
            if (f.isDone() && !f.isCompletedExceptionally()) {
                if (!(f.getNow(null) instanceof Verdict.Proceed)) return stage;
                continue;
            }
            int next = i + 1;
            return then(ex, stage, v -> runAll(ex, list, next));
        }
        return Verdict.PROCEED;
    }

    /** Continues with {@code next} on the event loop when {@code stage} proceeded; anything else ends the chain. */
    private static CompletionStage<Verdict> then(Exchange ex, CompletionStage<Verdict> stage,
                                                 java.util.function.Function<Verdict, CompletionStage<Verdict>> next) {
        CompletableFuture<Verdict> f = stage.toCompletableFuture();
        if (f.isDone() && !f.isCompletedExceptionally()) {
            Verdict v = f.getNow(null);
            return v instanceof Verdict.Proceed ? next.apply(v) : stage;
        }
        return stage.thenComposeAsync(v -> v instanceof Verdict.Proceed ? next.apply(v) : CompletableFuture.completedStage(v),
                ex.eventLoop());
    }
}
