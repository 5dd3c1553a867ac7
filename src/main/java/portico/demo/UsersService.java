package portico.demo;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentSkipListMap;

/**
 * The shop's customers. Records carry {@code password_hash}, {@code ssn} and {@code credit_card} on
 * purpose: they are what a gateway response transform should strip before a client sees them.
 * {@code /legacy/users} serves the same people in an older shape, for a transform that renames fields.
 */
final class UsersService {
    static final String NAME = "users";

    /** By id, so {@code GET /users} lists in id order; POSTs add to it while readers iterate. */
    private final Map<Integer, ObjectNode> users = new ConcurrentSkipListMap<>();
    private final Clock clock;
    private int lastId;

    UsersService(ArrayNode data, Clock clock) {
        this.clock = clock;
        for (JsonNode user : data) {
            users.put(user.get("id").asInt(), (ObjectNode) user);
            lastId = Math.max(lastId, user.get("id").asInt());
        }
    }

    JsonRouter router() {
        return new JsonRouter(NAME, List.of(
                JsonRouter.get("/users", call -> Reply.ok(Json.array().addAll(users.values()))),
                JsonRouter.get("/users/{id}", call -> user(call.capture("id"))),
                JsonRouter.get("/profile/{id}", call -> user(call.capture("id"))),
                JsonRouter.post("/users", call -> create(call.jsonBody())),
                JsonRouter.get("/legacy/users", call -> legacyList()),
                JsonRouter.get("/legacy/users/{id}", call -> legacyUser(call.capture("id")))));
    }

    private Reply user(String id) {
        ObjectNode user = find(id);
        return user == null ? Reply.notFound("user " + id + " not found") : Reply.ok(user);
    }

    /** Echoes the new user with its id; later GETs find it until the process ends. */
    private Reply create(JsonNode body) {
        if (!body.path("name").isTextual() || !body.path("email").isTextual()) {
            return Reply.error(400, "name and email are required strings");
        }
        ObjectNode created;
        synchronized (this) {  // one id per POST, even when two arrive at once
            int id = ++lastId;
            created = Json.object()
                    .put("id", id)
                    .put("name", body.get("name").asText())
                    .put("email", body.get("email").asText())
                    .put("accountId", body.path("accountId").asText("ACC-" + (1000 + id)))
                    .put("created_at", clock.instant().getEpochSecond());
            users.put(id, created);
        }
        return Reply.created(created, "/users/" + created.get("id").asInt());
    }

    private Reply legacyList() {
        ArrayNode list = Json.array();
        users.values().forEach(user -> list.add(legacy(user)));
        return Reply.ok(list);
    }

    private Reply legacyUser(String id) {
        ObjectNode user = find(id);
        return user == null ? Reply.notFound("user " + id + " not found") : Reply.ok(legacy(user));
    }

    /** The shape before the 2023 rename: what old mobile clients still expect. */
    private static ObjectNode legacy(ObjectNode user) {
        return Json.object()
                .put("user_id", user.get("id").asInt())
                .put("full_name", user.get("name").asText())
                .put("mail", user.get("email").asText())
                .put("created", user.get("created_at").asLong());
    }

    private ObjectNode find(String id) {
        try {
            return users.get(Integer.parseInt(id));
        } catch (NumberFormatException e) {
            return null;  // "/users/abc" names no user: a 404 like any other unknown id
        }
    }
}
