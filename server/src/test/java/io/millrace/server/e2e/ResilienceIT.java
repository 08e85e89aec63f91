package io.millrace.server.e2e;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.spi.ILoggingEvent;
import io.millrace.server.net.ConnectionLimiter;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Slowloris and a handshake flood against the real server, with its default connection limits, while ffmpeg
 * publishes the sample in real time and ffmpeg plays it: the player gets every frame, the slow connections
 * are closed by the handshake timeout, the flood is refused at accept or closed at its first byte, and the
 * log stays a few lines a second per reason (with summary lines that account for the rest).
 *
 * <p>The attackers connect from other loopback addresses (127.0.1-8.x; Linux routes all of 127/8 to lo) than
 * the publisher and the player (127.0.0.1), as they would from other hosts.
 */
class ResilienceIT {
    private static final int SLOW_CONNECTIONS = 1000;
    private static final int SLOW_ADDRESSES = 40;      // 25 each: within the per-address limit (100) and burst (50)
    private static final long HANDSHAKE_TIMEOUT_MS = 4000;
    private static final int FLOOD_FEW_ADDRESSES = 2000;      // from 10 addresses: mostly refused by the rate limit
    private static final int FLOOD_MANY_ADDRESSES = 1500;     // each from its own address: all accepted, all bad
    private static final Pattern ATTACKER = Pattern.compile("127\\.0\\.[1-8]\\.\\d+:\\d+");
    private static final Pattern SUMMARY = Pattern.compile("^([^:]+(?:\\([^)]*\\))?): (\\d+) more not logged one by one");

    private TestServer server;

    @TempDir
    Path tmp;

    @AfterEach
    void stop() {
        if (server != null) {
            server.close();
        }
    }

