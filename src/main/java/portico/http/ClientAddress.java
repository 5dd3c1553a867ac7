package portico.http;

import io.netty.handler.codec.http.HttpHeaders;
import io.netty.util.NetUtil;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.List;
import portico.config.Cidr;

/**
 * Who the client is (CONTRACT section 5): the TCP peer, unless the peer is a trusted proxy; then
 * the rightmost {@code X-Forwarded-For} entry that is not itself a trusted proxy. An untrusted
 * peer cannot move its own address by sending headers.
 */
public final class ClientAddress {
    private final List<Cidr> trusted;

    public ClientAddress(List<Cidr> trusted) {
        this.trusted = List.copyOf(trusted);
    }

    public boolean isTrusted(InetAddress peer) {
        for (Cidr c : trusted) {
            if (c.contains(peer)) return true;
        }
        return false;
    }

    /** @return the client's address as text (IPv6 without brackets) */
    public String resolve(InetAddress peer, HttpHeaders headers) {
        return resolve(peer, NetUtil.toAddressString(peer), headers);
    }

    /** As {@link #resolve(InetAddress, HttpHeaders)}, with the peer's text already known (it is per connection). */
    public String resolve(InetAddress peer, String peerText, HttpHeaders headers) {
        if (trusted.isEmpty() || !isTrusted(peer)) return peerText;
        List<String> values = headers.getAll(HeaderNames.X_FORWARDED_FOR);
        for (int v = values.size() - 1; v >= 0; v--) {
            String[] hops = values.get(v).split(",");
            for (int i = hops.length - 1; i >= 0; i--) {
                String hop = hops[i].trim();
                byte[] bytes = NetUtil.createByteArrayFromIpAddressString(hop);
                if (bytes == null) return peerText;  // garbage in the chain: trust nothing beyond the peer
                InetAddress addr;
                try {
                    addr = InetAddress.getByAddress(bytes);  // literal bytes: no DNS lookup
                } catch (UnknownHostException e) {
                    return peerText;
                }
                if (!isTrusted(addr)) return NetUtil.toAddressString(addr);
            }
        }
        return peerText;
    }
}
