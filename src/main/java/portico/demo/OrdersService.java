package portico.demo;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import java.util.List;
import java.util.function.Predicate;

/**
 * Orders, read-only. {@code GET /orders} honours {@code X-User-Id}: once the gateway authenticates
 * callers and sets that header, "my orders" needs no change here.
 */
final class OrdersService {
    static final String NAME = "orders";

    private final ArrayNode orders;

    OrdersService(ArrayNode orders) {
        this.orders = orders;
    }

    JsonRouter router() {
        return new JsonRouter(NAME, List.of(
                JsonRouter.get("/orders", call -> list(call.header("X-User-Id"))),
                JsonRouter.get("/orders/{id}", call -> order(call.capture("id"))),
                JsonRouter.get("/user/{userId}", call -> Reply.ok(select(ofUser(call.capture("userId")))))));
    }

    private Reply list(String userId) {
        return Reply.ok(select(userId == null ? order -> true : ofUser(userId.trim())));
    }

    private Reply order(String id) {
        for (JsonNode order : orders) {
            if (order.get("id").asText().equals(id)) return Reply.ok(order);
        }
        return Reply.notFound("order " + id + " not found");
    }

    private static Predicate<JsonNode> ofUser(String userId) {
        return order -> order.get("user_id").asText().equals(userId);
    }

    private ArrayNode select(Predicate<JsonNode> wanted) {
        ArrayNode selected = Json.array();
        for (JsonNode order : orders) {
            if (wanted.test(order)) selected.add(order);
        }
        return selected;
    }
}
