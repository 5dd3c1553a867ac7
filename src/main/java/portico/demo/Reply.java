package portico.demo;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Map;

/** What an endpoint answers: a status, a JSON body and any extra headers. */
record Reply(int status, JsonNode body, Map<String, String> headers) {

    Reply {
        headers = Map.copyOf(headers);
    }

    static Reply ok(JsonNode body) {
        return new Reply(200, body, Map.of());
    }

    static Reply created(JsonNode body, String location) {
        return new Reply(201, body, Map.of("Location", location));
    }

    /** {@code {"error": message}}, the one error shape of every sample service. */
    static Reply error(int status, String message) {
        return new Reply(status, Json.object().put("error", message), Map.of());
    }

    static Reply notFound(String message) {
        return error(404, message);
    }
}
