package portico.plugin.jwt;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSVerifier;
import com.nimbusds.jose.crypto.factories.DefaultJWSVerifierFactory;
import com.nimbusds.jose.jca.JCAContext;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKMatcher;
import com.nimbusds.jose.jwk.JWKSelector;
import com.nimbusds.jose.proc.BadJOSEException;
import com.nimbusds.jose.proc.DefaultJOSEObjectTypeVerifier;
import com.nimbusds.jose.proc.JWSVerifierFactory;
import com.nimbusds.jose.proc.SecurityContext;
import com.nimbusds.jose.util.JSONObjectUtils;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import com.nimbusds.jwt.proc.BadJWTException;
import com.nimbusds.jwt.proc.DefaultJWTClaimsVerifier;
import com.nimbusds.jwt.proc.DefaultJWTProcessor;
import com.nimbusds.jwt.proc.ExpiredJWTException;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.Key;
import java.security.PublicKey;
import java.text.ParseException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Date;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import javax.crypto.spec.SecretKeySpec;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import portico.config.ConfigNode;
import portico.config.ConsumerConfig;
import portico.config.Problems;
import portico.error.ErrorKind;
import portico.error.GatewayException;
import portico.http.Exchange;
import portico.http.Identity;
import portico.http.QueryParams;
import portico.http.ReservedHeaders;
import portico.plugin.AuthenticationPlugin;
import portico.plugin.CrossChecks;
import portico.plugin.Phase;
import portico.plugin.Plugin;
import portico.plugin.PluginContext;
import portico.plugin.PluginFactory;

/**
 * {@code jwt}: bearer tokens verified with nimbus-jose-jwt. A token's consumer is found by its
 * {@code key_claim} (default {@code iss}) among {@code consumers.NAME.jwt} credentials (HMAC
 * secrets or public keys); tokens of no consumer are verified with the plugin's own
 * {@code public_key} or the keys at {@code jwks_url}. The accepted algorithms come from the
 * config alone, and each key verifies only the algorithms of its kind, so {@code alg: none} and
 * HS256-signed-with-the-public-key tokens find no key. Then {@code exp}, {@code nbf} and {@code iat}
 * (with {@code clock_skew}, on the injected clock), {@code iss}, {@code aud}, required claims, and
 * scopes or roles. Claims named in {@code claims_to_headers} go upstream as headers.
 *
 * <p>A bad token is 401 with {@code WWW-Authenticate: Bearer error="invalid_token"} and a reason
 * that names no key material; a valid token lacking a scope or role is 403
 * ({@code insufficient_scope}). JWKS keys arrive asynchronously; the verification resumes on the
 * exchange's event loop.
 */
public final class JwtPlugin implements AuthenticationPlugin {
    private static final Logger log = LoggerFactory.getLogger(JwtPlugin.class);
    public static final PluginFactory<Config> FACTORY = new Factory();
    static final Duration MAX_SKEW = Duration.ofMinutes(10);
    private static final String REALM = "portico";

