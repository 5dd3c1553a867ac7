package portico.aggregate;

import com.fasterxml.jackson.databind.JsonNode;
import io.netty.handler.codec.http.EmptyHttpHeaders;
import io.netty.handler.codec.http.HttpHeaders;
import portico.error.ErrorKind;

/**
 * How one part went.
 *
 * @param value  its answer, or its default when it failed
 * @param status the service's status, or 0 when there was no answer
 * @param kind   for a failure, the error it would be as a whole answer; null when it succeeded
 * @param errorHeaders for a failure, the headers that answer must carry (the open circuit's
 *               {@code Retry-After}); empty otherwise
 */
record PartOutcome(Part part, JsonNode value, int status, ErrorKind kind, String error, long millis, HttpHeaders errorHeaders) {
    PartOutcome(Part part, JsonNode value, int status, long millis) {
        this(part, value, status, null, null, millis, EmptyHttpHeaders.INSTANCE);
    }

    boolean ok() {
        return kind == null;
    }
}
