package portico.route;

import io.netty.handler.codec.http.HttpHeaders;
import java.util.List;
import java.util.Map;

/**
 * What the router looks at in a request.
 *
 * @param method  as sent (methods are case-sensitive, RFC 9110 section 9.1)
 * @param host    lower case, port removed; null when the request has none
 * @param path    from {@link PathNormalizer#normalize}
 * @param headers the request headers; null means none
 * @param query   decoded query parameters (as {@code QueryStringDecoder.parameters()}); null means none
 */
public record RequestFacts(String method, String host, String path, HttpHeaders headers,
                           Map<String, List<String>> query) {}
