package portico.demo;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * "You may also like": a few products per user, slow on purpose. The latency (150 ms in the demo)
 * makes it visible that a gateway aggregating users, orders and recommendations waits for the
 * slowest part once, in parallel, rather than for the sum.
 */
final class RecommendationsService {
    static final String NAME = "recommendations";
    static final Duration DEMO_LATENCY = Duration.ofMillis(150);

    private final Map<String, JsonNode> productsById = new HashMap<>();
    private final JsonNode picks;
    private final Duration latency;

    /** {@code picks}: {@code {"default": [ids], "by_user": {"1": [ids]}}}, ids from {@code products}. */
    RecommendationsService(JsonNode picks, ArrayNode products, Duration latency) {
        this.picks = picks;
        this.latency = latency;
        for (JsonNode product : products) productsById.put(product.get("id").asText(), product);
    }

    JsonRouter router() {
        return new JsonRouter(NAME, List.of(
                JsonRouter.get("/for/{userId}", call -> Reply.ok(forUser(call.capture("userId"))))));
    }

    private ArrayNode forUser(String userId) {
        pause();
        JsonNode personal = picks.path("by_user").path(userId);
        boolean known = personal.isArray();
        ArrayNode list = Json.array();
        for (JsonNode id : known ? personal : picks.get("default")) {
            JsonNode product = productsById.get(id.asText());
            ObjectNode pick = list.addObject()
                    .put("product_id", id.asInt())
                    .put("name", product.get("name").asText())
                    .put("reason", known ? "picked for you" : "popular right now");
            pick.set("price", product.get("price"));
        }
        return list;
    }

    private void pause() {
        if (latency.isZero()) return;
        try {
            Thread.sleep(latency.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();  // stopping the service: answer at once
        }
    }
}
