package io.millrace.server.session;

import io.millrace.amf.AmfObject;
import io.millrace.rtmp.command.Command;
import io.millrace.rtmp.command.NetCommand;
import io.millrace.rtmp.control.LimitType;
import io.millrace.rtmp.control.SetChunkSize;
import io.millrace.rtmp.control.SetPeerBandwidth;
import io.millrace.rtmp.control.StreamBegin;
import io.millrace.rtmp.control.SwfVerifyRequest;
import io.millrace.rtmp.control.SwfVerifyResponse;
import io.millrace.rtmp.control.UnknownUserControl;
import io.millrace.rtmp.handshake.HandshakeCompleteEvent;
import io.millrace.rtmp.handshake.SwfVerification;
import io.millrace.rtmp.control.WindowAckSize;
import io.millrace.server.config.ConfigLoader;
import io.millrace.server.config.ServerConfig;
import io.millrace.server.swf.SwfFiles;
import io.millrace.server.swf.SwfVerifier;
import io.netty.channel.embedded.EmbeddedChannel;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** The NetConnection state machine, typed commands in and typed messages out, no sockets. */
class RtmpSessionTest {
    private final List<NetCommand.Call> calls = new java.util.ArrayList<>();
    private EmbeddedChannel ch;
    private Application app;

    @BeforeEach
    void setUp() {
        ServerConfig cfg = ConfigLoader.loadText("rtmp:\n  chunkSize: 8192\n", "test", Path.of("."));
        app = new Application() {
            @Override
            public String name() {
                return "vod";
            }

            @Override
            public String type() {
                return "vod";
            }

            @Override
            public boolean call(RtmpSession session, NetCommand.Call call) {
                calls.add(call);
                if (call.method().equals("echo")) {
                    session.reply(call.transactionId(), call.arg(0));
                    return true;
                }
                return false;
            }

            @Override
            public void play(RtmpSession session, NetStream stream, NetCommand.Play play) {
            }
        };
        ch = new EmbeddedChannel(new RtmpSession(cfg, new Applications(Map.of("vod", app))));
    }

    private void connect(String app, double objectEncoding) {
        ch.writeInbound(new NetCommand.Connect(1, AmfObject.of("app", app, "tcUrl", "rtmp://h/" + app,
                "flashVer", "WIN 11,1,102,55", "objectEncoding", objectEncoding), List.of()));
    }

    @Test
    void connectAnswersInFmsOrder() {
        connect("vod", 3);
        assertThat((Object) ch.readOutbound()).isEqualTo(new WindowAckSize(2_500_000));
        assertThat((Object) ch.readOutbound()).isEqualTo(new SetPeerBandwidth(2_500_000, LimitType.DYNAMIC));
        assertThat((Object) ch.readOutbound()).isEqualTo(new StreamBegin(0));
        assertThat((Object) ch.readOutbound()).isEqualTo(new SetChunkSize(8192));
        Command result = ch.readOutbound();
        assertThat(result.name()).isEqualTo("_result");
        assertThat(result.transactionId()).isEqualTo(1);
        assertThat(((AmfObject) result.commandObject())).containsEntry("fmsVer", "FMS/3,5,7,7009")
                .containsEntry("capabilities", 31.0).containsEntry("mode", 1.0);
        AmfObject info = (AmfObject) result.arg(0);
        assertThat(List.copyOf(info.keySet())).containsExactly("level", "code", "description", "objectEncoding", "data");
        assertThat(info).containsEntry("level", "status").containsEntry("code", "NetConnection.Connect.Success")
                .containsEntry("objectEncoding", 3.0);
        Command bw = ch.readOutbound();
        assertThat(bw.name()).isEqualTo("onBWDone");
        assertThat(bw.transactionId()).isZero();
        assertThat((Object) ch.readOutbound()).isNull();
        assertThat(ch.isActive()).isTrue();
        assertThat(ch.finishAndReleaseAll()).isFalse();
    }

