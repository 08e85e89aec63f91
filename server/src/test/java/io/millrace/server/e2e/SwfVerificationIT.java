package io.millrace.server.e2e;

import ch.qos.logback.classic.spi.ILoggingEvent;
import io.millrace.rtmp.client.ClientEvent;
import io.millrace.rtmp.client.RtmpClient;
import io.millrace.rtmp.control.SwfVerifyRequest;
import io.millrace.server.swf.SwfFiles;
import io.millrace.server.swf.SwfTestFiles;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * SWF verification on the vod application, against rtmpdump (--swfhash/--swfsize), ffmpeg
 * (-rtmp_swfhash/-rtmp_swfsize) and the repository's RtmpClient: the right SWF plays, a wrong one, none
 * and a plain handshake are rejected with NetConnection.Connect.Rejected and a description, one log line
 * and a 403 in the access log; with verification off (the default, or switched off server-wide) nothing is
 * asked.
 */
class SwfVerificationIT {
    private static final Duration WAIT = Duration.ofSeconds(10);
    private static final long TIMEOUT_MILLIS = 1500;

    private static TestServer server;
    private static Path swfDir;
    /** player.swf, stored uncompressed, and other.swf, stored zlib-compressed (CWS). */
    private static byte[] playerFws;
    private static byte[] otherFws;
    private static SwfFiles.SwfDigest player;
    private static SwfFiles.SwfDigest other;
    private static List<Probe.Packet> source;

    @TempDir
    Path tmp;

    @BeforeAll
    static void start() throws Exception {
        swfDir = Files.createTempDirectory("millrace-swfs");
        playerFws = SwfTestFiles.fws(10, 4000, 1);
        otherFws = SwfTestFiles.fws(11, 6000, 2);
        Files.write(swfDir.resolve("player.swf"), playerFws);
        Files.write(swfDir.resolve("other.swf"), SwfTestFiles.cws(otherFws));
        player = SwfFiles.digest(swfDir.resolve("player.swf"), SwfFiles.DEFAULT_MAX_SIZE);
        other = SwfFiles.digest(swfDir.resolve("other.swf"), SwfFiles.DEFAULT_MAX_SIZE);
        assertThat(other.size()).isEqualTo(otherFws.length);
        server = TestServer.start("applications:\n  vod:\n    swfVerification:\n      enabled: true\n"
                + "      folders: ['" + swfDir + "']\n      timeoutMillis: " + TIMEOUT_MILLIS + "\n"
                + "      userAgentExceptions: ['FMLE/']\n");
        source = Probe.packets(server.media().resolve("sample.flv").toString());
    }

    @AfterAll
    static void stop() {
        if (server != null) {
            server.close();
        }
    }

    // ---- rtmpdump -------------------------------------------------------------------------------

    /** --swfhash/--swfsize make librtmp do the digest handshake and answer the request: the file plays whole. */
    @Test
    void rtmpdumpWithTheRightSwfHashPlaysEveryFrame() throws Exception {
        Path out = tmp.resolve("out.flv");
        RealClients.Result r = RealClients.run(120, RealClients.require("rtmpdump"), "-r", server.url("vod/sample"),
                "--swfhash", player.hex(), "--swfsize", Long.toString(player.size()), "-o", out.toString());
        assertRtmpdumpFinished(r);
        List<Probe.Packet> got = Probe.packets(out.toString());
        assertThat(Probe.count(got, "video")).isEqualTo(Probe.count(source, "video"));
        assertThat(Probe.count(got, "audio")).isEqualTo(Probe.count(source, "audio"));
    }

    /** The hash of the CWS file's uncompressed form passes too. */
    @Test
    void rtmpdumpWithTheCompressedSwfsHashPlays() throws Exception {
        Path out = tmp.resolve("other.flv");
        RealClients.Result r = RealClients.run(120, RealClients.require("rtmpdump"), "-r", server.url("vod/sample"),
                "-w", other.hex(), "-x", Long.toString(other.size()), "-o", out.toString());
        assertRtmpdumpFinished(r);
        assertThat(Probe.count(Probe.packets(out.toString()), "video")).isEqualTo(Probe.count(source, "video"));
    }

