package portico.config;

import java.net.InetAddress;
import java.net.UnknownHostException;

/** An address block such as {@code 10.0.0.0/8} or {@code ::1/128}; a bare address is a /32 or /128. */
public record Cidr(byte[] network, int prefix, String text) {

    /** @throws IllegalArgumentException with a message fit for the user */
    public static Cidr parse(String text) {
        String s = text.trim();
        int slash = s.indexOf('/');
        String addr = slash < 0 ? s : s.substring(0, slash);
        // Only literal addresses: a host name here would need a blocking DNS lookup.
        if (!addr.matches("[0-9a-fA-F:.]+") || !(addr.contains(".") || addr.contains(":"))) {
            throw new IllegalArgumentException("expected an address block such as 10.0.0.0/8, was '" + text + "'");
        }
        byte[] bytes;
        try {
            bytes = InetAddress.getByName(addr).getAddress();
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("expected an address block such as 10.0.0.0/8, was '" + text + "'");
        }
        int bits = bytes.length * 8;
        int prefix = bits;
        if (slash >= 0) {
            try {
                prefix = Integer.parseInt(s.substring(slash + 1));
            } catch (NumberFormatException e) {
                prefix = -1;
            }
            if (prefix < 0 || prefix > bits) {
                throw new IllegalArgumentException("prefix length must be within 0.." + bits + ", was '" + text + "'");
            }
        }
        return new Cidr(bytes, prefix, s);
    }

    /**
     * The block as its network address, when the one written has bits set past the prefix
     * ({@code 10.0.0.0/8} for {@code 10.0.0.1/8}); null when it has none. Matching ignores those
     * bits, so {@code 10.0.0.1/8} is all of 10.0.0.0/8, which is seldom what was meant.
     */
    public String hostBitsCleared() {
        byte[] masked = network.clone();
        for (int i = 0; i < masked.length; i++) {
            int keep = Math.max(0, Math.min(8, prefix - i * 8));
            masked[i] &= (byte) (0xFF << (8 - keep));
        }
        if (java.util.Arrays.equals(masked, network)) return null;
        try {
            return io.netty.util.NetUtil.toAddressString(InetAddress.getByAddress(masked)) + "/" + prefix;
        } catch (UnknownHostException e) {
            throw new IllegalStateException("4 or 16 bytes are an address", e);
        }
    }

    public boolean contains(InetAddress address) {
        byte[] a = address.getAddress();
        if (a.length != network.length) {
            // An IPv4 client seen through an IPv6 socket arrives as ::ffff:a.b.c.d.
            if (a.length == 16 && network.length == 4 && isMapped(a)) {
                byte[] v4 = new byte[4];
                System.arraycopy(a, 12, v4, 0, 4);
                a = v4;
            } else {
                return false;
            }
        }
        int full = prefix / 8;
        for (int i = 0; i < full; i++) {
            if (a[i] != network[i]) return false;
        }
        int rest = prefix % 8;
        if (rest == 0) return true;
        int mask = 0xFF << (8 - rest) & 0xFF;
        return (a[full] & mask) == (network[full] & mask);
    }

    private static boolean isMapped(byte[] a) {
        for (int i = 0; i < 10; i++) if (a[i] != 0) return false;
        return a[10] == (byte) 0xFF && a[11] == (byte) 0xFF;
    }

    @Override
    public String toString() {
        return text;
    }
}
