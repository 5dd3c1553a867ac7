package portico.plugin.basicauth;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.netty.handler.codec.http.HttpHeaderNames;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.RejectedExecutionException;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import portico.config.ConfigNode;
import portico.config.ConsumerConfig;
import portico.config.Mark;
import portico.config.Problems;
import portico.error.ErrorKind;
import portico.error.GatewayException;
import portico.http.Exchange;
import portico.http.Identity;
import portico.plugin.AuthenticationPlugin;
import portico.plugin.CrossChecks;
import portico.plugin.Phase;
import portico.plugin.Plugin;
import portico.plugin.PluginContext;
import portico.plugin.PluginFactory;

/**
 * {@code basic_auth}: {@code Authorization: Basic} checked against {@code consumers.NAME.basic_auth}
 * ({@code {username, password}} or a list of them), where the password is a bcrypt or PBKDF2 hash:
 * the config never holds a password, so neither does memory. Hash checks run on
 * {@link PasswordChecks}' threads, never on the event loop; a check that succeeded is remembered
 * for {@link #REMEMBER} under an HMAC of the pair with a key that lives only in this process, so
 * a client sending the same header again costs no second hash. The header is removed before
 * forwarding.
 */
public final class BasicAuthPlugin implements AuthenticationPlugin {
    public static final PluginFactory<Config> FACTORY = new Factory();
    static final Duration REMEMBER = Duration.ofMinutes(5);

    /** Checked for unknown user names when the users' hashes differ in cost, or there are none. */
    private static final class Decoy {
        static final PasswordHash HASH = new PasswordHash.Bcrypt(
                at.favre.lib.crypto.bcrypt.BCrypt.withDefaults().hashToString(10, "decoy".toCharArray()));
    }

    /**
     * @param realm     {@code realm}: shown in the browser's login prompt; default {@code portico}
     * @param anonymous {@code anonymous}: the consumer for requests without valid credentials; default none (401)
     */
    public record Config(String realm, String anonymous) {}

    /** One user of a consumer; the password only as its hash. */
    public record Credential(String username, PasswordHash password, Mark mark, String path) {
        @Override
        public String toString() {
            return "Credential[" + username + ", " + password + "]";
        }
    }

    private record User(String consumer, List<String> groups, PasswordHash password) {}

    private final Config config;
    private final Map<String, User> users;
    private final PasswordChecks checks;
    private final Cache<ByteBuffer, Identity> remembered;
    private final SecretKeySpec rememberKey;
    /** One of the users' hashes when all have one cost: its decoy is made on first use, on a check thread. */
    private final PasswordHash decoyModel;
    private volatile PasswordHash decoy;

    BasicAuthPlugin(Config config, Map<String, ConsumerConfig> consumers, PasswordChecks checks, PluginContext.Ticker ticker) {
        this.config = config;
        this.checks = checks;
        Map<String, User> byName = new HashMap<>();
        for (ConsumerConfig c : consumers.values()) {
            for (Object o : c.credentials().getOrDefault(FACTORY.name(), List.of())) {
                Credential cred = (Credential) o;
                byName.putIfAbsent(cred.username(), new User(c.name(), c.groups(), cred.password()));
            }
        }
        this.users = Map.copyOf(byName);
        java.util.Set<String> costs = new java.util.HashSet<>();
        for (User u : users.values()) costs.add(u.password().cost());
        this.decoyModel = costs.size() == 1 ? users.values().iterator().next().password() : null;
        this.remembered = Caffeine.newBuilder().maximumSize(10_000).expireAfterWrite(REMEMBER).ticker(ticker::nanos).build();
        byte[] key = new byte[32];
        new SecureRandom().nextBytes(key);
        this.rememberKey = new SecretKeySpec(key, "HmacSHA256");
    }