    @Test
    void rtmpdumpWithAWrongSwfHashIsRejected() throws Exception {
        byte[] wrong = player.hash();
        wrong[0] ^= 1;
        try (LogCapture logs = LogCapture.start()) {
            RealClients.Result r = RealClients.run(60, RealClients.require("rtmpdump"), "-V", "-r",
                    server.url("vod/sample"), "--swfhash", HexFormat.of().formatHex(wrong),
                    "--swfsize", Long.toString(player.size()), "-o", tmp.resolve("x.flv").toString());
            assertThat(r.exitCode()).as("rtmpdump: %s", r).isNotZero();
            // -V: librtmp prints the _error's info object, and that it answered the request (it did the digest handshake).
            assertThat(r.stderr()).contains("SWFVerification ping received").contains("Sending SWFVerification response")
                    .contains("NetConnection.Connect.Rejected").contains("SWF verification failed");
            assertThat(Files.exists(tmp.resolve("x.flv")) ? Files.size(tmp.resolve("x.flv")) : 0L)
                    .as("no media").isLessThan(1000);
            List<ILoggingEvent> lines = awaitLines(logs, e -> e.getFormattedMessage().contains("SWF verification failed"));
            assertThat(lines).as("one log line:%s", LogCapture.format(lines)).hasSize(1);
            assertThat(lines.get(0).getFormattedMessage()).startsWith("reject client ").contains("app=vod/_definst_")
                    .contains("swfUrl=").contains("(" + player.size() + " bytes)");
        }
        Map<String, String> connect = awaitAccess(e -> "connect".equals(e.get("x-event"))
                && "SWF verification failed".equals(e.get("x-comment")) && e.get("c-user-agent").startsWith("LNX 10,"));
        assertThat(connect.get("x-status")).isEqualTo("403");
        assertThat(connect.get("x-app")).isEqualTo("vod");
    }

    /** Without a SWF librtmp does the plain handshake: rejected with a description that says so. */
    @Test
    void rtmpdumpWithoutASwfIsRejectedForItsPlainHandshake() throws Exception {
        try (LogCapture logs = LogCapture.start()) {
            RealClients.Result r = RealClients.run(60, RealClients.require("rtmpdump"), "-V", "-r",
                    server.url("vod/sample"), "-o", tmp.resolve("y.flv").toString());
            assertThat(r.exitCode()).as("rtmpdump: %s", r).isNotZero();
            assertThat(r.stderr()).contains("NetConnection.Connect.Rejected").contains("plain handshake");
            List<ILoggingEvent> lines = awaitLines(logs, e -> e.getFormattedMessage().contains("plain handshake"));
            assertThat(lines).as("one log line:%s", LogCapture.format(lines)).hasSize(1);
        }
    }

    // ---- ffmpeg -----------------------------------------------------------------------------------

    /** ffmpeg always does the digest handshake; with -rtmp_swfhash/-rtmp_swfsize it answers the request. */
    @Test
    void ffmpegWithTheRightSwfHashPlaysAndWithoutOneIsRejected() throws Exception {
        String ffmpeg = RealClients.require("ffmpeg");
        RealClients.Result ok = RealClients.run(120, ffmpeg, "-hide_banner", "-nostats",
                "-rtmp_swfhash", player.hex(), "-rtmp_swfsize", Long.toString(player.size()),
                "-i", server.url("vod/sample"), "-map", "0:v", "-map", "0:a", "-c", "copy", "-f", "framecrc", "-");
        assertThat(ok.exitCode()).as("ffmpeg: %s", ok).isZero();
        assertThat(ok.stdout().lines().filter(l -> l.startsWith("0,")).count()).isEqualTo(Probe.count(source, "video"));

        // Without: it ignores the request ("Ignoring SWFVerification request"), so the connect times out.
        long t0 = System.nanoTime();
        RealClients.Result no = RealClients.run(60, ffmpeg, "-hide_banner", "-nostats", "-i", server.url("vod/sample"),
                "-c", "copy", "-f", "null", "-");
        assertThat(no.exitCode()).as("ffmpeg: %s", no).isNotZero();
        assertThat((System.nanoTime() - t0) / 1_000_000).isGreaterThanOrEqualTo(TIMEOUT_MILLIS);
        assertThat(no.stderr()).contains("Ignoring SWFVerification request");
    }

    // ---- the repository's client --------------------------------------------------------------

