package portico.cli;

import java.io.PrintStream;
import java.nio.file.Path;
import portico.config.ConfigException;
import portico.config.ConfigLoader;
import portico.config.GatewayConfig;
import portico.config.Problem;
import portico.route.RouteTable;

/**
 * {@code portico check}: every error and warning on stderr, each as {@code FILE:LINE:COL: path: message}
 * (warnings as {@code FILE:LINE:COL: warning: path: message}), in file order; one summary line on
 * stdout when the config is usable. Nothing else goes to stderr, so that tools and editors can
 * read every line of it as a location.
 */
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

    /** @return 0 when the config is usable (warnings allowed), 1 with every error on {@code err} */
    public static int run(Path file, PrintStream out, PrintStream err) {
        ConfigLoader.Result result = read(file);
        for (Problem p : result.problems().all()) err.println(p);
        if (result.problems().hasErrors()) return 1;
        GatewayConfig c = result.config();
        int warnings = result.problems().warnings().size();
        out.println(file + ": OK (" + count(c.routes().size(), "route") + ", " + count(c.services().size(), "service")
                + (warnings == 0 ? "" : ", " + count(warnings, "warning")) + ")");
        return 0;
    }

    private static String count(int n, String noun) {
        return n + " " + noun + (n == 1 ? "" : "s");
    }
}
