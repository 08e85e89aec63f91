package io.millrace.server.e2e;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.spi.ILoggingEvent;
import io.millrace.amf.AmfObject;
import io.millrace.media.flv.FlvIndex;
import io.millrace.media.flv.FlvReader;
import io.millrace.media.flv.FlvTag;
import io.millrace.rtmp.client.ClientEvent;
import io.millrace.rtmp.client.RtmpClient;
import io.netty.buffer.UnpooledByteBufAllocator;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * "Bad input closes that connection only, with one log line naming the client and the reason; every
 * length read from the wire is bounded; handshake and connect timeouts close idle peers; nothing else
 * on the server notices." Hand-driven sockets send each kind of bad input while a real client plays
 * the whole sample file; the server's log is captured and checked line by line.
 */
class BadInputIT {
    private static final int MAX_MESSAGE_SIZE = 65536;
    private static final long HANDSHAKE_TIMEOUT_MS = 1000;
    private static final long CONNECT_TIMEOUT_MS = 1000;
    private static final int MAX_CHUNK_SIZE = 65536;
    private static final String CONFIG = "rtmp:\n"
            + "  maxMessageSize: " + MAX_MESSAGE_SIZE + "\n"
            + "  maxChunkSize: " + MAX_CHUNK_SIZE + "\n"
            + "  handshakeTimeoutMillis: " + HANDSHAKE_TIMEOUT_MS + "\n"
            + "  connectTimeoutMillis: " + CONNECT_TIMEOUT_MS + "\n";
    /** Generous upper bound for "the server closes it eventually"; never a timing assertion. */
    private static final Duration CLOSED_WITHIN = Duration.ofSeconds(10);
    private static final Duration WAIT = Duration.ofSeconds(10);

    private static TestServer server;

    @BeforeAll
    static void startServer() throws Exception {
        server = TestServer.start(CONFIG);
    }

    @AfterAll
    static void stopServer() {
        if (server != null) {
            server.close();
        }
    }

    /** What a bad peer does after connecting, and the words its one log line must contain. */
    @FunctionalInterface
    interface Misbehaviour {
        void run(RawPeer peer) throws IOException;
    }

    enum BadPeer {
        /** (a) An HTTP request on the RTMP port: C0 = 'G'. */
        HTTP_REQUEST("not RTMP (first byte 0x47: looks like HTTP)",
                p -> p.write("GET / HTTP/1.1\r\nHost: localhost\r\n\r\n".getBytes(StandardCharsets.US_ASCII))),
        /** (b) RTMPE: C0 = 6, with a C1. */
        RTMPE("unsupported RTMP version 6 (RTMPE is not supported)", p -> {
            byte[] c0c1 = RawPeer.c0c1();
            c0c1[0] = 6;
            p.write(c0c1);
        }),
        /** A TLS ClientHello (RTMPS sent to the plain port): C0 = 0x16. */
        TLS_CLIENT_HELLO("looks like a TLS ClientHello",
                p -> p.write(new byte[] {0x16, 0x03, 0x01, 0x02, 0x00, 0x01, 0x00, 0x01, (byte) 0xFC, 0x03, 0x03})),
        /** (c) A chunk announcing a 16 MiB - 1 message, above maxMessageSize; no payload follows. */
        OVERSIZED_MESSAGE("message of 16777215 bytes on chunk stream 3 exceeds the maximum message size of "
                + MAX_MESSAGE_SIZE + " bytes",
                p -> p.handshake().write(RawPeer.fmt0Chunk(3, 0, 0xFFFFFF, 20, 0, new byte[0]))),
        /** Set Chunk Size 0x7FFFFFFF (valid RTMP, but beyond rtmp.maxChunkSize). */
        HUGE_CHUNK_SIZE("Set Chunk Size 2147483647 exceeds the maximum chunk size of " + MAX_CHUNK_SIZE + " bytes",
                p -> p.handshake().write(RawPeer.setChunkSize(0x7FFFFFFF))),
        /** A fmt-2 header (which needs a previous header) as the first chunk of a chunk stream. */
        FMT2_ON_FRESH_CHUNK_STREAM("chunk stream 4 starts with a fmt 2 header",
                p -> p.handshake().write(new byte[] {(byte) 0x84, 0, 0, 0})),
        /** (d) A command message whose AMF is a string announcing 255 bytes of which one follows. */
        TRUNCATED_AMF("malformed AMF in",
                p -> p.handshake().write(RawPeer.command(new byte[] {0x02, 0x00, (byte) 0xFF, 0x41}))),
        /** A connect whose command object is a strict array announcing 2^32 - 1 entries. */
        HUGE_AMF_ARRAY_COUNT("announces 4294967295 entries",
                p -> p.handshake().write(RawPeer.command(new RawPeer.Amf0().string("connect").number(1)
                        .raw(0x0A, 0xFF, 0xFF, 0xFF, 0xFF).bytes()))),
        /** (e) createStream before connect. */
        COMMAND_BEFORE_CONNECT("command before connect",
                p -> p.handshake().write(RawPeer.command(new RawPeer.Amf0().string("createStream").number(2).nul().bytes()))),
        /** (f) C0 and half of C1, then silence. */
        HALF_HANDSHAKE("handshake not completed within " + HANDSHAKE_TIMEOUT_MS + " ms",
                p -> p.write(java.util.Arrays.copyOf(RawPeer.c0c1(), 1 + RawPeer.PACKET / 2))),
        /** (g) A complete handshake, then silence: no connect. */
        NO_CONNECT("no connect command within " + CONNECT_TIMEOUT_MS + " ms", RawPeer::handshake);

