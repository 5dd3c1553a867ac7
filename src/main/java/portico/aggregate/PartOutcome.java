package portico.aggregate;

import com.fasterxml.jackson.databind.JsonNode;
import portico.error.ErrorKind;

/**
 * How one part went.
 *
 * @param value  its answer, or its default when it failed
 * @param status the service's status, or 0 when there was no answer
 * @param kind   for a failure, the error it would be as a whole answer; null when it succeeded
 */
record PartOutcome(Part part, JsonNode value, int status, ErrorKind kind, String error, long millis) {
    boolean ok() {
        return kind == null;
    }
}
