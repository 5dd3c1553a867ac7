package portico.cli;

import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.QueryStringDecoder;
import java.io.PrintStream;
import java.net.URI;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import portico.config.ConfigException;
import portico.config.GatewayConfig;
import portico.route.BadPathException;
import portico.route.Explanation;
import portico.route.PathNormalizer;
import portico.route.Preflights;
import portico.route.RequestFacts;
import portico.route.RouteTable;

/** {@code portico explain}: which route a request takes, and why each other route did not. */
public final class Explain {
    private Explain() {}

    public static int run(Path file, String method, String url, List<String> headerArgs, PrintStream out, PrintStream err) {
        GatewayConfig config;
        try {
            config = ConfigCheck.load(file);
        } catch (ConfigException e) {
            err.println(e.getMessage());
            return 1;
        }
        HttpHeaders headers = new DefaultHttpHeaders();
        for (String h : headerArgs) {
            int colon = h.indexOf(':');
            if (colon <= 0) {
                err.println("-H expects 'Name: value', was '" + h + "'");
                return 2;
            }
            headers.add(h.substring(0, colon).trim(), h.substring(colon + 1).trim());
        }
        String rawPath;
        String rawQuery;
        String host = null;
        if (url.startsWith("http://") || url.startsWith("https://")) {
            URI uri = URI.create(url);
            host = uri.getHost();
            rawPath = uri.getRawPath() == null || uri.getRawPath().isEmpty() ? "/" : uri.getRawPath();
            rawQuery = uri.getRawQuery();
        } else {
            int q = url.indexOf('?');
            rawPath = q < 0 ? url : url.substring(0, q);
            rawQuery = q < 0 ? null : url.substring(q + 1);
        }
        if (headers.contains("Host")) {
            String h = headers.get("Host");
            int colon = h.lastIndexOf(':');
            host = colon > 0 && !h.endsWith("]") ? h.substring(0, colon) : h;
        }
        String path;
        try {
            path = PathNormalizer.normalize(rawPath);
        } catch (BadPathException e) {
            out.println("400 Bad Request: " + e.getMessage());
            return 0;
        }
        RequestFacts facts = new RequestFacts(method.toUpperCase(Locale.ROOT), host == null ? null : host.toLowerCase(Locale.ROOT),
                path, headers, rawQuery == null ? java.util.Map.of() : new QueryStringDecoder(rawQuery, false).parameters());
        out.println(method.toUpperCase(Locale.ROOT) + " " + path + (rawQuery == null ? "" : "?" + rawQuery)
                + (host == null ? "" : " (host " + host + ")"));
        RouteTable table = RouteTable.compile(config.routes());
        // As the gateway routes it: a preflight goes by the method it asks about, to a route whose cors answers it.
        String preflightBy = Preflights.routeBy(table, facts, table.match(facts),
                r -> portico.plugin.RoutePlugins.describe(config, r).stream().anyMatch(p -> p.startsWith("cors (")));
        if (preflightBy != null) {
            out.println("CORS preflight: no route takes OPTIONS here; routed as " + preflightBy
                    + ", where the cors plugin answers it (204, or 403 if origin, method or headers are not allowed)");
            facts = Preflights.as(facts, preflightBy);
        }
        Explanation e = table.explain(facts);
        e.lines().forEach(out::println);
        e.winner().ifPresent(r -> {
            List<String> plugins = portico.plugin.RoutePlugins.describe(config, r);
            out.println("plugins: " + (plugins.isEmpty() ? "none" : String.join(" -> ", plugins)));
        });
        return 0;
    }
}