    @Test
    void slowlorisAndAHandshakeFloodLeaveALivePlayerEveryFrame() throws Exception {
        server = TestServer.start("rtmp:\n  handshakeTimeoutMillis: " + HANDSHAKE_TIMEOUT_MS + "\n");
        List<Probe.Packet> source = Probe.packets(TestServer.sampleFlv().toString());
        String url = server.url("live/show");
        Path played = tmp.resolve("played.flv");
        String ffmpeg = RealClients.require("ffmpeg");
        long testStart = System.nanoTime();
        try (LogCapture logs = LogCapture.start()) {
            CompletableFuture<RealClients.Result> player = RealClients.async(90, ffmpeg, "-hide_banner", "-loglevel",
                    "error", "-i", url, "-c", "copy", "-f", "flv", played.toString());
            Thread.sleep(1500);
            CompletableFuture<RealClients.Result> publisher = RealClients.async(90, ffmpeg, "-hide_banner", "-loglevel",
                    "error", "-re", "-i", TestServer.sampleFlv().toString(), "-c", "copy", "-f", "flv", url);
            Thread.sleep(1000);

            ExecutorService pool = Executors.newFixedThreadPool(5);
            try {
                Future<SlowResult> slow = pool.submit(this::slowloris);
                List<Future<int[]>> flood = new ArrayList<>();
                for (int t = 0; t < 2; t++) {
                    int part = t;
                    flood.add(pool.submit(() -> floodFewAddresses(part, 2)));
                    flood.add(pool.submit(() -> floodManyAddresses(part, 2)));
                }
                int floodSent = 0;
                int floodRefusedEarly = 0;
                for (Future<int[]> f : flood) {
                    int[] r = f.get(60, TimeUnit.SECONDS);
                    floodSent += r[0];
                    floodRefusedEarly += r[1];
                }
                SlowResult s = slow.get(60, TimeUnit.SECONDS);

                RealClients.Result pub = publisher.get(60, TimeUnit.SECONDS);
                assertThat(pub.exitCode()).as("publisher: %s", pub).isZero();
                RealClients.Result play = player.get(60, TimeUnit.SECONDS);
                assertThat(play.exitCode()).as("player: %s", play).isZero();
                List<Probe.Packet> got = Probe.packets(played.toString());
                assertThat(Probe.count(got, "video")).as("video frames played").isEqualTo(Probe.count(source, "video"));
                assertThat(Probe.count(got, "audio")).as("audio frames played").isEqualTo(Probe.count(source, "audio"));

                // Slowloris: every connection was accepted, kept open by its byte a second, and closed by the
                // handshake timeout, not before.
                assertThat(s.closedByServer).as("slow connections closed by the server").isEqualTo(SLOW_CONNECTIONS);
                assertThat(s.earliestCloseMs).as("earliest close (ms after connecting)")
                        .isGreaterThanOrEqualTo(HANDSHAKE_TIMEOUT_MS - 50);
                assertThat(s.latestCloseMs).as("latest close (ms after connecting)").isLessThan(HANDSHAKE_TIMEOUT_MS + 3000);
                assertThat(s.bytesSentMost).as("bytes the slowest sent").isGreaterThanOrEqualTo(3);

                ConnectionLimiter limiter = server.connectionLimiter();
                long refusedByRate = limiter.refused(ConnectionLimiter.Refusal.RATE);
                assertThat(refusedByRate).as("flood connections refused by the rate limit").isPositive();
                assertThat(limiter.refused(ConnectionLimiter.Refusal.TOTAL)).isZero();
                assertThat(limiter.refused(ConnectionLimiter.Refusal.PER_IP)).isZero();

                // The log: at most FloodLog.LINES_PER_SECOND lines per reason per second one by one, the rest counted in summaries.
                Thread.sleep(2500); // the last summaries come with the next once-a-second flush
                List<ILoggingEvent> attackerLines = logs.events().stream()
                        .filter(e -> e.getLevel().isGreaterOrEqual(Level.INFO))
                        .filter(e -> ATTACKER.matcher(e.getFormattedMessage()).find()).toList();
                Map<String, int[]> perReason = new TreeMap<>(); // reason -> [lines, summarised, first ms, last ms]
                for (ILoggingEvent e : attackerLines) {
                    String m = e.getFormattedMessage();
                    Matcher sm = SUMMARY.matcher(m);
                    String reason = sm.find() ? sm.group(1) : reasonOf(m);
                    int[] r = perReason.computeIfAbsent(reason, k -> new int[] {0, 0, Integer.MAX_VALUE, 0});
                    int at = (int) (e.getTimeStamp() - attackerLines.get(0).getTimeStamp());
                    if (sm.find(0)) {
                        r[1] += Integer.parseInt(sm.group(2));
                    } else {
                        r[0]++;
                        r[2] = Math.min(r[2], at);
                        r[3] = Math.max(r[3], at);
                    }
                }
                perReason.forEach((reason, r) -> System.out.printf("log: %-40s %4d lines, %5d more in summaries, over %d ms%n",
                        reason, r[0], r[1], r[3] - r[2]));
                System.out.printf("slowloris: %d closed by the server %d-%d ms after connecting (each sent up to %d bytes);"
                                + " flood: %d connections (%d refused before a byte could be written), %d refused by the rate limit;"
                                + " %d log lines naming attackers; test %.1f s%n", s.closedByServer, s.earliestCloseMs,
                        s.latestCloseMs, s.bytesSentMost, floodSent, floodRefusedEarly, refusedByRate,
                        attackerLines.size(), (System.nanoTime() - testStart) / 1e9);
                int[] timeouts = perReason.get("handshake timeout");
                assertThat(timeouts).as("handshake timeout lines").isNotNull();
                assertThat(timeouts[0] + timeouts[1]).as("handshake timeouts logged or counted").isEqualTo(SLOW_CONNECTIONS);
                int[] protocolErrors = perReason.get("protocol error before connect");
                assertThat(protocolErrors).as("protocol error lines").isNotNull();
                assertThat(protocolErrors[0] + protocolErrors[1]).as("bad handshakes logged or counted")
                        .isBetween(floodSent - (int) refusedByRate - floodRefusedEarly, floodSent - (int) refusedByRate);
                int[] rateLines = perReason.get("connection refused (rtmp.maxConnectionRatePerIp)");
                assertThat(rateLines[0] + rateLines[1]).as("rate refusals logged or counted").isEqualTo(refusedByRate);
                int perSecond = io.millrace.server.net.FloodLog.LINES_PER_SECOND;
                perReason.forEach((reason, r) -> assertThat(r[0]).as("lines one by one for '%s' over %d ms", reason, r[3] - r[2])
                        .isLessThanOrEqualTo(perSecond * (2 + (r[3] - r[2]) / 1000)));
                // Not a line per bad connection: a tenth of that is a generous bound (about 190 lines here).
                assertThat(attackerLines.size()).as("log lines about %d attacking connections",
                        SLOW_CONNECTIONS + floodSent).isLessThan((SLOW_CONNECTIONS + floodSent) / 10);
                assertThat(logs.events()).as("no errors or stack traces")
                        .noneMatch(e -> e.getLevel() == Level.ERROR || e.getThrowableProxy() != null);
            } finally {
                pool.shutdownNow();
            }
        }
    }

    /** The reason a one-by-one line is about, as the FloodLog keys it. */
    private static String reasonOf(String message) {
        if (message.contains("handshake not completed")) {
            return "handshake timeout";
        }
        if (message.contains("protocol error")) {
            return "protocol error before connect";
        }
        if (message.contains("(rtmp.maxConnectionRatePerIp)")) {
            return "connection refused (rtmp.maxConnectionRatePerIp)";
        }
        if (message.contains("(rtmp.maxConnectionsPerIp)")) {
            return "connection refused (rtmp.maxConnectionsPerIp)";
        }
        if (message.contains("(rtmp.maxConnections)")) {
            return "connection refused (rtmp.maxConnections)";
        }
        return "other: " + message;
    }

