package portico.route;

import java.util.Collections;
import java.util.Map;
import java.util.Set;
import java.util.SortedSet;
import java.util.TreeSet;
import portico.config.RouteConfig;

/** What {@link RouteTable#match} decided for one request. */
public sealed interface RouteMatch {
    RouteMatch NOT_FOUND = new NotFound();

    /**
     * The request takes {@code route}.
     *
     * @param captures      {@code {name}} and regex named-group values, raw (still percent-encoded)
     * @param matchedPrefix the part of the path the pattern matched, never ending in '/'
     *                      ({@code X-Forwarded-Prefix} with strip_prefix); empty for {@code /}
     * @param remainder     the rest of the path, {@code /} when nothing remains (the upstream path
     *                      with strip_prefix)
     */
    record Found(RouteConfig route, Map<String, String> captures, String matchedPrefix, String remainder)
            implements RouteMatch {}

    /**
     * 405: no route took the request, but some route matched all of it except the method.
     *
     * @param allowed the union of those routes' methods, sorted, for the {@code Allow} header
     */
    record MethodNotAllowed(Set<String> allowed) implements RouteMatch {
        public MethodNotAllowed {
            SortedSet<String> sorted = new TreeSet<>(allowed);
            allowed = Collections.unmodifiableSortedSet(sorted);
        }
    }

    /** 404: no route matched. Use {@link #NOT_FOUND}. */
    record NotFound() implements RouteMatch {}
}
