package io.millrace.server.net;

import java.net.InetSocketAddress;
import java.net.SocketAddress;

/** How log lines name a peer: "ip:port". */
public final class Addresses {
    private Addresses() {
    }

    public static String describe(SocketAddress address) {
        if (address instanceof InetSocketAddress a && a.getAddress() != null) {
            return a.getAddress().getHostAddress() + ":" + a.getPort();
        }
        return String.valueOf(address);
    }
}