    @Test
    void unknownApplicationIsRefusedAndClosed() {
        connect("nosuch/inst", 0);
        Command error = ch.readOutbound();
        assertThat(error.name()).isEqualTo("_error");
        AmfObject info = (AmfObject) error.arg(0);
        assertThat(info).containsEntry("level", "error").containsEntry("code", "NetConnection.Connect.InvalidApp");
        assertThat((String) info.get("description")).contains("nosuch");
        assertThat((Object) ch.readOutbound()).isNull();
        ch.runPendingTasks();
        assertThat(ch.isActive()).isFalse();
        ch.finishAndReleaseAll();
    }

    @Test
    void streamIdsCallsAndUnknownMethods() {
        connect("vod", 0);
        drain();
        ch.writeInbound(new NetCommand.CreateStream(2));
        Command created = ch.readOutbound();
        assertThat(created.name()).isEqualTo("_result");
        assertThat(created.arg(0)).isEqualTo(1.0);
        ch.writeInbound(new NetCommand.CreateStream(3));
        assertThat(((Command) ch.readOutbound()).arg(0)).isEqualTo(2.0);

        ch.writeInbound(new NetCommand.Call(4, 0, "echo", null, List.of("hi")));
        Command echo = ch.readOutbound();
        assertThat(echo.name()).isEqualTo("_result");
        assertThat(echo.transactionId()).isEqualTo(4);
        assertThat(echo.arg(0)).isEqualTo("hi");

        ch.writeInbound(new NetCommand.Call(5, 0, "fooBar", null, List.of()));
        Command failed = ch.readOutbound();
        assertThat(failed.name()).isEqualTo("_error");
        assertThat(failed.transactionId()).isEqualTo(5);
        assertThat((AmfObject) failed.arg(0)).containsEntry("code", "NetConnection.Call.Failed")
                .containsEntry("level", "error");
        assertThat((String) ((AmfObject) failed.arg(0)).get("description")).contains("fooBar");
        assertThat(ch.isActive()).isTrue();

        // A second connect on a connected session is refused, the connection stays.
        connect("vod", 0);
        assertThat(((Command) ch.readOutbound()).name()).isEqualTo("_error");
        assertThat(ch.isActive()).isTrue();
        assertThat(ch.finishAndReleaseAll()).isFalse();
    }

    @Test
    void createStreamBeyondMaxStreamsPerConnectionGetsCallFailed() {
        ServerConfig cfg = ConfigLoader.loadText("rtmp:\n  maxStreamsPerConnection: 2\n", "test", Path.of("."));
        ch = new EmbeddedChannel(new RtmpSession(cfg, new Applications(Map.of("vod", app))));
        connect("vod", 0);
        drain();
        for (int tx = 2; tx <= 3; tx++) {
            ch.writeInbound(new NetCommand.CreateStream(tx));
            assertThat(((Command) ch.readOutbound()).name()).isEqualTo("_result");
        }
        ch.writeInbound(new NetCommand.CreateStream(4));
        Command refused = ch.readOutbound();
        assertThat(refused.name()).isEqualTo("_error");
        assertThat(refused.transactionId()).isEqualTo(4);
        assertThat((AmfObject) refused.arg(0)).containsEntry("code", "NetConnection.Call.Failed")
                .containsEntry("description", "Too many streams on this connection (at most 2).");
        // Deleting one makes room again.
        ch.writeInbound(new NetCommand.DeleteStream(0, 0, 1));
        ch.writeInbound(new NetCommand.CreateStream(6));
        Command again = ch.readOutbound();
        assertThat(again.name()).isEqualTo("_result");
        assertThat(ch.isActive()).isTrue();
        assertThat(ch.finishAndReleaseAll()).isFalse();
    }

    @Test
    void aPlainConnectionIsRtmp() {
        RtmpSession session = ch.pipeline().get(RtmpSession.class);
        assertThat(session.protocol()).isEqualTo("rtmp");
        connect("vod", 0);
        assertThat(session.stats().protocol()).isEqualTo("rtmp");
        ch.finishAndReleaseAll();
    }

    @Test
    void commandsBeforeConnectCloseTheConnection() {
        ch.writeInbound(new NetCommand.CreateStream(2));
        assertThat(ch.isActive()).isFalse();
        ch.finishAndReleaseAll();
    }

    // ---- SWF verification -----------------------------------------------------------------

    private static final byte[] SWF = io.millrace.server.swf.SwfTestFiles.fws(10, 300, 1);

