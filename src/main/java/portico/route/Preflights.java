package portico.route;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;
import portico.config.RouteConfig;

/**
 * Where a CORS preflight goes when no route takes OPTIONS on its path: a preflight asks about
 * another method, so it goes to the route that takes that method, or else to any route on the
 * path, but only to one whose cors plugin answers preflights (it then allows the method or refuses
 * it with 403). Without one, the plain 405 stands: an OPTIONS request would otherwise reach a
 * service that never accepted OPTIONS. The gateway and {@code portico explain} both route by this.
 */
public final class Preflights {
    private Preflights() {}

    /** OPTIONS with an Origin, asking about a method (the Fetch standard's CORS-preflight request). */
    public static boolean isPreflight(String method, HttpHeaders headers) {
        return "OPTIONS".equals(method) && headers != null && headers.contains(HttpHeaderNames.ORIGIN)
                && headers.contains(HttpHeaderNames.ACCESS_CONTROL_REQUEST_METHOD);
    }

    /**
     * @param plain             what the request matched as sent
     * @param answersPreflights whether a route's cors plugin answers preflights
     * @return the method to route the preflight by, or null to keep {@code plain}
     */
    public static String routeBy(RouteTable table, RequestFacts req, RouteMatch plain, Predicate<RouteConfig> answersPreflights) {
        if (!(plain instanceof RouteMatch.MethodNotAllowed mna) || !isPreflight(req.method(), req.headers())) return null;
        List<String> methods = new ArrayList<>();
        methods.add(req.headers().get(HttpHeaderNames.ACCESS_CONTROL_REQUEST_METHOD).trim());
        methods.addAll(mna.allowed());
        for (String m : methods) {
            RouteMatch r = table.match(as(req, m));
            if (r instanceof RouteMatch.Found f && answersPreflights.test(f.route())) return m;
        }
        return null;
    }

    /** The same request with another method. */
    public static RequestFacts as(RequestFacts req, String method) {
        return new RequestFacts(method, req.host(), req.path(), req.headers(), req.query());
    }
}
