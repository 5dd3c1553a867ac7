package portico.testing;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.UncheckedIOException;
import java.net.http.HttpResponse;

/** A gateway error as a client reads it: an RFC 9457 problem+json body, checked to be one. */
public record ProblemJson(int httpStatus, String type, String title, int status, String detail, String requestId) {
    private static final ObjectMapper JSON = new ObjectMapper();

    public static ProblemJson of(HttpResponse<String> res) {
        assertThat(res.headers().firstValue("content-type")).as("content type of a gateway error")
                .hasValue("application/problem+json");
        return parse(res.statusCode(), res.body());
    }

    public static ProblemJson of(RawResponse res) {
        assertThat(res.header("content-type")).as("content type of a gateway error").isEqualTo("application/problem+json");
        return parse(res.status(), res.body());
    }

    private static ProblemJson parse(int httpStatus, String body) {
        try {
            JsonNode n = JSON.readTree(body);
            return new ProblemJson(httpStatus, n.path("type").asText(null), n.path("title").asText(null),
                    n.path("status").asInt(), n.path("detail").asText(null), n.path("request_id").asText(null));
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new UncheckedIOException("not a problem+json body: " + body, e);
        }
    }
}