    @org.junit.jupiter.api.io.TempDir
    Path swfDir;

    /** A session whose "vod" verifies SWFs against {@link #SWF}, after a handshake of the given kind. */
    private EmbeddedChannel swfSession(boolean digestHandshake, long timeoutMillis) throws Exception {
        java.nio.file.Files.write(swfDir.resolve("player.swf"), SWF);
        SwfVerifier verifier = new SwfVerifier("vod", List.of(swfDir), timeoutMillis,
                List.of(io.millrace.server.swf.UserAgentException.parse("FMLE/")), SwfFiles.DEFAULT_MAX_SIZE);
        verifier.scan();
        ServerConfig cfg = ConfigLoader.loadText("rtmp:\n  chunkSize: 8192\n", "test", Path.of("."));
        Application app = new Application() {
            @Override
            public String name() {
                return "vod";
            }

            @Override
            public String type() {
                return "vod";
            }

            @Override
            public void play(RtmpSession session, NetStream stream, NetCommand.Play play) {
            }
        };
        EmbeddedChannel c = new EmbeddedChannel(new RtmpSession(cfg,
                new Applications(Map.of("vod", app), Map.of(), Map.of("vod", verifier))));
        c.pipeline().fireUserEventTriggered(handshake(digestHandshake));
        return c;
    }

    private static HandshakeCompleteEvent handshake(boolean digest) {
        byte[] s1 = new byte[1536];
        for (int i = 0; i < s1.length; i++) {
            s1[i] = (byte) (i * 13 + 7);
        }
        return digest
                ? new HandshakeCompleteEvent(true, 1, new byte[32], s1, new byte[1536], new byte[] {9, 0, 124, 2}, 0, 0)
                : new HandshakeCompleteEvent(false, -1, null, s1, new byte[1536], new byte[4], 0, 0);
    }

    private static byte[] proof(byte[] swf) {
        return SwfVerification.response(SwfVerification.swfHash(swf), swf.length,
                handshake(true).swfVerificationKey());
    }

    private static void connect(EmbeddedChannel c, String flashVer) {
        c.writeInbound(new NetCommand.Connect(1, AmfObject.of("app", "vod", "tcUrl", "rtmp://h/vod",
                "flashVer", flashVer, "swfUrl", "http://example/player.swf", "objectEncoding", 0.0), List.of()));
    }

    private static AmfObject assertRejected(EmbeddedChannel c) {
        Command error = c.readOutbound();
        assertThat(error.name()).isEqualTo("_error");
        assertThat(error.transactionId()).isEqualTo(1);
        AmfObject info = (AmfObject) error.arg(0);
        assertThat(info).containsEntry("level", "error").containsEntry("code", "NetConnection.Connect.Rejected");
        assertThat((Object) c.readOutbound()).isNull();
        c.runPendingTasks();
        assertThat(c.isActive()).isFalse();
        return info;
    }

    @Test
    void swfVerificationHoldsTheConnectAndWhatFollowsUntilTheProof() throws Exception {
        EmbeddedChannel c = swfSession(true, 5000);
        connect(c, "WIN 32,0,0,465");
        assertThat((Object) c.readOutbound()).isEqualTo(new SwfVerifyRequest());
        assertThat((Object) c.readOutbound()).as("connect held").isNull();
        // A command sent before the answer waits too.
        c.writeInbound(new NetCommand.CreateStream(2));
        assertThat((Object) c.readOutbound()).isNull();

        c.writeInbound(new SwfVerifyResponse(proof(SWF)));
        assertThat((Object) c.readOutbound()).isEqualTo(new WindowAckSize(2_500_000));
        assertThat((Object) c.readOutbound()).isEqualTo(new SetPeerBandwidth(2_500_000, LimitType.DYNAMIC));
        assertThat((Object) c.readOutbound()).isEqualTo(new StreamBegin(0));
        assertThat((Object) c.readOutbound()).isEqualTo(new SetChunkSize(8192));
        Command result = c.readOutbound();
        assertThat(result.name()).isEqualTo("_result");
        assertThat(((AmfObject) result.arg(0))).containsEntry("code", "NetConnection.Connect.Success");
        assertThat(((Command) c.readOutbound()).name()).isEqualTo("onBWDone");
        Command created = c.readOutbound();
        assertThat(created.name()).isEqualTo("_result");
        assertThat(created.transactionId()).isEqualTo(2);
        assertThat(created.arg(0)).isEqualTo(1.0);
        // A late or repeated answer changes nothing.
        c.writeInbound(new SwfVerifyResponse(new byte[42]));
        assertThat((Object) c.readOutbound()).isNull();
        assertThat(c.isActive()).isTrue();
        assertThat(c.finishAndReleaseAll()).isFalse();
    }

