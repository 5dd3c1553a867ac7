package portico;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import portico.cli.ConfigCheck;
import portico.cli.DemoCommand;
import portico.cli.Explain;
import portico.cli.RouteList;
import portico.config.ConfigException;
import portico.config.GatewayConfig;
import portico.runtime.Gateway;
import portico.server.ListenException;

/** The command line (CONTRACT section 1). Wiring only: each command delegates. */
@Command(name = "portico", mixinStandardHelpOptions = true, versionProvider = Portico.Version.class,
        description = "An API gateway.",
        subcommands = {Portico.Run.class, Portico.Check.class, Portico.Routes.class, Portico.ExplainCmd.class, Portico.Demo.class})
public final class Portico {

    public static void main(String[] args) {
        int code = new CommandLine(new Portico()).setCaseInsensitiveEnumValuesAllowed(true).execute(args);
        if (code != 0 || args.length == 0 || !"run".equals(args[0]) && !"demo".equals(args[0])) System.exit(code);
    }

    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String v = Portico.class.getPackage().getImplementationVersion();
            return new String[] {"portico " + (v == null ? "dev" : v)};
        }
    }

    abstract static class WithConfig {
        @Option(names = {"-c", "--config"}, defaultValue = "portico.yaml", description = "config file (default: ${DEFAULT-VALUE})")
        Path config;
    }

    @Command(name = "run", mixinStandardHelpOptions = true, versionProvider = Portico.Version.class, description = "Start the gateway.")
    static final class Run extends WithConfig implements Callable<Integer> {
        @Override
        public Integer call() throws Exception {
            GatewayConfig cfg;
            try {
                cfg = ConfigCheck.load(config);
            } catch (ConfigException e) {
                System.err.println(e.getMessage());
                return 1;
            }
            Gateway gateway;
            try {
                gateway = Gateway.start(cfg);
            } catch (ListenException e) {
                System.err.println(e.getMessage());
                return 1;
            }
            awaitSignal(gateway);
            return 0;
        }
    }

    /**
     * Blocks the main thread until SIGTERM/SIGINT, then drains and exits 0 (CONTRACT section 1).
     * The JVM would otherwise report a signal death (143); halting once everything has been
     * drained and closed is how a Java service exits 0 on SIGTERM.
     */
    public static void awaitSignal(AutoCloseable... stop) throws InterruptedException {
        CountDownLatch done = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            int code = 0;
            for (AutoCloseable c : stop) {
                try {
                    if (c instanceof Gateway g) {
                        LoggerFactory.getLogger(Portico.class).info("shutting down: finishing requests in flight");
                        g.shutdown();  // a grace period that ran out is logged there; still a clean stop
                    } else {
                        c.close();
                    }
                } catch (Exception e) {
                    System.err.println("error during shutdown: " + e);
                    code = 1;
                }
            }
            LoggerFactory.getLogger(Portico.class).info("stopped");
            System.out.flush();
            System.err.flush();
            done.countDown();
            Runtime.getRuntime().halt(code);
        }, "portico-shutdown"));
        done.await();
    }

    @Command(name = "check", mixinStandardHelpOptions = true, versionProvider = Portico.Version.class, description = "Validate a config; exit 1 with every error as FILE:LINE:COL: path: message.")
    static final class Check extends WithConfig implements Callable<Integer> {
        @Override
        public Integer call() {
            return ConfigCheck.run(config, System.out, System.err);
        }
    }

    @Command(name = "routes", mixinStandardHelpOptions = true, versionProvider = Portico.Version.class, description = "Print the route table in match order.")
    static final class Routes extends WithConfig implements Callable<Integer> {
        @Override
        public Integer call() {
            return RouteList.run(config, System.out, System.err);
        }
    }

    @Command(name = "explain", mixinStandardHelpOptions = true, versionProvider = Portico.Version.class, description = "Say which route a request would take, and why the others did not match.")
    static final class ExplainCmd extends WithConfig implements Callable<Integer> {
        @Parameters(index = "0", description = "method, e.g. GET")
        String method;
        @Parameters(index = "1", description = "URL or path, e.g. http://api.example.com/users/1?x=1")
        String url;
        @Option(names = {"-H", "--header"}, description = "a request header, 'Name: value' (repeatable)")
        List<String> headers = new ArrayList<>();

        @Override
        public Integer call() {
            return Explain.run(config, method, url, headers, System.out, System.err);
        }
    }

    @Command(name = "demo", mixinStandardHelpOptions = true, versionProvider = Portico.Version.class, description = "Start the bundled e-commerce sample services and a gateway in front of them.")
    static final class Demo implements Callable<Integer> {
        @Option(names = {"-c", "--config"}, description = "gateway config (default: examples/ecommerce/portico.yaml)")
        Path config;
        @Option(names = "--down", paramLabel = "SERVICE",
                description = "start with this sample service stopped, to see the gateway degrade (repeatable), e.g. --down recommendations")
        List<String> down = new ArrayList<>();

        @Override
        public Integer call() throws Exception {
            return DemoCommand.run(config, down);
        }
    }
}
