package portico.aggregate;

import java.util.List;

/**
 * The merged answer of an aggregate route.
 *
 * @param body     the JSON object, written
 * @param degraded parts that failed and were answered with their default, in config order
 *                 (the {@code Portico-Degraded} header)
 */
public record AggregateAnswer(byte[] body, List<String> degraded) {}
