package io.millrace.server.security;

import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;

/**
 * An allow list and a deny list of addresses and networks ({@code 192.168.1.7}, {@code 10.0.0.0/8},
 * {@code 2001:db8::/32}). An address is admitted when it is on no deny entry and, if the allow list is not
 * empty, on one of its entries. IPv4 addresses seen as IPv4-mapped IPv6 ({@code ::ffff:a.b.c.d}) match IPv4
 * entries; an IPv4 entry never matches an IPv6 client (deny {@code ::/0} as well to refuse them all).
 * Immutable.
 */
public final class IpRules {
    /** Admits everyone. */
    public static final IpRules OPEN = new IpRules(List.of(), List.of());

    private final List<Cidr> allow;
    private final List<Cidr> deny;

    private IpRules(List<Cidr> allow, List<Cidr> deny) {
        this.allow = allow;
        this.deny = deny;
    }

    /**
     * Parses comma- or space-separated entries.
     *
     * @throws IllegalArgumentException naming the entry that is not an address or network
     */
    public static IpRules parse(String allow, String deny) {
        return new IpRules(parseList(allow), parseList(deny));
    }

    public boolean isOpen() {
        return allow.isEmpty() && deny.isEmpty();
    }

    public boolean admits(InetAddress address) {
        if (isOpen()) {
            return true;
        }
        if (address == null) {
            return false;
        }
        byte[] a = normalize(address.getAddress());
        for (Cidr c : deny) {
            if (c.contains(a)) {
                return false;
            }
        }
        if (allow.isEmpty()) {
            return true;
        }
        for (Cidr c : allow) {
            if (c.contains(a)) {
                return true;
            }
        }
        return false;
    }

    private static List<Cidr> parseList(String text) {
        List<Cidr> out = new ArrayList<>();
        if (text == null) {
            return out;
        }
        for (String entry : text.split("[,\\s]+")) {
            if (!entry.isBlank()) {
                out.add(Cidr.parse(entry.trim()));
            }
        }
        return List.copyOf(out);
    }

    /** An IPv4-mapped IPv6 address becomes its IPv4 form; anything else is kept. */
    private static byte[] normalize(byte[] a) {
        if (a.length == 16) {
            for (int i = 0; i < 10; i++) {
                if (a[i] != 0) {
                    return a;
                }
            }
            if (a[10] == (byte) 0xFF && a[11] == (byte) 0xFF) {
                return new byte[] {a[12], a[13], a[14], a[15]};
            }
        }
        return a;
    }

    private record Cidr(byte[] network, int prefix) {
        static Cidr parse(String s) {
            int slash = s.indexOf('/');
            String host = slash < 0 ? s : s.substring(0, slash);
            // Literals only, strictly (no "192.168/16" shorthand, no host names: no DNS lookups).
            byte[] net = io.netty.util.NetUtil.createByteArrayFromIpAddressString(host);
            if (net == null || !host.matches("[0-9a-fA-F:.]+")) {
                throw new IllegalArgumentException("'" + s + "' is not an IP address or network");
            }
            net = normalize(net);
            int bits = net.length * 8;
            int prefix = bits;
            if (slash >= 0) {
                try {
                    prefix = Integer.parseInt(s.substring(slash + 1));
                } catch (NumberFormatException e) {
                    throw new IllegalArgumentException("'" + s + "': the prefix length is not a number");
                }
                if (prefix < 0 || prefix > bits) {
                    throw new IllegalArgumentException("'" + s + "': the prefix length must be 0.." + bits);
                }
            }
            return new Cidr(net, prefix);
        }

        boolean contains(byte[] a) {
            if (a.length != network.length) {
                return false;
            }
            int full = prefix / 8;
            for (int i = 0; i < full; i++) {
                if (a[i] != network[i]) {
                    return false;
                }
            }
            int rest = prefix % 8;
            if (rest == 0) {
                return true;
            }
            int mask = (0xFF << (8 - rest)) & 0xFF;
            return (a[full] & mask) == (network[full] & mask);
        }
    }
}