        final String reason;
        final Misbehaviour misbehaviour;

        BadPeer(String reason, Misbehaviour misbehaviour) {
            this.reason = reason;
            this.misbehaviour = misbehaviour;
        }
    }

    /** How one bad peer's connection ended. */
    record Outcome(BadPeer peer, int port, String closedBy) {
    }

    private static Outcome misbehave(BadPeer bad) throws IOException {
        try (RawPeer peer = RawPeer.connect(server.port())) {
            try {
                bad.misbehaviour.run(peer);
            } catch (SocketException e) {
                // The server may already have closed while we were still writing: that is the point.
            }
            return new Outcome(bad, peer.localPort(), peer.awaitClosedByServer(CLOSED_WITHIN));
        }
    }

    @Test
    void beforeConnectMessagesAreSmallAfterItTheyMayBeLarge() throws Exception {
        try (TestServer big = TestServer.start(); LogCapture logs = LogCapture.start()) {
            // A peer that has not connected announces a 100 KB message: closed (the bound is 64 KiB until connect).
            try (RawPeer peer = RawPeer.connect(big.port())) {
                peer.handshake().write(RawPeer.fmt0Chunk(3, 0, 100_000, 20, 0, new byte[0]));
                assertThat(peer.awaitClosedByServer(CLOSED_WITHIN)).isNotNull();
            }
            assertThat(logs.events()).anyMatch(e -> e.getFormattedMessage().contains("100000 bytes on chunk stream 3 exceeds "
                    + "the maximum message size of " + io.millrace.server.net.RtmpChannelInitializer.PRE_CONNECT_MAX_MESSAGE_SIZE));
            // A connected client may send a 200 KB call (rtmp.maxMessageSize is 8 MiB): answered, still connected.
            try (RtmpClient c = RtmpClient.open("127.0.0.1", big.port(), RtmpClient.Options.flashPlayer())) {
                c.sendConnect("vod", big.url("vod"));
                c.await(e -> e instanceof ClientEvent.CommandEvent x && "_result".equals(x.name()), WAIT);
                double tid = c.send("noSuchMethod", null, "x".repeat(200_000));
                ClientEvent.CommandEvent r = (ClientEvent.CommandEvent) c.await(e -> e instanceof ClientEvent.CommandEvent x
                        && x.command().transactionId() == tid, WAIT);
                assertThat(r.code()).isEqualTo("NetConnection.Call.Failed");
                assertThat(c.isOpen()).isTrue();
            }
        }
    }