    @Test
    void rtmpClientWithTheRightSwfConnectsAndPlays() throws Exception {
        try (RtmpClient c = RtmpClient.open("127.0.0.1", server.port(),
                RtmpClient.Options.flashPlayer().withSwfVerification(other.hash(), other.size()))) {
            assertThat(c.handshakeResult().digest()).isTrue();
            c.sendConnect("vod", server.url("vod"));
            // Sent at once, before the answer to connect: held, then answered in order.
            double cs = c.send("createStream", null);
            ClientEvent.CommandEvent result = awaitCommand(c);
            assertThat(result.name()).isEqualTo("_result");
            assertThat(result.code()).isEqualTo("NetConnection.Connect.Success");
            ClientEvent.CommandEvent created = (ClientEvent.CommandEvent) c.await(e -> e instanceof ClientEvent.CommandEvent ce
                    && ce.command().transactionId() == cs, WAIT);
            assertThat(((Number) created.command().arg(0)).intValue()).isEqualTo(1);
            c.notify(1, "play", "sample", -2.0, -1.0, true);
            ClientEvent.Media media = (ClientEvent.Media) c.await(e -> e instanceof ClientEvent.Media m && m.isFrame(), WAIT);
            assertThat(media.streamId()).isEqualTo(1);
            // The request came before anything of the connect's answer.
            List<ClientEvent> h = c.history();
            assertThat(h.get(0)).isInstanceOfSatisfying(ClientEvent.UserControl.class,
                    u -> assertThat(u.event()).isEqualTo(new SwfVerifyRequest()));
        }
    }

    @Test
    void rtmpClientWithAWrongSwfIsRejected() throws Exception {
        try (LogCapture logs = LogCapture.start();
             RtmpClient c = RtmpClient.open("127.0.0.1", server.port(),
                     RtmpClient.Options.flashPlayer().withSwfVerification(player.hash(), other.size()))) {
            c.sendConnect("vod", server.url("vod"));
            ClientEvent.CommandEvent error = awaitCommand(c);
            assertThat(error.name()).isEqualTo("_error");
            assertThat(error.code()).isEqualTo("NetConnection.Connect.Rejected");
            assertThat(error.info().getString("level")).isEqualTo("error");
            assertThat(error.info().getString("description")).startsWith("SWF verification failed: ")
                    .contains("not one that application 'vod' allows");
            c.await(e -> e instanceof ClientEvent.Closed, WAIT);
            int port = ((InetSocketAddress) c.channel().localAddress()).getPort();
            List<ILoggingEvent> lines = logs.naming(port);
            assertThat(lines).as("one log line:%s", LogCapture.format(lines)).hasSize(1);
            assertThat(lines.get(0).getFormattedMessage()).contains("swfUrl=http://player.example/player.swf")
                    .contains("SWF verification failed");
        }
    }

    @Test
    void rtmpClientWithAPlainHandshakeIsRejectedWithTheReason() throws Exception {
        try (RtmpClient c = RtmpClient.open("127.0.0.1", server.port(), RtmpClient.Options.plain())) {
            assertThat(c.handshakeResult().digest()).isFalse();
            c.sendConnect("vod", server.url("vod"));
            ClientEvent.CommandEvent error = awaitCommand(c);
            assertThat(error.code()).isEqualTo("NetConnection.Connect.Rejected");
            assertThat(error.info().getString("description")).contains("requires SWF verification")
                    .contains("digest (Flash Player 9 and later) handshake").contains("plain handshake");
            c.await(e -> e instanceof ClientEvent.Closed, WAIT);
            assertThat(c.history()).noneMatch(e -> e instanceof ClientEvent.UserControl u
                    && u.event() instanceof SwfVerifyRequest);
        }
    }

    @Test
    void rtmpClientThatDoesNotAnswerIsRejectedAfterTheTimeout() throws Exception {
        try (RtmpClient c = RtmpClient.open("127.0.0.1", server.port(), RtmpClient.Options.flashPlayer())) {
            long t0 = System.nanoTime();
            c.sendConnect("vod", server.url("vod"));
            ClientEvent.CommandEvent error = awaitCommand(c);
            assertThat((System.nanoTime() - t0) / 1_000_000).isGreaterThanOrEqualTo(TIMEOUT_MILLIS - 50);
            assertThat(error.code()).isEqualTo("NetConnection.Connect.Rejected");
            assertThat(error.info().getString("description"))
                    .isEqualTo("SWF verification failed: no answer to the SWF verification request within "
                            + TIMEOUT_MILLIS + " ms.");
        }
    }

