package portico.demo;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * Logs demo users in: {@code POST /login} with {@code {"username", "password"}} answers a bearer
 * token. The token is opaque for now; nothing verifies it yet.
 */
final class AuthService {
    static final String NAME = "auth";
    static final int TOKEN_SECONDS = 3600;

    private final Map<String, String> passwords = new HashMap<>();
    private final Supplier<String> tokens;

    /** {@code credentials}: {@code [{"username", "password", "user_id"}]}. */
    AuthService(ArrayNode credentials, Supplier<String> tokens) {
        this.tokens = tokens;
        for (JsonNode c : credentials) passwords.put(c.get("username").asText(), c.get("password").asText());
    }

    /** 32 random bytes, base64url: unguessable, and meaningless to anyone but this service. */
    static Supplier<String> randomTokens(SecureRandom random) {
        return () -> {
            byte[] bytes = new byte[32];
            random.nextBytes(bytes);
            return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
        };
    }

    JsonRouter router() {
        return new JsonRouter(NAME, List.of(JsonRouter.post("/login", call -> login(call.jsonBody()))));
    }

    private Reply login(JsonNode body) {
        if (!body.isObject()) return Reply.error(400, "expected {\"username\": ..., \"password\": ...}");
        String expected = passwords.get(body.path("username").asText(""));
        byte[] given = body.path("password").asText("").getBytes(StandardCharsets.UTF_8);
        // Constant-time compare: even a sample should not teach timing leaks.
        if (expected == null || !MessageDigest.isEqual(expected.getBytes(StandardCharsets.UTF_8), given)) {
            return Reply.error(401, "invalid username or password");
        }
        return Reply.ok(Json.object()
                .put("token", tokens.get())
                .put("token_type", "Bearer")
                .put("expires_in", TOKEN_SECONDS));
    }
}
