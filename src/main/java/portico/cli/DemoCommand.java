package portico.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import portico.Portico;
import portico.config.ConfigException;
import portico.config.GatewayConfig;
import portico.demo.DemoConsole;
import portico.demo.DemoCurls;
import portico.demo.SampleServices;
import portico.runtime.Gateway;

/** {@code portico demo}: the e-commerce sample services and a gateway in front of them. */
public final class DemoCommand {
    private DemoCommand() {}

    public static int run(Path configArg) throws Exception {
        return run(configArg, java.util.List.of());
    }

    /** @param down sample services to stop once started, to show what the gateway does without them */
    public static int run(Path configArg, java.util.List<String> down) throws Exception {
        Path config = configArg != null ? configArg : home().resolve("examples/ecommerce/portico.yaml");
        if (!Files.exists(config)) {
            System.err.println("demo config not found: " + config + " (run ./portico demo from the repository)");
            return 1;
        }
        GatewayConfig cfg;
        try {
            cfg = ConfigCheck.load(config);
        } catch (ConfigException e) {
            System.err.println(e.getMessage());
            return 1;
        }
        byte[] secret = tokenSecret(cfg);
        if (secret == null) {
            System.err.println(config + ": no consumer has a jwt credential with issuer " + SampleServices.TOKEN_ISSUER
                    + ", so the gateway could not verify the demo's logins");
            return 1;
        }
        SampleServices services;
        try {
            services = SampleServices.start(SampleServices.DEFAULT_PORTS, secret);
        } catch (RuntimeException e) {
            System.err.println("cannot start the sample services (are ports " + SampleServices.DEFAULT_PORTS.values()
                    + " free?): " + e.getMessage());
            return 1;
        }
        for (String name : down) {
            if (!services.names().contains(name)) {
                services.close();
                System.err.println("--down: no sample service named '" + name + "' (expected one of " + services.names() + ")");
                return 2;
            }
            services.stop(name);
        }
        Gateway gateway;
        try {
            gateway = Gateway.start(cfg);
        } catch (Exception e) {
            services.close();
            System.err.println("cannot start the gateway: " + e.getMessage());
            return 1;
        }
        String base = "http://localhost:" + gateway.port();
        System.out.println();
        System.out.println("Portico demo: sample shop services " + services.names() + " behind " + base);
        if (!down.isEmpty()) System.out.println("Stopped on purpose (--down): " + String.join(", ", down));
        System.out.println("Try:");
        DemoCurls.lines(base).forEach(l -> System.out.println("  " + l));
        System.out.println(DemoConsole.usage());
        System.out.println("Stop with Ctrl-C.");
        System.out.flush();
        DemoConsole.start(System.in, services, System.out);
        Portico.awaitSignal(gateway, services);
        return 0;
    }

    /**
     * The secret the demo auth service signs with: the one the gateway verifies with, from the
     * loaded config ({@code consumers.*.jwt} with the auth service's issuer), so that editing the
     * config or setting {@code DEMO_JWT_SECRET} keeps both sides agreeing.
     *
     * @return null when the config has no such credential
     */
    public static byte[] tokenSecret(GatewayConfig cfg) {
        for (var consumer : cfg.consumers().values()) {
            for (Object o : consumer.credentials().getOrDefault("jwt", java.util.List.of())) {
                if (o instanceof portico.plugin.jwt.JwtCredential c && c.issuer().equals(SampleServices.TOKEN_ISSUER)
                        && c.key() instanceof javax.crypto.SecretKey secret) {
                    return secret.getEncoded();
                }
            }
        }
        return null;
    }

    static Path home() {
        String home = System.getProperty("portico.home");
        return home != null ? Path.of(home) : Path.of("").toAbsolutePath();
    }
}