    @Test
    void aWrongProofIsRejected() throws Exception {
        EmbeddedChannel c = swfSession(true, 5000);
        connect(c, "WIN 32,0,0,465");
        assertThat((Object) c.readOutbound()).isEqualTo(new SwfVerifyRequest());
        byte[] other = io.millrace.server.swf.SwfTestFiles.fws(10, 300, 2); // same size, other bytes
        c.writeInbound(new SwfVerifyResponse(proof(other)));
        AmfObject info = assertRejected(c);
        assertThat((String) info.get("description")).startsWith("SWF verification failed: ")
                .contains("not one that application 'vod' allows");
        c.finishAndReleaseAll();
    }

    @Test
    void aMalformedProofIsRejected() throws Exception {
        EmbeddedChannel c = swfSession(true, 5000);
        connect(c, "WIN 32,0,0,465");
        c.readOutbound();
        c.writeInbound(new UnknownUserControl(27, new byte[] {1, 1, 0}));
        assertThat((String) assertRejected(c).get("description")).contains("malformed response (3 bytes, not 42)");
        c.finishAndReleaseAll();
    }

    @Test
    void noAnswerIsRejectedAfterTheTimeout() throws Exception {
        EmbeddedChannel c = swfSession(true, 3000);
        connect(c, "LNX 9,0,124,2");
        assertThat((Object) c.readOutbound()).isEqualTo(new SwfVerifyRequest());
        c.advanceTimeBy(2900, java.util.concurrent.TimeUnit.MILLISECONDS);
        c.runScheduledPendingTasks();
        assertThat((Object) c.readOutbound()).isNull();
        assertThat(c.isActive()).isTrue();
        c.advanceTimeBy(200, java.util.concurrent.TimeUnit.MILLISECONDS);
        c.runScheduledPendingTasks();
        assertThat((String) assertRejected(c).get("description"))
                .isEqualTo("SWF verification failed: no answer to the SWF verification request within 3000 ms.");
        c.finishAndReleaseAll();
    }

    @Test
    void aPlainHandshakeIsRejectedWithTheReason() throws Exception {
        EmbeddedChannel c = swfSession(false, 5000);
        connect(c, "LNX 9,0,124,2");
        AmfObject info = assertRejected(c);
        assertThat((String) info.get("description")).contains("requires SWF verification")
                .contains("digest").contains("plain handshake");
        c.finishAndReleaseAll();
    }

    @Test
    void tooManyCommandsWhileTheConnectIsHeldCloseTheConnection() throws Exception {
        EmbeddedChannel c = swfSession(true, 5000);
        connect(c, "WIN 32,0,0,465");
        c.readOutbound();
        for (int i = 0; i < RtmpSession.MAX_HELD_COMMANDS; i++) {
            c.writeInbound(new NetCommand.CreateStream(2 + i));
        }
        assertThat(c.isActive()).isTrue();
        c.writeInbound(new NetCommand.CreateStream(100));
        assertThat(c.isActive()).isFalse();
        assertThat((Object) c.readOutbound()).as("never accepted").isNull();
        c.finishAndReleaseAll();
    }

    @Test
    void exemptUserAgentsAreNotAsked() throws Exception {
        EmbeddedChannel c = swfSession(false, 5000);
        connect(c, "FMLE/3.0 (compatible; FMSc/1.0)");
        assertThat((Object) c.readOutbound()).isEqualTo(new WindowAckSize(2_500_000));
        c.finishAndReleaseAll();
    }

    private void drain() {
        while (ch.readOutbound() != null) {
            // discard
        }
    }
}