    @ParameterizedTest
    @EnumSource(BadPeer.class)
    void eachBadPeerIsClosedWithOneLogLine(BadPeer bad) throws Exception {
        try (LogCapture logs = LogCapture.start()) {
            Outcome outcome = misbehave(bad);

            // The server still serves: a well-behaved client connects afterwards.
            try (RtmpClient good = RtmpClient.open("127.0.0.1", server.port(), RtmpClient.Options.plain())) {
                good.sendConnect("vod", server.url("vod"));
                ClientEvent.CommandEvent result = (ClientEvent.CommandEvent) good.await(
                        e -> e instanceof ClientEvent.CommandEvent c && c.name().startsWith("_"), WAIT);
                assertThat(result.code()).isEqualTo("NetConnection.Connect.Success");
            }

            assertOneLine(logs, outcome);
            assertNoErrorsOrStackTraces(logs);
            assertThat(logs.events().stream().filter(e -> e.getLevel() == Level.WARN).toList())
                    .as("WARN lines other than the bad peer's").allMatch(e -> logs.naming(outcome.port()).contains(e));
        }
    }

    @Test
    void badPeersAreClosedAloneWhileAPlayerReceivesTheWholeFile() throws Exception {
        Expected expected = Expected.of(TestServer.sampleFlv());
        ExecutorService pool = Executors.newFixedThreadPool(BadPeer.values().length);
        try (LogCapture logs = LogCapture.start();
             RtmpClient player = RtmpClient.open("127.0.0.1", server.port(), RtmpClient.Options.plain())) {
            int playerPort = ((InetSocketAddress) player.channel().localAddress()).getPort();
            player.sendConnect("vod", server.url("vod"));
            ClientEvent.CommandEvent connected = (ClientEvent.CommandEvent) player.await(
                    e -> e instanceof ClientEvent.CommandEvent c && c.name().startsWith("_"), WAIT);
            assertThat(connected.code()).isEqualTo("NetConnection.Connect.Success");
            player.send("createStream", null);
            ClientEvent.CommandEvent created = (ClientEvent.CommandEvent) player.await(
                    e -> e instanceof ClientEvent.CommandEvent c && c.name().equals("_result"), WAIT);
            int streamId = ((Number) created.command().arg(0)).intValue();
            // A normal 1 s buffer: the server paces the file, so playback takes about its 10 s duration.
            player.setBufferLength(streamId, 1000);
            player.notify(streamId, "play", "sample", -2.0, -1.0, true);
            player.await(e -> e instanceof ClientEvent.CommandEvent c && "NetStream.Play.Start".equals(c.code()), WAIT);

            // Every bad peer at once, while the file plays.
            List<Future<Outcome>> futures = new ArrayList<>();
            for (BadPeer bad : BadPeer.values()) {
                futures.add(pool.submit(() -> misbehave(bad)));
            }

            ClientEvent.Data complete = (ClientEvent.Data) player.await(
                    e -> e instanceof ClientEvent.Data d && d.name().equals("onPlayStatus"), Duration.ofSeconds(60));
            assertThat(((AmfObject) complete.data().value(0)).getString("code")).isEqualTo("NetStream.Play.Complete");

            List<Outcome> outcomes = new ArrayList<>();
            for (Future<Outcome> f : futures) {
                outcomes.add(f.get(30, TimeUnit.SECONDS));
            }

            // The player saw none of it: every frame, in order, and its connection is still up.
            List<ClientEvent> history = player.history();
            assertThat(history).as("player events").noneMatch(e -> e instanceof ClientEvent.Error || e instanceof ClientEvent.Closed);
            Received received = Received.of(history);
            assertThat(received.videoFrames).as("video frames (sequence headers excluded)").isEqualTo(expected.videoFrames);
            assertThat(received.audioFrames).as("audio frames (sequence headers excluded)").isEqualTo(expected.audioFrames);
            assertThat(received.videoHeaders).as("video sequence headers").isEqualTo(expected.videoHeaders);
            assertThat(received.audioHeaders).as("audio sequence headers").isEqualTo(expected.audioHeaders);
            assertMonotonicPerType(history);
            assertThat(player.isOpen()).isTrue();

            for (Outcome o : outcomes) {
                assertOneLine(logs, o);
            }
            assertNoErrorsOrStackTraces(logs);
            assertThat(logs.naming(playerPort)).as("the player's log lines")
                    .allMatch(e -> e.getLevel() == Level.INFO);
            List<ILoggingEvent> badPeerLines = outcomes.stream().flatMap(o -> logs.naming(o.port()).stream()).toList();
            assertThat(logs.events()).as("WARN lines: only the bad peers'%s", LogCapture.format(logs.events()))
                    .filteredOn(e -> e.getLevel() == Level.WARN).allMatch(badPeerLines::contains);
            System.out.printf("player received %s; the file has %s%n", received, expected);
        } finally {
            pool.shutdownNow();
        }
    }

