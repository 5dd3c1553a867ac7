package portico.cli;

import java.io.PrintStream;
import java.nio.file.Path;
import portico.config.ConfigException;
import portico.config.GatewayConfig;
import portico.config.MatchConfig;
import portico.config.RouteConfig;
import portico.route.RouteTable;

/** {@code portico routes}: the route table in the order the router tries it. */
public final class RouteList {
    private RouteList() {}

    public static int run(Path file, PrintStream out, PrintStream err) {
        GatewayConfig config;
        try {
            config = ConfigCheck.load(file);
        } catch (ConfigException e) {
            err.println(e.getMessage());
            return 1;
        }
        RouteTable table = RouteTable.compile(config.routes());
        out.printf("%-4s %-20s %-24s %-12s %-24s %s%n", "#", "ROUTE", "HOSTS", "METHODS", "PATHS", "SERVICE");
        int i = 1;
        for (RouteConfig r : table.inMatchOrder()) {
            MatchConfig m = r.match();
            out.printf("%-4d %-20s %-24s %-12s %-24s %s%s%n", i++, r.name(),
                    m.hosts().isEmpty() ? "*" : String.join(",", m.hosts()),
                    m.methods().isEmpty() ? "ALL" : String.join(",", m.methods()),
                    m.paths().isEmpty() ? "/" : String.join(",", m.paths()),
                    r.service() != null ? r.service() : "aggregate(" + parts(r) + ")", conditions(r));
        }
        return 0;
    }

    private static String parts(RouteConfig r) {
        return String.join(", ", r.aggregate().parts().stream().map(p -> p.name() + ":" + p.service()).toList());
    }

    private static String conditions(RouteConfig r) {
        StringBuilder s = new StringBuilder();
        r.match().headers().forEach((k, v) -> s.append(" header ").append(k).append('=').append(v));
        r.match().query().forEach((k, v) -> s.append(" query ").append(k).append('=').append(v));
        if (r.stripPrefix()) s.append(" strip_prefix");
        if (r.preserveHost()) s.append(" preserve_host");
        return s.toString();
    }
}
