package io.millrace.server.net;

import io.millrace.server.config.ServerConfig;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

/**
 * The connection limits checked as a connection is accepted, before anything is read from it: connections
 * open in all ({@code rtmp.maxConnections}), open from one address ({@code rtmp.maxConnectionsPerIp}) and
 * accepted per second from one address ({@code rtmp.maxConnectionRatePerIp}, a token bucket holding one
 * second's worth). A connection beyond a limit is closed at once, unregistered, so it costs no event loop
 * work, with one log line ({@link FloodLog}: a flood gives a few lines a second, not one per connection).
 * An IPv6 client counts by its /64, which one host usually holds whole.
 *
 * <p>Sits on the listeners' own pipelines (one instance shared by the RTMP and RTMPS listeners), where each
 * accepted connection arrives as a message; its counts go down as the connection closes. Accepts run on
 * the one acceptor thread; closes anywhere.
 */
@ChannelHandler.Sharable
public final class ConnectionLimiter extends ChannelInboundHandlerAdapter {
    private static final Logger LOG = LoggerFactory.getLogger(ConnectionLimiter.class);
    private static final long SECOND = TimeUnit.SECONDS.toNanos(1);

    /** Which limit refused a connection. */
    public enum Refusal {
        TOTAL("connection refused (rtmp.maxConnections)"),
        PER_IP("connection refused (rtmp.maxConnectionsPerIp)"),
        RATE("connection refused (rtmp.maxConnectionRatePerIp)");

        /** The reason of its log lines. */
        final String reason;

        Refusal(String reason) {
            this.reason = reason;
        }
    }

    /** What is known about one address: its open connections and its rate bucket. */
    static final class Peer {
        final AtomicInteger open = new AtomicInteger();
        double tokens;
        long refilledNanos;
    }

    private final int maxConnections;
    private final int maxPerIp;
    private final int ratePerIp;
    private final FloodLog log;
    private final LongSupplier nanoTime;
    private final AtomicInteger open = new AtomicInteger();
    /** Guarded by this; the counts inside are atomic because closes happen on other threads. */
    private final Map<InetAddress, Peer> peers = new HashMap<>();
    private final Map<Refusal, AtomicLong> refused = new EnumMap<>(Refusal.class);

    public ConnectionLimiter(ServerConfig.Rtmp limits, FloodLog log) {
        this(limits.maxConnections(), limits.maxConnectionsPerIp(), limits.maxConnectionRatePerIp(), log, System::nanoTime);
    }

    ConnectionLimiter(int maxConnections, int maxPerIp, int ratePerIp, FloodLog log, LongSupplier nanoTime) {
        this.maxConnections = maxConnections;
        this.maxPerIp = maxPerIp;
        this.ratePerIp = ratePerIp;
        this.log = log;
        this.nanoTime = nanoTime;
        for (Refusal r : Refusal.values()) {
            refused.put(r, new AtomicLong());
        }
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!(msg instanceof Channel child)) {
            ctx.fireChannelRead(msg);
            return;
        }
        InetSocketAddress remote = child.remoteAddress() instanceof InetSocketAddress a ? a : null;
        InetAddress address = remote == null ? null : remote.getAddress();
        Admission admission = admit(address);
        if (admission.refusal != null) {
            String who = Addresses.describe(remote);
            switch (admission.refusal) {
                case TOTAL -> log.info(LOG, Refusal.TOTAL.reason,
                        "refused connection from {}: {} connections open, the most allowed (rtmp.maxConnections)",
                        who, admission.count);
                case PER_IP -> log.info(LOG, Refusal.PER_IP.reason,
                        "refused connection from {}: {} connections open from {}, the most allowed from one address"
                                + " (rtmp.maxConnectionsPerIp)", who, admission.count, key(address).getHostAddress());
                case RATE -> log.info(LOG, Refusal.RATE.reason,
                        "refused connection from {}: more than {} new connections per second from {}"
                                + " (rtmp.maxConnectionRatePerIp)", who, ratePerIp, key(address).getHostAddress());
            }
            // Not registered with an event loop yet: closed here, on the acceptor thread, as Netty's own
            // acceptor closes a child it cannot register. After the log line, so that it is there when the
            // client sees the close.
            child.unsafe().closeForcibly();
            return;
        }
        Peer peer = admission.peer;
        child.closeFuture().addListener(f -> release(peer));
        ctx.fireChannelRead(child);
    }

    /** The outcome of {@link #admit}: a refusal (and the count that caused it) or the admitted address's record. */
    record Admission(Refusal refusal, int count, Peer peer) {
    }

    /** Counts a new connection from {@code address} in, or says which limit refuses it. */
    synchronized Admission admit(InetAddress address) {
        int total = open.get();
        if (maxConnections > 0 && total >= maxConnections) {
            refused.get(Refusal.TOTAL).incrementAndGet();
            return new Admission(Refusal.TOTAL, total, null);
        }
        Peer peer = null;
        if (address != null) {
            InetAddress key = key(address);
            peer = peers.get(key);
            long now = nanoTime.getAsLong();
            if (peer == null) {
                peer = new Peer();
                peer.tokens = ratePerIp;
                peer.refilledNanos = now;
                peers.put(key, peer);
            } else {
                refill(peer, now);
            }
            int fromThere = peer.open.get();
            if (maxPerIp > 0 && fromThere >= maxPerIp) {
                refused.get(Refusal.PER_IP).incrementAndGet();
                return new Admission(Refusal.PER_IP, fromThere, null);
            }
            if (ratePerIp > 0) {
                if (peer.tokens < 1) {
                    refused.get(Refusal.RATE).incrementAndGet();
                    return new Admission(Refusal.RATE, 0, null);
                }
                peer.tokens -= 1;
            }
            peer.open.incrementAndGet();
        }
        open.incrementAndGet();
        return new Admission(null, 0, peer);
    }

    private void refill(Peer peer, long now) {
        if (ratePerIp > 0) {
            peer.tokens = Math.min(ratePerIp, peer.tokens + (now - peer.refilledNanos) * (double) ratePerIp / SECOND);
        }
        peer.refilledNanos = now;
    }

    void release(Peer peer) {
        if (peer != null) {
            peer.open.decrementAndGet();
        }
        open.decrementAndGet();
    }

    /** Forgets addresses with nothing open and a full bucket. Called once a second. */
    public synchronized void tick() {
        long now = nanoTime.getAsLong();
        for (Iterator<Peer> it = peers.values().iterator(); it.hasNext(); ) {
            Peer p = it.next();
            refill(p, now);
            if (p.open.get() == 0 && (ratePerIp == 0 || p.tokens >= ratePerIp)) {
                it.remove();
            }
        }
    }

    /** Connections open now (both listeners). */
    public int open() {
        return open.get();
    }

    /** Connections this limit has refused since the start. */
    public long refused(Refusal refusal) {
        return refused.get(refusal).get();
    }

    /** Addresses tracked now (for tests: the map does not grow without bound). */
    synchronized int trackedAddresses() {
        return peers.size();
    }

    /** What a connection counts under: the address, or for IPv6 its /64. */
    static InetAddress key(InetAddress address) {
        if (address instanceof Inet6Address) {
            byte[] b = Arrays.copyOf(address.getAddress(), 16);
            Arrays.fill(b, 8, 16, (byte) 0);
            try {
                return InetAddress.getByAddress(b);
            } catch (UnknownHostException e) {
                throw new IllegalStateException(e); // 16 bytes is always a valid IPv6 address
            }
        }
        return address;
    }
}