    @Override
    public CompletionStage<Identity> authenticate(Exchange ex) {
        String header = ex.request().headers().get(HttpHeaderNames.AUTHORIZATION);
        if (header == null || !header.regionMatches(true, 0, "Basic ", 0, 6)) return CompletableFuture.completedStage(Identity.NONE);
        // The gateway consumed the password: the service behind it must never see it.
        ex.upstreamHeaders().remove(HttpHeaderNames.AUTHORIZATION);
        String decoded;
        try {
            decoded = new String(Base64.getDecoder().decode(header.substring(6).trim()), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            return refuse("the Basic credentials are not base64");
        }
        int colon = decoded.indexOf(':');
        if (colon < 0) return refuse("the Basic credentials have no ':' between user name and password");
        String username = decoded.substring(0, colon);
        String password = decoded.substring(colon + 1);
        ByteBuffer memo = ByteBuffer.wrap(hmac(decoded));
        Identity known = remembered.getIfPresent(memo);
        if (known != null) return CompletableFuture.completedStage(known);
        User user = users.get(username);
        return checks.run(() -> {
                    if (user != null) return user.password().verify(password);
                    decoy().verify(password);
                    return false;
                })
                .handle((ok, err) -> {
                    if (err != null) {
                        Throwable cause = err instanceof java.util.concurrent.CompletionException && err.getCause() != null ? err.getCause() : err;
                        if (cause instanceof RejectedExecutionException) {
                            throw new GatewayException(ErrorKind.RATE_LIMITED, "too many password checks at once; try again")
                                    .header(HttpHeaderNames.RETRY_AFTER, "1");
                        }
                        throw new java.util.concurrent.CompletionException(cause);
                    }
                    if (!ok) throw new GatewayException(ErrorKind.UNAUTHENTICATED, "the user name or password is wrong")
                            .header(HttpHeaderNames.WWW_AUTHENTICATE, challenge());
                    Identity who = new Identity(user.consumer(), username, user.groups(), Map.of());
                    remembered.put(memo, who);
                    return who;
                });
    }

    /**
     * What an unknown user name is checked against, so that it takes as long as a known one (no
     * user enumeration by timing): a hash of the users' kind and cost when they share one.
     * Runs on a check thread; two threads may both make one, and either is as good.
     */
    private PasswordHash decoy() {
        PasswordHash d = decoy;
        if (d == null) {
            d = decoyModel == null ? Decoy.HASH : decoyModel.decoy();
            decoy = d;
        }
        return d;
    }

    private CompletionStage<Identity> refuse(String why) {
        return CompletableFuture.failedStage(new GatewayException(ErrorKind.UNAUTHENTICATED, why)
                .header(HttpHeaderNames.WWW_AUTHENTICATE, challenge()));
    }

    private byte[] hmac(String pair) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(rememberKey);
            return mac.doFinal(pair.getBytes(StandardCharsets.UTF_8));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("every JDK has HmacSHA256", e);
        }
    }

    @Override
    public String challenge() {
        return "Basic realm=\"" + config.realm() + "\", charset=\"UTF-8\"";
    }

    @Override
    public String anonymous() {
        return config.anonymous();
    }


    private static final class Factory implements PluginFactory<Config> {
        @Override
        public String name() {
            return "basic_auth";
        }

        @Override
        public Phase phase() {
            return Phase.AUTHENTICATE;
        }

        @Override
        public Config parse(ConfigNode node) {
            node.object("realm", "anonymous");
            String realm = node.get("realm").text("portico");
            if (realm.contains("\"") || realm.contains("\\")) {
                node.get("realm").error("may not contain '\"' or '\\'");
                return null;
            }
            return new Config(realm, node.get("anonymous").text(null));
        }

        @Override
        public Plugin create(Config settings, PluginContext ctx) {
            return new BasicAuthPlugin(settings, ctx.consumers(), ctx.shared().get(PasswordChecks.KEY, PasswordChecks::new), ctx.ticker());
        }

        @Override
        public void crossCheck(Config settings, ConfigNode node, portico.config.GatewayConfig config) {
            if (!CrossChecks.anyCredential(name(), config)) {
                node.error("no consumer has basic_auth users, so no password can authenticate a request "
                        + "(consumers: {NAME: {basic_auth: {username, password}}})");
            }
            CrossChecks.anonymous(node.get("anonymous"), config);
        }

        @Override
        public String credentialKey() {
            return "basic_auth";
        }

        @Override
        public List<Object> parseCredentials(ConfigNode node) {
            List<Object> out = new ArrayList<>();
            // One credential or a list of them (CONTRACT section 2).
            for (ConfigNode item : node.isObject() ? List.of(node) : node.items()) {
                if (!item.object("username", "password")) {
                    if (item.isText()) item.error("expected {username, password} with password as a bcrypt or PBKDF2 hash");
                    continue;
                }
                String username = item.get("username").requiredText();
                if (username != null && username.contains(":")) {
                    item.get("username").error("a Basic user name cannot contain ':'");
                    username = null;
                }
                String password = item.get("password").requiredText();
                if (username == null || password == null) continue;
                try {
                    out.add(new Credential(username, PasswordHash.parse(password), item.get("username").mark(), item.get("username").path()));
                } catch (IllegalArgumentException e) {
                    item.get("password").error(e.getMessage());
                }
            }
            return out;
        }

        @Override
        public void checkCredentials(Map<String, List<Object>> byConsumer, Problems problems) {
            Map<String, String> owner = new HashMap<>();
            byConsumer.forEach((consumer, creds) -> {
                for (Object o : creds) {
                    Credential c = (Credential) o;
                    String first = owner.putIfAbsent(c.username(), consumer);
                    if (first != null) {
                        problems.error(c.mark(), c.path(), "user name '" + c.username() + "' is already "
                                + (first.equals(consumer) ? "listed for this consumer" : "consumer '" + first + "''s"));
                    }
                }
            });
        }

        @Override
        public String toString() {
            return name();
        }
    }
}