    /** A user agent listed in userAgentExceptions is not asked, even after a plain handshake. */
    @Test
    void exemptUserAgentsConnectWithoutVerification() throws Exception {
        RtmpClient.Options fmle = new RtmpClient.Options(false, 0, "FMLE/3.0 (compatible; FMSc/1.0)", "", "",
                WAIT);
        try (RtmpClient c = RtmpClient.open("127.0.0.1", server.port(), fmle)) {
            c.sendConnect("vod", server.url("vod"));
            assertThat(awaitCommand(c).code()).isEqualTo("NetConnection.Connect.Success");
        }
    }

    // ---- off ------------------------------------------------------------------------------------

    /** Off by default, and the server-wide switch turns an application's verification off. */
    @Test
    void offByDefaultAndSwitchedOffServerWide() throws Exception {
        String enabledButSwitchedOff = "swfVerification:\n  disableAll: true\napplications:\n  vod:\n"
                + "    swfVerification:\n      enabled: true\n      folders: ['" + swfDir + "']\n";
        for (String yaml : new String[] {"", enabledButSwitchedOff}) {
            try (TestServer s = TestServer.start(yaml);
                 RtmpClient c = RtmpClient.open("127.0.0.1", s.port(), RtmpClient.Options.plain())) {
                c.sendConnect("vod", s.url("vod"));
                assertThat(awaitCommand(c).code()).as("config [%s]", yaml).isEqualTo("NetConnection.Connect.Success");
                assertThat(c.history()).noneMatch(e -> e instanceof ClientEvent.UserControl u
                        && u.event() instanceof SwfVerifyRequest);
                // And rtmpdump without any SWF plays as before.
                Path out = tmp.resolve("plain" + yaml.length() + ".flv");
                RealClients.Result r = RealClients.run(120, RealClients.require("rtmpdump"), "-r", s.url("vod/sample"),
                        "-o", out.toString());
                assertRtmpdumpFinished(r);
            }
        }
    }

    // ---- helpers ----------------------------------------------------------------------------------

    private static ClientEvent.CommandEvent awaitCommand(RtmpClient c) throws Exception {
        return (ClientEvent.CommandEvent) c.await(e -> e instanceof ClientEvent.CommandEvent, WAIT);
    }

    /** The log lines that match, once there is at least one and a moment has passed for any second one. */
    private static List<ILoggingEvent> awaitLines(LogCapture logs, Predicate<ILoggingEvent> match) throws Exception {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (System.nanoTime() < deadline && logs.events().stream().noneMatch(match)) {
            Thread.sleep(20);
        }
        Thread.sleep(200);
        return logs.events().stream().filter(match).toList();
    }

    /** The first access log event that matches, waiting for it. */
    private static Map<String, String> awaitAccess(Predicate<Map<String, String>> match) throws Exception {
        long deadline = System.nanoTime() + WAIT.toNanos();
        Path logs = server.data().resolve("logs");
        while (System.nanoTime() < deadline) {
            if (Files.isDirectory(logs)) {
                for (Map<String, String> e : accessEvents(logs)) {
                    if (match.test(e)) {
                        return e;
                    }
                }
            }
            Thread.sleep(50);
        }
        throw new AssertionError("no such access log event in " + accessEvents(logs));
    }

    private static List<Map<String, String>> accessEvents(Path logs) throws Exception {
        return AccessLogFiles.events(logs);
    }

    /** As VodRealClientsIT: rtmpdump ended by itself after Play.Stop (exit 0, or 2 at about 99.8%). */
    private static void assertRtmpdumpFinished(RealClients.Result r) {
        assertThat(r.stderr()).as("rtmpdump: %s", r).doesNotContain("ERROR");
        if (r.exitCode() != 0) {
            assertThat(r.exitCode()).as("rtmpdump: %s", r).isEqualTo(2);
            java.util.regex.Matcher m = java.util.regex.Pattern.compile("downloaded about ([0-9.]+)%").matcher(r.stderr());
            assertThat(m.find()).as("rtmpdump: %s", r).isTrue();
            assertThat(Double.parseDouble(m.group(1))).isGreaterThanOrEqualTo(99.0);
        }
    }
}
