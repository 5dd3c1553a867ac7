package portico.plugin.iprestriction;

import io.netty.util.NetUtil;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletionStage;
import portico.config.Cidr;
import portico.config.ConfigNode;
import portico.error.ErrorKind;
import portico.error.GatewayException;
import portico.http.Exchange;
import portico.plugin.Phase;
import portico.plugin.Plugin;
import portico.plugin.PluginFactory;
import portico.plugin.Verdict;

/**
 * {@code ip_restriction}: address blocks allowed or denied, matched against the client address as
 * resolved through {@code trusted_proxies} (CONTRACT section 5), so that a client cannot pass for
 * another by sending {@code X-Forwarded-For} itself. A denied block wins; with {@code allow}, the
 * address must be in one of its blocks. Refusals are 403.
 */
public final class IpRestrictionPlugin implements Plugin {
    public static final PluginFactory<Config> FACTORY =
            PluginFactory.of("ip_restriction", Phase.IP_RESTRICTION, IpRestrictionPlugin::parse, (c, ctx) -> new IpRestrictionPlugin(c));

    /**
     * @param allow {@code allow}: address blocks such as 10.0.0.0/8; empty for any address
     * @param deny  {@code deny}: address blocks refused; checked first
     */
    public record Config(List<Cidr> allow, List<Cidr> deny) {
        public Config {
            allow = List.copyOf(allow);
            deny = List.copyOf(deny);
        }
    }

    private final Config config;

    IpRestrictionPlugin(Config config) {
        this.config = config;
    }

    static Config parse(ConfigNode node) {
        node.object("allow", "deny");
        List<Cidr> allow = cidrs(node.get("allow"));
        List<Cidr> deny = cidrs(node.get("deny"));
        if (!node.get("allow").present() && !node.get("deny").present()) {
            node.error("needs allow or deny, a list of address blocks (for example allow: [10.0.0.0/8])");
            return null;
        }
        return new Config(allow, deny);
    }

    private static List<Cidr> cidrs(ConfigNode node) {
        List<Cidr> out = new ArrayList<>();
        // An empty allow list would read as "anyone" to some and "no one" to others: refuse it.
        if (node.isList() && node.items().isEmpty()) node.error("needs at least one address block");
        for (ConfigNode item : node.items()) {
            String s = item.requiredText();
            if (s == null) continue;
            try {
                Cidr c = Cidr.parse(s);
                out.add(c);
                String meant = c.hostBitsCleared();
                if (meant != null) item.warning("has host bits set, so it means all of " + meant + "; write that, or the address alone for just one");
            } catch (IllegalArgumentException e) {
                item.error(e.getMessage());
            }
        }
        return out;
    }

    @Override
    public CompletionStage<Verdict> onRequest(Exchange ex) {
        InetAddress client = address(ex.clientIp());
        if (client == null) return refuse(ex.clientIp());
        for (Cidr c : config.deny()) {
            if (c.contains(client)) return refuse(ex.clientIp());
        }
        if (config.allow().isEmpty()) return Verdict.PROCEED;
        for (Cidr c : config.allow()) {
            if (c.contains(client)) return Verdict.PROCEED;
        }
        return refuse(ex.clientIp());
    }

    private static InetAddress address(String text) {
        byte[] bytes = text == null ? null : NetUtil.createByteArrayFromIpAddressString(text);
        if (bytes == null) return null;
        try {
            return InetAddress.getByAddress(bytes);  // literal bytes: no DNS lookup
        } catch (UnknownHostException e) {
            return null;
        }
    }

    private static CompletionStage<Verdict> refuse(String client) {
        return GatewayException.failed(ErrorKind.FORBIDDEN, "the client address " + client + " is not allowed on this route");
    }
}