    /**
     * @param algorithms      {@code algorithms}: the allow-list; null (default) means the algorithm
     *                        of each configured key: RS256 for {@code jwks_url}, the key's kind for
     *                        {@code public_key}, each consumer credential's {@code algorithm}
     * @param issuer          {@code issuer}: required {@code iss} of tokens verified by the plugin's own keys
     * @param audience        {@code audience}: the token's {@code aud} must contain one of these; empty: not checked
     * @param jwksUrl         {@code jwks_url}: where the issuer publishes its keys; null for none
     * @param jwksRefresh     {@code jwks_refresh}: a key set older than this is fetched again; default 10m
     * @param jwksMinInterval {@code jwks_min_interval}: at most one fetch per this, unknown kids included; default 30s
     * @param publicKey       {@code public_key}: one static key (PEM or JWK), instead of jwks_url
     * @param keyClaim        {@code key_claim}: the claim matched to a consumer credential's issuer; default iss
     * @param consumerClaim   {@code consumer_claim}: with jwks_url or public_key, the claim naming the consumer
     * @param clockSkew       {@code clock_skew}: tolerance on exp, nbf, iat; default 60s, at most 10m
     * @param requiredClaims  {@code required_claims}: claims a token must have; default [exp]
     * @param scopes          {@code scopes}: all must be in the token's {@code scope} (or {@code scp}); default none
     * @param roles           {@code roles}: one must be in the token's {@code role_claim}; default none
     * @param roleClaim       {@code role_claim}: default {@code role}
     * @param cookie          {@code cookie}: a cookie that may carry the token; removed before forwarding
     * @param query           {@code query}: a query parameter that may carry the token; removed before forwarding
     * @param claimsToHeaders {@code claims_to_headers}: claim name to upstream header, such as sub: X-User-Id
     * @param anonymous       {@code anonymous}: the consumer for requests without a valid token; default none (401)
     */
    public record Config(Set<JWSAlgorithm> algorithms, String issuer, Set<String> audience, URI jwksUrl, Duration jwksRefresh,
                         Duration jwksMinInterval, PublicKey publicKey, String keyClaim, String consumerClaim, Duration clockSkew,
                         Set<String> requiredClaims, Set<String> scopes, Set<String> roles, String roleClaim, String cookie,
                         String query, Map<String, String> claimsToHeaders, String anonymous) {
        public Config {
            algorithms = algorithms == null ? null : Set.copyOf(algorithms);
            audience = Set.copyOf(audience);
            requiredClaims = Set.copyOf(requiredClaims);
            scopes = Set.copyOf(scopes);
            roles = Set.copyOf(roles);
            claimsToHeaders = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(claimsToHeaders));
        }
    }

    /** A consumer's key, found by the issuer it signs as. */
    private record ConsumerKey(String consumer, List<String> groups, JWSAlgorithm algorithm, Key key, String kid) {}

    /** The keys the processor may try for one token, handed through nimbus's security context. */
    private record Candidates(List<Key> keys) implements SecurityContext {}

    private final Config config;
    /** claims_to_headers without reserved names: check refuses them, and a config built another way cannot slip one in. */
    private final Map<String, String> claimHeaders;
    private final Map<String, ConsumerKey[]> byIssuer;
    private final Map<String, ConsumerConfig> consumers;
    private final Set<JWSAlgorithm> pluginAlgorithms;
    private final JwksCache jwks;
    private final DefaultJWTProcessor<Candidates> pluginProcessor;
    private final DefaultJWTProcessor<Candidates> consumerProcessor;

    JwtPlugin(Config config, PluginContext ctx) {
        this.config = config;
        Map<String, String> headers = new LinkedHashMap<>();
        config.claimsToHeaders().forEach((claim, header) -> {
            if (!ReservedHeaders.isReserved(header) && !header.regionMatches(true, 0, "x-consumer-", 0, 11)) headers.put(claim, header);
        });
        this.claimHeaders = java.util.Collections.unmodifiableMap(headers);
        this.consumers = ctx.consumers();
        Map<String, List<ConsumerKey>> keys = new HashMap<>();
        for (ConsumerConfig c : consumers.values()) {
            for (Object o : c.credentials().getOrDefault(FACTORY.name(), List.of())) {
                JwtCredential cred = (JwtCredential) o;
                if (config.algorithms() != null && !config.algorithms().contains(cred.algorithm())) continue;
                keys.computeIfAbsent(cred.issuer(), k -> new ArrayList<>())
                        .add(new ConsumerKey(c.name(), c.groups(), cred.algorithm(), cred.key(), cred.kid()));
            }
        }
        Map<String, ConsumerKey[]> frozen = new HashMap<>();
        keys.forEach((issuer, list) -> frozen.put(issuer, list.toArray(ConsumerKey[]::new)));
        this.byIssuer = Map.copyOf(frozen);
        this.pluginAlgorithms = pluginAlgorithms(config);
        this.jwks = config.jwksUrl() == null ? null : ctx.shared().get(
                JwksCache.sharedKey(config.jwksUrl(), config.jwksRefresh(), config.jwksMinInterval()),
                () -> new JwksCache(config.jwksUrl(), ctx.ticker(), config.jwksRefresh(), config.jwksMinInterval()));
        if (jwks != null) jwks.current();  // fetch ahead, so that the first token need not wait
        this.pluginProcessor = processor(new ClaimsCheck(config, config.issuer(), ctx.clock()));
        this.consumerProcessor = processor(new ClaimsCheck(config, null, ctx.clock()));
    }

    /** What the plugin's own keys (jwks_url, public_key) accept: never an HMAC algorithm, those have no public key. */
    private static Set<JWSAlgorithm> pluginAlgorithms(Config c) {
        Set<JWSAlgorithm> out = new LinkedHashSet<>();
        if (c.algorithms() != null) {
            out.addAll(c.algorithms());
        } else if (c.publicKey() != null) {
            out.addAll(PublicKeys.defaultsFor(c.publicKey()));
        } else if (c.jwksUrl() != null) {
            out.add(JWSAlgorithm.RS256);
        }
        out.removeAll(PublicKeys.HMAC);
        return Set.copyOf(out);
    }

    private static DefaultJWTProcessor<Candidates> processor(ClaimsCheck claims) {
        DefaultJWTProcessor<Candidates> p = new DefaultJWTProcessor<>();
        p.setJWTClaimsSetAwareJWSKeySelector((header, claimsSet, candidates) -> candidates.keys());
        p.setJWSVerifierFactory(new VerifierFactory());
        p.setJWTClaimsSetVerifier(claims);
        // Plain JWTs and access tokens (RFC 9068 at+jwt); anything else typed is not a JWT to accept.
        p.setJWSTypeVerifier(new DefaultJOSEObjectTypeVerifier<>(JOSEObjectType.JWT, new JOSEObjectType("at+jwt"),
                new JOSEObjectType("application/at+jwt"), null));
        return p;
    }

    @Override
    public CompletionStage<Identity> authenticate(Exchange ex) {
        String token;
        try {
            token = takeToken(ex);
        } catch (GatewayException e) {
            return CompletableFuture.failedStage(e);
        }
        if (token == null) return CompletableFuture.completedStage(Identity.NONE);
        SignedJWT jwt;
        JWTClaimsSet unverified;
        try {
            jwt = SignedJWT.parse(token);
        } catch (ParseException e) {
            // alg "none" lands here too: nimbus does not read an unsecured JWT as a signed one.
            return invalid("the token is not a signed JWT");
        }
        try {
            unverified = jwt.getJWTClaimsSet();
        } catch (ParseException e) {
            return invalid(claimsReason(e));
        }
        JWSHeader header = jwt.getHeader();
        if (header.getCriticalParams() != null && !header.getCriticalParams().isEmpty()) {
            // RFC 7515 section 4.1.11: a recipient must refuse a token whose crit names what it does not process.
            return invalid("the token's crit header names extensions the gateway does not process");
        }
        JWSAlgorithm alg = header.getAlgorithm();
        Object issuedAs = unverified.getClaim(config.keyClaim());
        ConsumerKey[] mine = issuedAs instanceof String s ? byIssuer.get(s) : null;
        if (mine == null && config.publicKey() == null && jwks == null) {
            // Only consumers' keys here: the token's issuer is what is wrong, not its algorithm.
            return invalid(issuedAs == null ? "the token has no " + config.keyClaim() + " claim to find its key by"
                    : "the token's " + config.keyClaim() + " names no configured issuer");
        }
        if (mine != null) {
            List<ConsumerKey> fit = new ArrayList<>(2);
            for (ConsumerKey k : mine) {
                if (k.algorithm().equals(alg)) fit.add(k);
            }
            if (fit.isEmpty()) return invalid("the token's algorithm is not accepted");
            ConsumerKey chosen = byKid(fit, header.getKeyID());
            if (chosen == null) {
                return invalid(header.getKeyID() == null ? "the token has no kid and several keys could have signed it"
                        : "no key of the issuer matches the token's kid");
            }
            return settle(() -> verified(ex, jwt, List.of(chosen.key()), consumerProcessor, chosen));
        }
        if (!pluginAlgorithms.contains(alg)) return invalid("the token's algorithm is not accepted");
        if (config.publicKey() != null) {
            return settle(() -> verified(ex, jwt, fitting(alg, List.of(config.publicKey())), pluginProcessor, null));
        }
        return jwks.current()
                .thenCompose(set -> {
                    List<Key> keys = select(set, header);
                    if (!keys.isEmpty() || header.getKeyID() == null) return CompletableFuture.completedFuture(set);
                    return jwks.refreshed();  // an unknown kid: perhaps the issuer rotated its keys
                })
                .thenApplyAsync(set -> {
                    if (set.javaKeys().isEmpty()) throw invalidToken("the issuer's signing keys are not available");
                    List<Key> keys = select(set, header);
                    if (header.getKeyID() == null && keys.size() > 1) {
                        throw invalidToken("the token has no kid and several keys could have signed it");
                    }
                    if (keys.isEmpty()) throw invalidToken("no key of the issuer matches the token's kid");
                    return verified(ex, jwt, keys, pluginProcessor, null);
                }, ex.eventLoop());
    }

    /**
     * The one key a token names, as for a JWKS: its kid's key; without a kid, or with a kid no
     * key has, the single key without a kid. Trying each of several keys in turn is refused: a
     * token must say which key signed it.
     *
     * @return null when no key, or more than one, could be meant
     */
    private static ConsumerKey byKid(List<ConsumerKey> fit, String kid) {
        if (kid != null) {
            for (ConsumerKey k : fit) {
                if (kid.equals(k.kid())) return k;
            }
        }
        ConsumerKey unnamed = null;
        for (ConsumerKey k : fit) {
            if (k.kid() != null) continue;
            if (unnamed != null) return null;
            unnamed = k;
        }
        if (unnamed == null && kid == null && fit.size() == 1) return fit.get(0);
        return unnamed;
    }

    private static CompletionStage<Identity> settle(java.util.function.Supplier<Identity> check) {
        try {
            return CompletableFuture.completedStage(check.get());
        } catch (GatewayException e) {
            return CompletableFuture.failedStage(e);
        }
    }

    private static List<Key> fitting(JWSAlgorithm alg, List<? extends Key> keys) {
        List<Key> out = new ArrayList<>(keys.size());
        for (Key k : keys) {
            if (PublicKeys.fits(alg, k)) out.add(k);
        }
        return out;
    }

    /** Keys of the set that nimbus's header matcher picks (kid, kty, use, alg), as JDK keys of the right kind. */
    private List<Key> select(JwksCache.Keys set, JWSHeader header) {
        if (!pluginAlgorithms.contains(header.getAlgorithm())) return List.of();
        JWKMatcher matcher = JWKMatcher.forJWSHeader(header);
        if (matcher == null) return List.of();
        List<Key> out = new ArrayList<>(2);
        for (JWK jwk : new JWKSelector(matcher).select(set.set())) {
            PublicKey k = set.javaKeys().get(jwk);
            if (k != null && PublicKeys.fits(header.getAlgorithm(), k)) out.add(k);
        }
        return out;
    }

    private Identity verified(Exchange ex, SignedJWT jwt, List<Key> keys, DefaultJWTProcessor<Candidates> processor, ConsumerKey owner) {
        if (keys.isEmpty()) throw invalidToken("no configured key fits the token's algorithm");
        JWTClaimsSet claims;
        try {
            claims = processor.process(jwt, new Candidates(keys));
        } catch (BadJOSEException | JOSEException e) {
            log.debug("token refused on {} {}: {}", ex.request().method(), ex.path(), e.getMessage());
            throw invalidToken(reason(e));
        }
        checkScopesAndRoles(claims);
        String consumer;
        List<String> groups;
        if (owner != null) {
            consumer = owner.consumer();
            groups = owner.groups();
        } else if (config.consumerClaim() != null) {
            Object named = claims.getClaim(config.consumerClaim());
            ConsumerConfig c = named instanceof String s ? consumers.get(s) : null;
            if (c == null) throw invalidToken("the token's " + config.consumerClaim() + " names no known consumer");
            consumer = c.name();
            groups = c.groups();
        } else {
            consumer = null;
            groups = List.of();
        }
        setClaimHeaders(ex.upstreamHeaders(), claims);
        Map<String, Object> kept = new HashMap<>();
        claims.getClaims().forEach((k, v) -> {
            if (v != null) kept.put(k, v);
        });
        return new Identity(consumer, claims.getSubject(), groups, kept);
    }

    private void checkScopesAndRoles(JWTClaimsSet claims) {
        if (!config.scopes().isEmpty()) {
            Set<String> has = new LinkedHashSet<>();
            Object scope = claims.getClaim("scope");
            if (scope instanceof String s) has.addAll(List.of(s.trim().split("\\s+")));
            has.addAll(values(claims.getClaim("scp")));
            for (String need : config.scopes()) {
                if (!has.contains(need)) {
                    throw new GatewayException(ErrorKind.FORBIDDEN, "the token lacks the scope " + need)
                            .header(HttpHeaderNames.WWW_AUTHENTICATE, "Bearer realm=\"" + REALM
                                    + "\", error=\"insufficient_scope\", scope=\"" + String.join(" ", config.scopes()) + "\"");
                }
            }
        }
        if (!config.roles().isEmpty()) {
            List<String> has = values(claims.getClaim(config.roleClaim()));
            if (has.stream().noneMatch(config.roles()::contains)) {
                throw new GatewayException(ErrorKind.FORBIDDEN, "the token's " + config.roleClaim() + " is not one this route allows")
                        .header(HttpHeaderNames.WWW_AUTHENTICATE, "Bearer realm=\"" + REALM + "\", error=\"insufficient_scope\"");
            }
        }
    }

    private static List<String> values(Object claim) {
        if (claim instanceof String s) return s.isEmpty() ? List.of() : List.of(s.trim().split("\\s+"));
        if (claim instanceof Collection<?> c) {
            List<String> out = new ArrayList<>(c.size());
            for (Object o : c) if (o != null) out.add(o.toString());
            return out;
        }
        return List.of();
    }

    /**
     * Every mapped claim is checked before any header is set, so that a refused token leaves nothing
     * behind for the next authenticator's request. A claim that is absent sends no header (the
     * client's copy was removed on arrival); a value a header cannot carry exactly refuses the token.
     */
    private void setClaimHeaders(HttpHeaders upstream, JWTClaimsSet claims) {
        if (upstream == null || claimHeaders.isEmpty()) return;
        Map<String, String> values = new LinkedHashMap<>();
        claimHeaders.forEach((claim, headerName) -> {
            String value = headerValue(claim, claims.getClaim(claim));
            if (value != null) values.put(headerName, value);
        });
        values.forEach(upstream::set);
    }

    /**
     * The claim as one header value, or null when absent. Refused, never altered: Netty writes
     * header values as ISO-8859-1, so 中 would become '?' (two users, one id), and HTTP parsers
     * drop spaces at either end and cut lines at CR and LF. Only visible ASCII with inner spaces
     * passes; a list's items are joined with ", " and so may not hold a comma themselves.
     */
    private static String headerValue(String claim, Object v) {
        if (v == null) return null;
        String value;
        if (v instanceof Date d) {
            value = Long.toString(d.getTime() / 1000);
        } else if (v instanceof Collection<?> c) {
            List<String> parts = new ArrayList<>(c.size());
            for (Object o : c) {
                if (o == null) continue;
                String part = o.toString();
                if (part.indexOf(',') >= 0 || !carriable(part)) throw unfitForHeader(claim);
                parts.add(part);
            }
            value = String.join(", ", parts);
        } else if (v instanceof Map<?, ?> m) {
            @SuppressWarnings("unchecked")
            Map<String, Object> obj = (Map<String, Object>) m;
            value = JSONObjectUtils.toJSONString(obj);
        } else {
            value = v.toString();
        }
        if (value.isEmpty()) return null;
        if (!carriable(value)) throw unfitForHeader(claim);
        return value;
    }

    private static boolean carriable(String value) {
        if (value.isEmpty()) return true;
        if (value.charAt(0) == ' ' || value.charAt(value.length() - 1) == ' ') return false;
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c < 0x20 || c > 0x7e) return false;
        }
        return true;
    }

    private static GatewayException unfitForHeader(String claim) {
        return invalidToken("the token's " + claim + " claim cannot be carried in a header (printable ASCII only, "
                + "no spaces at either end)");
    }

    /** The token, from Authorization: Bearer, or the configured cookie or query parameter (which are removed from the request). */
    private String takeToken(Exchange ex) {
        HttpHeaders h = ex.request().headers();
        String token = null;
        String auth = h.get(HttpHeaderNames.AUTHORIZATION);
        if (auth != null && auth.regionMatches(true, 0, "Bearer ", 0, 7)) token = auth.substring(7).trim();
        if (config.cookie() != null) {
            String fromCookie = Cookies.take(h, ex.upstreamHeaders(), config.cookie());
            if (token == null) token = fromCookie;
        }
        if (config.query() != null) {
            List<String> fromQuery = QueryParams.all(ex.rawQuery(), config.query());
            if (!fromQuery.isEmpty()) {
                ex.upstreamTarget(QueryParams.without(ex.upstreamTarget(), config.query()));
                // Two tokens: which one counts is a choice another parser may make differently.
                if (fromQuery.size() > 1) throw invalidToken("the query carries more than one token");
                if (token == null) token = fromQuery.get(0);
            }
        }
        return token == null || token.isEmpty() ? null : token;
    }

    /**
     * Why nimbus could not read the claims: a registered claim of the wrong type (its name is one
     * nimbus knows, never text from the token), or a payload that is no JSON object, which
     * includes one that repeats a claim name.
     */
    static String claimsReason(ParseException e) {
        String m = e.getMessage() == null ? "" : e.getMessage();
        java.util.regex.Matcher wrongType = java.util.regex.Pattern.compile("(?:Unexpected type of JSON object member|Illegal) "
                + "(iss|sub|aud|exp|nbf|iat|jti)(?: claim)?").matcher(m);
        if (wrongType.matches()) return "the token's " + wrongType.group(1) + " claim has the wrong type";
        return "the token's claims are not a JSON object with each name once";
    }

    /** What the client is told: the kind of failure, never a key, a secret or an expected value. */
    static String reason(Exception e) {
        if (e instanceof ExpiredJWTException) return "the token has expired";
        String m = e.getMessage() == null ? "" : e.getMessage();
        if (m.contains("before use time")) return "the token is not valid yet";
        if (m.contains(ClaimsCheck.ISSUED_IN_FUTURE)) return "the token was issued in the future";
        if (m.contains("aud")) return "the token is not for this audience";
        if (m.contains("iss claim")) return "the token's issuer is not accepted";
        if (m.startsWith("JWT missing required claims")) return "the token lacks a required claim";
        if (m.contains("Invalid signature")) return "the token's signature does not verify";
        if (m.contains("no matching key")) return "no configured key fits the token";
        if (m.contains("typ")) return "the token's typ is not accepted";
        if (e instanceof JOSEException) return "the token's signature could not be checked";
        return "the token was refused";
    }

    private static GatewayException invalidToken(String why) {
        return new GatewayException(ErrorKind.UNAUTHENTICATED, why).header(HttpHeaderNames.WWW_AUTHENTICATE,
                "Bearer realm=\"" + REALM + "\", error=\"invalid_token\", error_description=\"" + why + "\"");
    }

    private static CompletionStage<Identity> invalid(String why) {
        return CompletableFuture.failedStage(invalidToken(why));
    }

    @Override
    public String challenge() {
        return "Bearer realm=\"" + REALM + "\"";
    }

    @Override
    public String anonymous() {
        return config.anonymous();
    }


    /** Time checks on the injected clock, plus iat, which nimbus leaves alone, and required claims that are null or empty. */
    static final class ClaimsCheck extends DefaultJWTClaimsVerifier<Candidates> {
        static final String ISSUED_IN_FUTURE = "JWT issued in the future";
        private final Clock clock;
        private final long skewMillis;
        private final Set<String> required;

        ClaimsCheck(Config config, String issuer, Clock clock) {
            super(config.audience().isEmpty() ? null : config.audience(),
                    issuer == null ? null : new JWTClaimsSet.Builder().issuer(issuer).build(),
                    config.requiredClaims(), null);
            this.clock = clock;
            this.required = config.requiredClaims();
            this.skewMillis = config.clockSkew().toMillis();
            setMaxClockSkew((int) config.clockSkew().toSeconds());
        }

        @Override
        protected Date currentTime() {
            return Date.from(clock.instant());
        }

        @Override
        public void verify(JWTClaimsSet claims, Candidates context) throws BadJWTException {
            // nimbus counts a claim as present when its name is: "exp": null would be a token that never expires.
            for (String name : required) {
                Object v = claims.getClaim(name);
                if (v == null || "".equals(v)) throw new BadJWTException("JWT missing required claims: [" + name + "]");
            }
            super.verify(claims, context);
            Date iat = claims.getIssueTime();
            if (iat != null && iat.getTime() > clock.millis() + skewMillis) throw new BadJWTException(ISSUED_IN_FUTURE);
        }
    }

    /** nimbus's verifiers, with the JDK's Ed25519 for EdDSA (see {@link Ed25519Verifier}). */
    private static final class VerifierFactory implements JWSVerifierFactory {
        private final DefaultJWSVerifierFactory nimbus = new DefaultJWSVerifierFactory();

        @Override
        public JWSVerifier createJWSVerifier(JWSHeader header, Key key) throws JOSEException {
            if (!PublicKeys.fits(header.getAlgorithm(), key)) throw new JOSEException("the key does not fit the algorithm");
            if (PublicKeys.EDDSA.contains(header.getAlgorithm())) return new Ed25519Verifier((PublicKey) key);
            return nimbus.createJWSVerifier(header, key);
        }

        @Override
        public Set<JWSAlgorithm> supportedJWSAlgorithms() {
            Set<JWSAlgorithm> all = new LinkedHashSet<>(nimbus.supportedJWSAlgorithms());
            all.addAll(PublicKeys.EDDSA);
            return all;
        }

        @Override
        public JCAContext getJCAContext() {
            return nimbus.getJCAContext();
        }
    }

    private static final class Factory implements PluginFactory<Config> {
        private static final String[] KEYS = {"algorithms", "issuer", "audience", "jwks_url", "jwks_refresh", "jwks_min_interval",
                "public_key", "key_claim", "consumer_claim", "clock_skew", "required_claims", "scopes", "roles", "role_claim",
                "cookie", "query", "claims_to_headers", "anonymous"};

        @Override
        public String name() {
            return "jwt";
        }

        @Override
        public Phase phase() {
            return Phase.AUTHENTICATE;
        }

        @Override
        public Config parse(ConfigNode node) {
            node.object(KEYS);
            Set<JWSAlgorithm> algorithms = null;
            ConfigNode algs = node.get("algorithms");
            if (algs.present()) {
                algorithms = new LinkedHashSet<>();
                for (ConfigNode item : algs.items()) {
                    JWSAlgorithm a = algorithm(item);
                    if (a != null) algorithms.add(a);
                }
                if (algs.items().isEmpty()) algs.error("needs at least one algorithm");
            }
            String issuer = node.get("issuer").text(null);
            Set<String> audience = new LinkedHashSet<>(node.get("audience").strings());
            URI jwksUrl = jwksUrl(node.get("jwks_url"));
            Duration refresh = positive(node.get("jwks_refresh"), Duration.ofMinutes(10));
            Duration minInterval = node.get("jwks_min_interval").duration(Duration.ofSeconds(30));
            if (minInterval.compareTo(refresh) > 0) node.get("jwks_min_interval").error("must be at most jwks_refresh (" + refresh + ")");
            ConfigNode keyNode = node.get("public_key");
            PublicKey publicKey = null;
            if (keyNode.present()) {
                String pem = keyNode.requiredText();
                if (pem != null) {
                    try {
                        publicKey = PublicKeys.parse(pem);
                    } catch (IllegalArgumentException e) {
                        keyNode.error(e.getMessage());
                    }
                }
                if (jwksUrl != null) keyNode.error("give either jwks_url or public_key, not both");
            }
            if (publicKey != null && algorithms != null) {
                PublicKey k = publicKey;
                if (algorithms.stream().noneMatch(a -> PublicKeys.fits(a, k))) {
                    algs.error("no algorithm listed fits public_key (" + PublicKeys.describe(k) + ")");
                }
            }
            String keyClaim = nonEmpty(node.get("key_claim"), "iss");
            String consumerClaim = nonEmpty(node.get("consumer_claim"), null);
            if (consumerClaim != null && jwksUrl == null && publicKey == null && !keyNode.present()) {
                node.get("consumer_claim").error("names the consumer of tokens verified by jwks_url or public_key; this plugin has neither");
            }
            ConfigNode skewNode = node.get("clock_skew");
            Duration skew = skewNode.duration(Duration.ofSeconds(60));
            if (skew.compareTo(MAX_SKEW) > 0) {
                skewNode.error("must be at most 10m");
                skew = MAX_SKEW;
            }
            ConfigNode requiredNode = node.get("required_claims");
            Set<String> required = requiredNode.present() ? new LinkedHashSet<>(requiredNode.strings()) : Set.of("exp");
            Set<String> scopes = new LinkedHashSet<>(node.get("scopes").strings());
            Set<String> roles = new LinkedHashSet<>(node.get("roles").strings());
            String roleClaim = nonEmpty(node.get("role_claim"), "role");
            String cookie = nonEmpty(node.get("cookie"), null);
            String query = nonEmpty(node.get("query"), null);
            Map<String, String> headers = new LinkedHashMap<>();
            ConfigNode headersNode = node.get("claims_to_headers");
            headersNode.stringMap().forEach((claim, header) -> {
                if (!header.matches("[!#$%&'*+.^_`|~0-9A-Za-z-]+")) {
                    headersNode.get(claim).error("not a header name: '" + header + "'");
                } else if (portico.plugin.RoutePlugins.canonical(header).startsWith("x-consumer-")) {
                    headersNode.get(claim).error("X-Consumer-* headers are the gateway's own (X-Consumer-Name, X-Consumer-Groups)");
                } else if (ReservedHeaders.isReserved(header)) {
                    headersNode.get(claim).error(header + " frames, routes or forwards the request; a claim may not set it "
                            + "(and every claims_to_headers name is removed from every request)");
                } else {
                    headers.put(claim, header);
                }
            });
            return new Config(algorithms, issuer, audience, jwksUrl, refresh, minInterval, publicKey, keyClaim, consumerClaim,
                    skew, required, scopes, roles, roleClaim, cookie, query, headers, node.get("anonymous").text(null));
        }

        private static JWSAlgorithm algorithm(ConfigNode node) {
            String name = node.requiredText();
            if (name == null) return null;
            if (name.equalsIgnoreCase("none")) {
                node.error("'none' means an unsigned token; it is never accepted");
                return null;
            }
            JWSAlgorithm a = PublicKeys.algorithm(name);
            if (a == null) {
                node.error("unknown algorithm '" + name + "'" + portico.config.Suggest.didYouMean(name,
                        PublicKeys.all().stream().map(JWSAlgorithm::getName).toList()));
            }
            return a;
        }

        private static URI jwksUrl(ConfigNode node) {
            String text = node.text(null);
            if (text == null) return null;
            try {
                URI u = new URI(text);
                if (u.getScheme() == null || !u.getScheme().matches("(?i)https?") || u.getHost() == null) {
                    node.error("expected an http:// or https:// URL, was '" + text + "'");
                    return null;
                }
                if (u.getScheme().equalsIgnoreCase("http") && !isLoopback(u.getHost())) {
                    node.warning("keys fetched over plain http can be replaced by anyone on the way, and then any token "
                            + "they sign is accepted: use https://");
                }
                return u;
            } catch (java.net.URISyntaxException e) {
                node.error("not a valid URL: " + e.getReason());
                return null;
            }
        }

        /** A literal loopback name: no DNS lookup while reading the config. */
        private static boolean isLoopback(String host) {
            String h = host.toLowerCase(java.util.Locale.ROOT);
            return h.equals("localhost") || h.startsWith("127.") || h.equals("[::1]");
        }

        private static Duration positive(ConfigNode node, Duration fallback) {
            Duration d = node.duration(fallback);
            if (d.isZero() || d.isNegative()) {
                node.error("must be more than 0");
                return fallback;
            }
            return d;
        }

        private static String nonEmpty(ConfigNode node, String fallback) {
            String s = node.text(fallback);
            if (s != null && s.isBlank()) {
                node.error("must not be empty");
                return fallback;
            }
            return s;
        }

        @Override
        public Plugin create(Config settings, PluginContext ctx) {
            return new JwtPlugin(settings, ctx);
        }

        /**
         * A plugin with no key of its own and no consumer credential it accepts can verify no token;
         * its {@code issuer} only ever applies to its own keys' tokens.
         */
        @Override
        public void crossCheck(Config settings, ConfigNode node, portico.config.GatewayConfig config) {
            boolean ownKeys = settings.jwksUrl() != null || settings.publicKey() != null;
            boolean consumerKeys = false;
            for (ConsumerConfig c : config.consumers().values()) {
                for (Object o : c.credentials().getOrDefault(name(), List.of())) {
                    JwtCredential cred = (JwtCredential) o;
                    if (settings.algorithms() == null || settings.algorithms().contains(cred.algorithm())) consumerKeys = true;
                }
            }
            if (!ownKeys && !consumerKeys) {
                node.error("no key can verify a token: give jwks_url or public_key, or a consumer a jwt credential"
                        + (settings.algorithms() == null ? "" : " in one of the algorithms listed"));
            } else if (!ownKeys && settings.issuer() != null) {
                node.get("issuer").warning("has no effect: it is the iss required of tokens verified by jwks_url or public_key, "
                        + "and this plugin has neither (a consumer's tokens are found by their credential's issuer)");
            }
            CrossChecks.anonymous(node.get("anonymous"), config);
        }

        @Override
        public String credentialKey() {
            return "jwt";
        }

        @Override
        public List<Object> parseCredentials(ConfigNode node) {
            List<Object> out = new ArrayList<>();
            // One credential or a list of them (CONTRACT section 2).
            for (ConfigNode item : node.isObject() ? List.of(node) : node.items()) {
                if (!item.object("issuer", "algorithm", "secret", "public_key", "kid")) {
                    if (item.isText()) item.error("expected {issuer, algorithm, secret | public_key, kid}");
                    continue;
                }
                String issuer = item.get("issuer").requiredText();
                ConfigNode algNode = item.get("algorithm");
                JWSAlgorithm alg = algNode.present() ? algorithm(algNode) : JWSAlgorithm.HS256;
                ConfigNode secretNode = item.get("secret");
                ConfigNode keyNode = item.get("public_key");
                if (issuer == null || alg == null) continue;
                Key key = null;
                if (PublicKeys.HMAC.contains(alg)) {
                    if (keyNode.present()) keyNode.error(alg.getName() + " is signed with a shared secret, not a public key");
                    String secret = secretNode.requiredText();
                    if (secret != null) {
                        byte[] bytes = secret.getBytes(StandardCharsets.UTF_8);
                        int need = Integer.parseInt(alg.getName().substring(2)) / 8;
                        if (bytes.length < need) {
                            secretNode.error(alg.getName() + " needs a secret of at least " + need + " bytes, this one has " + bytes.length);
                        } else {
                            key = new SecretKeySpec(bytes, "Hmac" + alg.getName().replace("HS", "SHA"));
                        }
                    }
                } else {
                    if (secretNode.present()) secretNode.error(alg.getName() + " is verified with a public key, not a secret");
                    String pem = keyNode.requiredText();
                    if (pem != null) {
                        try {
                            PublicKey k = PublicKeys.parse(pem);
                            if (PublicKeys.fits(alg, k)) key = k;
                            else keyNode.error("is " + PublicKeys.describe(k) + ", which cannot verify " + alg.getName());
                        } catch (IllegalArgumentException e) {
                            keyNode.error(e.getMessage());
                        }
                    }
                }
                // A JWK's own kid names it unless the credential says otherwise.
                String kid = nonEmpty(item.get("kid"), keyNode.present() ? PublicKeys.jwkKid(keyNode.text("")) : null);
                if (key != null) out.add(new JwtCredential(issuer, alg, key, kid, item.get("issuer").mark(), item.get("issuer").path()));
            }
            return out;
        }

        /**
         * An issuer names one consumer; and within an issuer and algorithm each key needs its own
         * kid, since a token names the key that signed it (two keys without a kid could never be
         * told apart, and are never both tried).
         */
        @Override
        public void checkCredentials(Map<String, List<Object>> byConsumer, Problems problems) {
            Map<String, String> owner = new HashMap<>();
            Map<List<Object>, JwtCredential> byKid = new HashMap<>();
            byConsumer.forEach((consumer, creds) -> {
                for (Object o : creds) {
                    JwtCredential c = (JwtCredential) o;
                    String first = owner.putIfAbsent(c.issuer(), consumer);
                    if (first != null && !first.equals(consumer)) {
                        problems.error(c.mark(), c.path(), "issuer '" + c.issuer() + "' is already consumer '" + first
                                + "''s: the jwt plugin finds a token's consumer by it");
                        continue;
                    }
                    JwtCredential same = byKid.putIfAbsent(java.util.Arrays.asList(c.issuer(), c.algorithm(), c.kid()), c);
                    if (same != null) {
                        problems.error(c.mark(), c.path(), "issuer '" + c.issuer() + "' has two " + c.algorithm() + " keys "
                                + (c.kid() == null ? "without a kid: give each its own kid, which the tokens it signs carry"
                                : "with kid '" + c.kid() + "'"));
                    }
                }
            });
        }

        @Override
        public Set<String> identityHeaders(Config settings) {
            return Set.copyOf(settings.claimsToHeaders().values());
        }

        @Override
        public String toString() {
            return name();
        }
    }
}
