package io.millrace.server.session;

import io.millrace.amf.AmfObject;
import io.millrace.rtmp.command.Command;
import io.millrace.rtmp.command.NetCommand;
import io.millrace.rtmp.control.LimitType;
import io.millrace.rtmp.control.SetChunkSize;
import io.millrace.rtmp.control.SetPeerBandwidth;
import io.millrace.rtmp.control.StreamBegin;
import io.millrace.rtmp.control.WindowAckSize;
import io.millrace.server.config.ConfigLoader;
import io.millrace.server.config.ServerConfig;
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

    @BeforeEach
    void setUp() {
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
    void commandsBeforeConnectCloseTheConnection() {
        ch.writeInbound(new NetCommand.CreateStream(2));
        assertThat(ch.isActive()).isFalse();
        ch.finishAndReleaseAll();
    }

    private void drain() {
        while (ch.readOutbound() != null) {
            // discard
        }
    }
}
