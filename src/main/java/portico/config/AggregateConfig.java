package portico.config;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import portico.template.Template;

/**
 * A route's {@code aggregate}: the parts it calls and how their answers become one JSON object.
 *
 * @param parts          in the order written (the order of the answer's fields)
 * @param meta           {@code meta}: add {@code _meta} with each part's status and latency (default false)
 * @param maxPartBytes   {@code max_part_bytes}: the largest part answer read, default 1MB; larger is a failure
 * @param forwardHeaders {@code forward_headers}: client headers passed to every part besides the
 *                       identity and forwarding headers the gateway sets (default none)
 */
public record AggregateConfig(List<Part> parts, boolean meta, long maxPartBytes, List<String> forwardHeaders) {
    public static final long DEFAULT_MAX_PART_BYTES = 1024 * 1024;

    public AggregateConfig {
        parts = List.copyOf(parts);
        forwardHeaders = List.copyOf(forwardHeaders);
    }

    /**
     * One part.
     *
     * @param path         the upstream path, a template ({@code /profile/{userId}}, {@code /for/{user.id}})
     * @param query        the upstream query after '?', one template per {@code name=value} pair (a
 *                     pair whose value the request lacks is left out); empty for none
     * @param timeout      {@code timeout}: for the whole call; null means the service's {@code timeouts.response}
     * @param required     {@code required}: a failure fails the whole answer (default false)
     * @param defaultValue {@code default}: the value used when the part fails (default null)
     * @param accept       {@code accept}: non-2xx statuses that count as an answer, not a failure
     * @param into         {@code into}: null to be a field of the answer; else the part this one goes
     *                     into, then the field path inside it (the part's own name when none was given)
     * @param dependsOn    the parts whose fields the templates use: they are called first
     */
    public record Part(String name, String service, Template path, List<Template> query, Duration timeout, boolean required,
                       JsonNode defaultValue, Set<Integer> accept, List<String> into, Set<String> dependsOn, Mark mark) {
        public Part {
            query = List.copyOf(query);
            accept = Set.copyOf(accept);
            into = into == null ? null : List.copyOf(into);
            dependsOn = Set.copyOf(dependsOn);
        }
    }
}