    private static void assertOneLine(LogCapture logs, Outcome o) {
        List<ILoggingEvent> lines = logs.naming(o.port());
        assertThat(lines).as("%s (port %d, closed by server: %s): lines naming the client%s",
                o.peer(), o.port(), o.closedBy(), LogCapture.format(lines)).hasSize(1);
        ILoggingEvent line = lines.get(0);
        assertThat(line.getLevel()).as("%s: level", o.peer()).isIn(Level.INFO, Level.WARN);
        assertThat(line.getFormattedMessage()).as("%s: reason", o.peer()).contains(o.peer().reason);
        assertThat(line.getThrowableProxy()).as("%s: stack trace", o.peer()).isNull();
        System.out.printf("%-26s port %5d closed by server (%s): %s%n", o.peer(), o.port(), o.closedBy(), LogCapture.format(line));
    }

    private static void assertNoErrorsOrStackTraces(LogCapture logs) {
        List<ILoggingEvent> events = logs.events();
        assertThat(events).as("ERROR lines or stack traces%s", LogCapture.format(events))
                .noneMatch(e -> e.getLevel() == Level.ERROR || e.getThrowableProxy() != null);
    }

    private static void assertMonotonicPerType(List<ClientEvent> history) {
        Map<Type, Long> last = new EnumMap<>(Type.class);
        for (ClientEvent e : history) {
            if (e instanceof ClientEvent.Media m && (m.isVideo() || m.isAudio())) {
                Type t = m.isVideo() ? Type.VIDEO : Type.AUDIO;
                long previous = last.getOrDefault(t, Long.MIN_VALUE);
                assertThat(m.timestamp()).as("%s timestamp after %d", t, previous).isGreaterThanOrEqualTo(previous);
                last.put(t, m.timestamp());
            }
        }
        assertThat(last).containsKeys(Type.VIDEO, Type.AUDIO);
    }

    private enum Type { VIDEO, AUDIO }

    /** Frame counts of the file: FlvIndex's tag counts, split into sequence headers and frames. */
    private record Expected(int videoFrames, int audioFrames, int videoHeaders, int audioHeaders) {
        static Expected of(Path flv) throws IOException {
            FlvIndex index = FlvIndex.build(flv);
            int videoHeaders = 0;
            int audioHeaders = 0;
            try (FlvReader reader = new FlvReader(flv)) {
                FlvTag tag;
                while ((tag = reader.next(UnpooledByteBufAllocator.DEFAULT)) != null) {
                    try {
                        if (tag.isSequenceHeader()) {
                            if (tag.isVideo()) {
                                videoHeaders++;
                            } else if (tag.isAudio()) {
                                audioHeaders++;
                            }
                        }
                    } finally {
                        tag.release();
                    }
                }
            }
            assertThat(index.videoTagCount()).as("video tags in the sample").isPositive();
            assertThat(index.audioTagCount()).as("audio tags in the sample").isPositive();
            return new Expected(index.videoTagCount() - videoHeaders, index.audioTagCount() - audioHeaders,
                    videoHeaders, audioHeaders);
        }
    }

    /** What the player received before onPlayStatus. */
    private record Received(int videoFrames, int audioFrames, int videoHeaders, int audioHeaders) {
        static Received of(List<ClientEvent> history) {
            int vf = 0;
            int af = 0;
            int vh = 0;
            int ah = 0;
            for (ClientEvent e : history) {
                if (e instanceof ClientEvent.Data d && d.name().equals("onPlayStatus")) {
                    break;
                }
                if (e instanceof ClientEvent.Media m) {
                    if (m.isVideo()) {
                        if (m.isSequenceHeader()) {
                            vh++;
                        } else {
                            vf++;
                        }
                    } else if (m.isAudio()) {
                        if (m.isSequenceHeader()) {
                            ah++;
                        } else {
                            af++;
                        }
                    }
                }
            }
            return new Received(vf, af, vh, ah);
        }
    }
}
