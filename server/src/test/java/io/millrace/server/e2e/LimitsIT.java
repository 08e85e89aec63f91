package io.millrace.server.e2e;

import ch.qos.logback.classic.spi.ILoggingEvent;
import io.millrace.amf.AmfObject;
import io.millrace.rtmp.client.ClientEvent;
import io.millrace.rtmp.client.RtmpClient;
import io.millrace.server.net.ConnectionLimiter;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Each connection limit hit for real, over sockets: what the client gets (a close before the handshake, or a
 * status) and the one log line. Per-address limits are exercised from several loopback addresses (127.0.0.x).
 */
class LimitsIT {
    private static final Duration WAIT = Duration.ofSeconds(10);
    private TestServer server;
    private final List<AutoCloseable> open = new ArrayList<>();

    @AfterEach
    void stop() throws Exception {
        for (AutoCloseable c : open) {
            c.close();
        }
        if (server != null) {
            server.close();
        }
    }

    private RawPeer peer(String from) throws Exception {
        RawPeer p = RawPeer.connectFrom(from, server.port());
        open.add(p);
        return p;
    }

    private static List<ILoggingEvent> lines(LogCapture logs, String text) {
        return logs.events().stream().filter(e -> e.getFormattedMessage().contains(text)).toList();
    }

    @Test
    void beyondTheTotalANewConnectionIsClosedBeforeItsHandshakeUntilOneCloses() throws Exception {
        server = TestServer.start("rtmp:\n  maxConnections: 3\n");
        try (LogCapture logs = LogCapture.start()) {
            RawPeer first = peer("127.0.0.1");
            peer("127.0.0.2");
            peer("127.0.0.3");
            RawPeer fourth = peer("127.0.0.4");
            fourth.write(RawPeer.c0c1());
            fourth.awaitClosedByServer(WAIT);
            assertThat(server.connectionLimiter().refused(ConnectionLimiter.Refusal.TOTAL)).isEqualTo(1);
            assertThat(lines(logs, "(rtmp.maxConnections)")).hasSize(1).first()
                    .satisfies(e -> assertThat(e.getFormattedMessage()).contains("refused connection from 127.0.0.4:",
                            "3 connections open"));
            first.handshake(); // the first three are served
            first.close();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            while (server.connectionLimiter().open() > 2 && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
            assertThat(server.connectionLimiter().open()).isEqualTo(2);
            peer("127.0.0.4").handshake();
        }
    }

    @Test
    void perAddressLimitRefusesOnlyThatAddress() throws Exception {
        server = TestServer.start("rtmp:\n  maxConnectionsPerIp: 2\n");
        try (LogCapture logs = LogCapture.start()) {
            peer("127.0.0.2").handshake();
            peer("127.0.0.2").handshake();
            RawPeer third = peer("127.0.0.2");
            third.awaitClosedByServer(WAIT);
            peer("127.0.0.3").handshake();
            peer("127.0.0.3").handshake();
            assertThat(server.connectionLimiter().refused(ConnectionLimiter.Refusal.PER_IP)).isEqualTo(1);
            assertThat(lines(logs, "(rtmp.maxConnectionsPerIp)")).hasSize(1).first()
                    .satisfies(e -> assertThat(e.getFormattedMessage()).contains("refused connection from 127.0.0.2:"
                            + third.localPort(), "2 connections open from 127.0.0.2"));
        }
    }

    @Test
    void connectionRatePerAddressIsAOneSecondBucket() throws Exception {
        int rate = 3;
        int attempts = 20;
        server = TestServer.start("rtmp:\n  maxConnectionRatePerIp: " + rate + "\n");
        try (LogCapture logs = LogCapture.start()) {
            long started = System.nanoTime();
            List<RawPeer> peers = new ArrayList<>();
            for (int i = 0; i < attempts; i++) {
                peers.add(peer("127.0.0.5"));
            }
            double seconds = (System.nanoTime() - started) / 1e9;
            int accepted = 0;
            for (RawPeer p : peers) {
                if (p.stillOpenAfter(300)) {
                    accepted++;
                }
            }
            // The bucket starts full (a burst of `rate`) and refills `rate` a second.
            int most = rate + (int) Math.ceil(seconds * rate);
            assertThat(accepted).as("accepted of %d in %.3f s", attempts, seconds).isBetween(rate, most);
            assertThat(server.connectionLimiter().refused(ConnectionLimiter.Refusal.RATE)).isEqualTo(attempts - accepted);
            // Another address is not affected.
            peer("127.0.0.6").handshake();
            List<ILoggingEvent> rateLines = lines(logs, "(rtmp.maxConnectionRatePerIp)");
            assertThat(rateLines).isNotEmpty().hasSizeLessThanOrEqualTo(attempts - accepted);
            assertThat(rateLines.get(0).getFormattedMessage()).contains("more than 3 new connections per second from 127.0.0.5");
            // A second later the address may connect again.
            Thread.sleep(1100);
            peer("127.0.0.5").handshake();
        }
    }

    @Test
    void anIdleClientGetsIdleTimeoutAndIsClosedWhileAViewerAndACallerStay() throws Exception {
        server = TestServer.start("rtmp:\n  idleTimeoutMillis: 1000\n  pingIntervalMillis: 200\n");
        try (LogCapture logs = LogCapture.start();
             RtmpClient idle = RtmpClient.open("127.0.0.1", server.port(), RtmpClient.Options.plain());
             RtmpClient viewer = RtmpClient.open("127.0.0.1", server.port(), RtmpClient.Options.plain());
             RtmpClient caller = RtmpClient.open("127.0.0.1", server.port(), RtmpClient.Options.plain())) {
            for (RtmpClient c : List.of(idle, viewer, caller)) {
                c.sendConnect("vod", server.url("vod"));
                c.await(e -> e instanceof ClientEvent.CommandEvent ce && "NetConnection.Connect.Success".equals(ce.code()), WAIT);
            }
            long connected = System.nanoTime();
            // The caller sends a call every 300 ms from now on; the viewer plays the sample and only receives.
            java.util.concurrent.ScheduledExecutorService calls = java.util.concurrent.Executors.newSingleThreadScheduledExecutor();
            calls.scheduleAtFixedRate(() -> caller.send("noSuchMethod", null), 0, 300, TimeUnit.MILLISECONDS);
            try {
                viewer.send("createStream", null);
                ClientEvent.CommandEvent created = (ClientEvent.CommandEvent) viewer.await(
                        e -> e instanceof ClientEvent.CommandEvent c && c.name().equals("_result") && c.command().transactionId() == 2, WAIT);
                int streamId = ((Number) created.command().arg(0)).intValue();
                viewer.setBufferLength(streamId, 1000);
                viewer.notify(streamId, "play", "sample", -2.0, -1.0, true);

                // The idle client answers pings (they do not count) and sends nothing else.
                ClientEvent.CommandEvent status = (ClientEvent.CommandEvent) idle.await(
                        e -> e instanceof ClientEvent.CommandEvent c && c.name().equals("onStatus"), WAIT);
                double idleSeconds = (System.nanoTime() - connected) / 1e9;
                assertThat(status.code()).isEqualTo("NetConnection.Connect.IdleTimeout");
                assertThat(status.info().getString("level")).isEqualTo("status");
                idle.await(e -> e instanceof ClientEvent.Closed, WAIT);
                assertThat(idleSeconds).as("closed after (s)").isBetween(0.9, 3.0);
                assertThat(idle.history()).as("the idle client answered pings")
                        .anyMatch(e -> e instanceof ClientEvent.UserControl u && u.event() instanceof io.millrace.rtmp.control.PingRequest);

                // Both others stay for 3 timeouts more.
                Thread.sleep(3000);
            } finally {
                calls.shutdownNow();
            }
            assertThat(viewer.isOpen()).isTrue();
            assertThat(caller.isOpen()).isTrue();
            assertThat(viewer.history()).anyMatch(e -> e instanceof ClientEvent.Media m && m.isVideo());
            List<ILoggingEvent> idleLines = lines(logs, "(rtmp.idleTimeoutMillis)");
            assertThat(idleLines).hasSize(1);
            assertThat(idleLines.get(0).getFormattedMessage()).contains("closing client", "idle for");
        }
    }

    @Test
    void createStreamBeyondTheLimitGetsCallFailed() throws Exception {
        server = TestServer.start("rtmp:\n  maxStreamsPerConnection: 2\n");
        try (LogCapture logs = LogCapture.start();
             RtmpClient c = RtmpClient.open("127.0.0.1", server.port(), RtmpClient.Options.plain())) {
            c.sendConnect("vod", server.url("vod"));
            c.await(e -> e instanceof ClientEvent.CommandEvent ce && "NetConnection.Connect.Success".equals(ce.code()), WAIT);
            List<String> answers = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                double tx = c.send("createStream", null);
                ClientEvent.CommandEvent answer = (ClientEvent.CommandEvent) c.await(
                        e -> e instanceof ClientEvent.CommandEvent ce && ce.command().transactionId() == tx, WAIT);
                answers.add(answer.name() + (answer.name().equals("_error") ? " " + answer.code() + " "
                        + ((AmfObject) answer.command().arg(0)).getString("description") : ""));
            }
            assertThat(answers).containsExactly("_result", "_result",
                    "_error NetConnection.Call.Failed Too many streams on this connection (at most 2).");
            assertThat(c.isOpen()).isTrue();
            assertThat(lines(logs, "(rtmp.maxStreamsPerConnection)")).hasSize(1);
        }
    }
}