    private record SlowResult(int closedByServer, long earliestCloseMs, long latestCloseMs, int bytesSentMost) {
    }

    /**
     * Opens {@link #SLOW_CONNECTIONS} connections and sends each one byte a second (C0, then C1 a byte at a
     * time) until the server closes it; one thread, non-blocking sockets.
     */
    private SlowResult slowloris() throws IOException, InterruptedException {
        SocketChannel[] ch = new SocketChannel[SLOW_CONNECTIONS];
        long[] openedAt = new long[SLOW_CONNECTIONS];
        long[] closedAt = new long[SLOW_CONNECTIONS];
        int[] sent = new int[SLOW_CONNECTIONS];
        long[] nextByte = new long[SLOW_CONNECTIONS];
        try {
            for (int i = 0; i < SLOW_CONNECTIONS; i++) {
                ch[i] = SocketChannel.open();
                ch[i].bind(new InetSocketAddress("127.0.1." + (1 + i % SLOW_ADDRESSES), 0));
                ch[i].connect(new InetSocketAddress("127.0.0.1", server.port()));
                ch[i].configureBlocking(false);
                openedAt[i] = System.nanoTime();
                nextByte[i] = openedAt[i];
            }
            ByteBuffer sink = ByteBuffer.allocate(4096);
            long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(HANDSHAKE_TIMEOUT_MS + 5000);
            int open = SLOW_CONNECTIONS;
            while (open > 0 && System.nanoTime() < deadline) {
                long now = System.nanoTime();
                for (int i = 0; i < SLOW_CONNECTIONS; i++) {
                    if (closedAt[i] != 0) {
                        continue;
                    }
                    boolean closed;
                    try {
                        sink.clear();
                        closed = ch[i].read(sink) < 0;
                        if (!closed && now >= nextByte[i]) {
                            ByteBuffer one = ByteBuffer.wrap(new byte[] {(byte) (sent[i] == 0 ? 3 : ThreadLocalRandom.current().nextInt())});
                            sent[i] += ch[i].write(one);
                            nextByte[i] += TimeUnit.SECONDS.toNanos(1);
                        }
                    } catch (IOException e) {
                        closed = true;
                    }
                    if (closed) {
                        closedAt[i] = now;
                        open--;
                    }
                }
                Thread.sleep(20);
            }
        } finally {
            for (SocketChannel c : ch) {
                if (c != null) {
                    c.close();
                }
            }
        }
        int closedByServer = 0;
        long earliest = Long.MAX_VALUE;
        long latest = 0;
        int most = 0;
        for (int i = 0; i < SLOW_CONNECTIONS; i++) {
            if (closedAt[i] != 0) {
                closedByServer++;
                long ms = (closedAt[i] - openedAt[i]) / 1_000_000;
                earliest = Math.min(earliest, ms);
                latest = Math.max(latest, ms);
            }
            most = Math.max(most, sent[i]);
        }
        return new SlowResult(closedByServer, earliest, latest, most);
    }

    /** Connections from 10 addresses: beyond 50 a second each, the rate limit refuses them at accept. */
    private int[] floodFewAddresses(int part, int parts) {
        int[] result = new int[2];
        for (int i = part; i < FLOOD_FEW_ADDRESSES; i += parts) {
            badHandshake("127.0.2." + (1 + i % 10), i, result);
        }
        return result;
    }

    /** Each connection from an address of its own: every one is accepted and fails its handshake. */
    private int[] floodManyAddresses(int part, int parts) {
        int[] result = new int[2];
        for (int i = part; i < FLOOD_MANY_ADDRESSES; i += parts) {
            badHandshake("127.0." + (3 + i / 250) + "." + (1 + i % 250), i, result);
        }
        return result;
    }

    /** Connects, sends a garbage C0+C1 (C0 other than 3, so refused at its first byte), closes. */
    private void badHandshake(String from, int i, int[] result) {
        byte[] garbage = new byte[1537];
        ThreadLocalRandom.current().nextBytes(garbage);
        garbage[0] = (byte) new int[] {0x00, 0x47, 0x16, 0x06, 0xFF}[i % 5];
        result[0]++;
        try (Socket s = new Socket()) {
            s.bind(new InetSocketAddress(from, 0));
            s.connect(new InetSocketAddress("127.0.0.1", server.port()), 5000);
            s.getOutputStream().write(garbage);
            s.getOutputStream().flush();
        } catch (IOException e) {
            result[1]++; // refused at accept before the write went out
        }
    }
}
