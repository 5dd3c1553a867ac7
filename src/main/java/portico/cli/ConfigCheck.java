package portico.cli;

import java.io.PrintStream;
import java.nio.file.Path;
import portico.config.ConfigException;
import portico.config.ConfigLoader;
import portico.config.GatewayConfig;
import portico.config.Problem;
import portico.route.RouteTable;

/** {@code portico check}: every error and warning, each as {@code FILE:LINE:COL: path: message}. */
public final class ConfigCheck {
    private ConfigCheck() {}

    /** Loads and fully validates a config, as {@code run} and {@code check} both need it. */
    public static ConfigLoader.Result read(Path file) {
        ConfigLoader.Result result = ConfigLoader.fromEnvironment().load(file);
        if (result.config() != null) RouteTable.validate(result.config().routes(), result.problems());
        return result;
    }

    public static GatewayConfig load(Path file) throws ConfigException {
        ConfigLoader.Result result = read(file);
        for (Problem w : result.problems().warnings()) System.err.println(w);
        return result.orThrow();
    }

    public static int run(Path file, PrintStream out, PrintStream err) {
        ConfigLoader.Result result = read(file);
        for (Problem p : result.problems().all()) (p.warning() ? out : err).println(p);
        if (result.problems().hasErrors()) {
            int n = result.problems().errors().size();
            err.println(file + ": " + n + (n == 1 ? " error" : " errors"));
            return 1;
        }
        GatewayConfig c = result.config();
        out.println(file + ": OK (" + c.routes().size() + " routes, " + c.services().size() + " services)");
        return 0;
    }
}
