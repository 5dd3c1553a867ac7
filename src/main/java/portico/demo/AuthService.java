package portico.demo;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Instant;
import java.util.Date;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * Logs demo users in: {@code POST /login} with {@code {"username", "password"}} answers a bearer
 * token, an HS256 JWT signed with the secret of the demo config's {@code shop-web} consumer
 * ({@code consumers.shop-web.jwt}), so the gateway can verify it. Its claims are what the gateway
 * passes on: {@code sub} (the user id) as {@code X-User-Id}, {@code role} as {@code X-User-Role}.
 */
final class AuthService {
    static final String NAME = "auth";
    static final int TOKEN_SECONDS = 3600;
    /** The {@code iss} of every token, matched to {@code consumers.shop-web.jwt.issuer} in examples/ecommerce/portico.yaml. */
    static final String ISSUER = "portico-demo-auth";
    /** What {@code ${DEMO_JWT_SECRET:-...}} in the demo config falls back to; a demo secret, public on purpose. */
    static final String DEFAULT_SECRET = "portico-demo-secret-change-me-0123456789";

    private record Account(String password, int userId, String role) {}

    private final Map<String, Account> accounts = new HashMap<>();
    private final MACSigner signer;
    private final Clock clock;

    /**
     * @param credentials {@code [{"username", "password", "user_id", "role"}]}
     * @param secret      the HS256 secret, at least 32 bytes
     */
    AuthService(ArrayNode credentials, byte[] secret, Clock clock) {
        this.clock = clock;
        for (JsonNode c : credentials) {
            accounts.put(c.get("username").asText(), new Account(c.get("password").asText(), c.get("user_id").asInt(),
                    c.path("role").asText("customer")));
        }
        try {
            this.signer = new MACSigner(secret);
        } catch (JOSEException e) {
            throw new IllegalArgumentException("the demo JWT secret needs at least 32 bytes", e);
        }
    }

    /** The secret as the demo config resolves {@code ${DEMO_JWT_SECRET:-...}} when nobody passes it. */
    static byte[] secretFromEnvironment() {
        String env = System.getenv("DEMO_JWT_SECRET");
        return (env == null || env.isEmpty() ? DEFAULT_SECRET : env).getBytes(StandardCharsets.UTF_8);
    }

    JsonRouter router() {
        return new JsonRouter(NAME, List.of(JsonRouter.post("/login", call -> login(call.jsonBody()))));
    }

    private Reply login(JsonNode body) {
        if (!body.isObject()) return Reply.error(400, "expected {\"username\": ..., \"password\": ...}");
        String username = body.path("username").asText("");
        Account account = accounts.get(username);
        byte[] given = body.path("password").asText("").getBytes(StandardCharsets.UTF_8);
        // Constant-time compare: even a sample should not teach timing leaks.
        if (account == null || !MessageDigest.isEqual(account.password().getBytes(StandardCharsets.UTF_8), given)) {
            return Reply.error(401, "invalid username or password");
        }
        return Reply.ok(Json.object()
                .put("token", token(username, account))
                .put("token_type", "Bearer")
                .put("expires_in", TOKEN_SECONDS));
    }

    private String token(String username, Account account) {
        Instant now = clock.instant();
        JWTClaimsSet claims = new JWTClaimsSet.Builder()
                .issuer(ISSUER)
                .subject(Integer.toString(account.userId()))
                .claim("role", account.role())
                .claim("name", username)
                .issueTime(Date.from(now))
                .expirationTime(Date.from(now.plusSeconds(TOKEN_SECONDS)))
                .jwtID(UUID.randomUUID().toString())
                .build();
        SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.HS256).type(JOSEObjectType.JWT).build(), claims);
        try {
            jwt.sign(signer);
        } catch (JOSEException e) {
            throw new IllegalStateException("HS256 signing failed", e);
        }
        return jwt.serialize();
    }
}
