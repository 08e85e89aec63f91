package io.millrace.rtmp.command;

import io.millrace.amf.AmfObject;
import io.millrace.rtmp.RtmpProtocolException;
import io.millrace.rtmp.command.CommandVectors.Case;
import io.millrace.rtmp.message.MessageType;
import io.millrace.rtmp.message.RtmpMessage;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.DecoderException;
import io.netty.util.ReferenceCountUtil;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static io.millrace.rtmp.command.CommandVectors.describe;
import static io.millrace.rtmp.command.CommandVectors.message;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** {@link CommandDecoder} in an {@link EmbeddedChannel}: RTMP messages in, typed objects out. */
class CommandDecoderTest {

    static List<Case> cases() {
        return CommandVectors.cases();
    }

    /** Everything the channel passed on, in order. */
    private static List<Object> inbound(EmbeddedChannel ch) {
        List<Object> all = new ArrayList<>();
        Object o;
        while ((o = ch.readInbound()) != null) {
            all.add(o);
        }
        return all;
    }

    private static void releaseAll(List<Object> objects) {
        objects.forEach(ReferenceCountUtil::release);
    }

    private static boolean causeChainContains(Throwable t, Class<? extends Throwable> type) {
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (type.isInstance(c)) {
                return true;
            }
        }
        return false;
    }

    @Test
    void connectBecomesATypedConnect() {
        EmbeddedChannel ch = new EmbeddedChannel(new CommandDecoder());
        RtmpMessage msg = message(MessageType.COMMAND_AMF0, 0, 0, CommandVectors.CONNECT_HEX);
        assertThat(ch.writeInbound(msg)).isTrue();
        assertThat(msg.refCnt()).as("the decoder ends the command message's path").isZero();

        List<Object> out = inbound(ch);
        assertThat(out).hasSize(1);
        assertThat(out.get(0)).isInstanceOf(NetCommand.Connect.class);
        NetCommand.Connect connect = (NetCommand.Connect) out.get(0);
        assertThat(connect.transactionId()).isEqualTo(1.0);
        assertThat(connect.streamId()).isZero();
        assertThat(connect.app()).isEqualTo("live");
        assertThat(connect.tcUrl()).isEqualTo("rtmp://h/live");
        assertThat(connect.flashVer()).isNull();
        assertThat(connect.objectEncoding()).isZero();
        assertThat(connect.extraArguments()).isEmpty();
        assertThat(ch.finishAndReleaseAll()).isFalse();
    }

    @Test
    void type17PlayFromFlashPlayerBecomesATypedPlay() {
        EmbeddedChannel ch = new EmbeddedChannel(new CommandDecoder());
        RtmpMessage msg = message(MessageType.COMMAND_AMF3, 0, 1, CommandVectors.FLASH_PLAY_AMF3_HEX);
        assertThat(ch.writeInbound(msg)).isTrue();
        assertThat(msg.refCnt()).isZero();

        List<Object> out = inbound(ch);
        assertThat(out).containsExactly(new NetCommand.Play(4, 1, "live1", -2000, -1000, 1));
        assertThat(ch.finishAndReleaseAll()).isFalse();
    }

    @Test
    void clientResultsAndCallsAreTyped() {
        EmbeddedChannel ch = new EmbeddedChannel(new CommandDecoder());
        ch.writeInbound(message(MessageType.COMMAND_AMF0, 0, 0, CommandVectors.CREATE_STREAM_RESULT_HEX));
        ch.writeInbound(message(MessageType.COMMAND_AMF0, 0, 1, CommandVectors.ON_STATUS_PLAY_START_HEX));

        List<Object> out = inbound(ch);
        assertThat(out).hasSize(2);
        assertThat(out.get(0)).isEqualTo(new NetCommand.Result(2, 0, false, Arrays.asList(null, 1.0)));
        assertThat(out.get(1)).isInstanceOfSatisfying(NetCommand.Call.class, call -> {
            assertThat(call.method()).isEqualTo("onStatus");
            assertThat(call.streamId()).isEqualTo(1);
            assertThat(call.commandObject()).isNull();
            assertThat(call.arguments()).containsExactly(CommandVectors.playStartInfo());
        });
        assertThat(ch.finishAndReleaseAll()).isFalse();
    }

    @Test
    void dataMessagesOfBothEncodingsBecomeDataMessages() {
        EmbeddedChannel ch = new EmbeddedChannel(new CommandDecoder());
        RtmpMessage amf0 = message(MessageType.DATA_AMF0, 0, 1, CommandVectors.ON_METADATA_HEX);
        RtmpMessage amf3 = message(MessageType.DATA_AMF3, 0, 1, CommandVectors.ON_METADATA_AMF3_HEX);
        ch.writeInbound(amf0, amf3);
        assertThat(amf0.refCnt()).isZero();
        assertThat(amf3.refCnt()).isZero();

        List<Object> out = inbound(ch);
        assertThat(out).hasSize(2).allSatisfy(o -> assertThat(o).isInstanceOf(DataMessage.class));
        DataMessage d0 = (DataMessage) out.get(0);
        DataMessage d3 = (DataMessage) out.get(1);
        assertThat(d0.name()).isEqualTo("onMetaData");
        assertThat(d0.value(0)).isInstanceOfSatisfying(AmfObject.class, o -> {
            assertThat(o.isEcmaArray()).isTrue();
            assertThat(o.getNumber("duration", 0)).isEqualTo(10.5);
        });
        assertThat(d3.name()).isEqualTo("onMetaData");
        assertThat(d3.value(0)).isInstanceOfSatisfying(AmfObject.class, o -> {
            assertThat(o.isEcmaArray()).isFalse();
            assertThat(o.getNumber("duration", 0)).isEqualTo(10.5);
        });
        assertThat(d0.value(1)).isNull();
        assertThat(ch.finishAndReleaseAll()).isFalse();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void everyVectorDecodesInTheServerPipeline(Case c) {
        EmbeddedChannel ch = new EmbeddedChannel(new CommandDecoder());
        ch.writeInbound(c.message());
        List<Object> out = inbound(ch);
        assertThat(out).hasSize(1);
        if (c.value() instanceof Command cmd) {
            assertThat(out.get(0)).isInstanceOf(NetCommand.class).isEqualTo(NetCommands.parse(cmd));
        } else {
            assertThat(out.get(0)).isEqualTo(c.value());
            assertThat(describe(out.get(0))).isEqualTo(describe(c.value()));
        }
        assertThat(ch.finishAndReleaseAll()).isFalse();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void wireFormYieldsCommandObjects(Case c) {
        EmbeddedChannel ch = new EmbeddedChannel(CommandDecoder.wireForm());
        RtmpMessage msg = c.message();
        ch.writeInbound(msg);
        assertThat(msg.refCnt()).isZero();
        List<Object> out = inbound(ch);
        assertThat(out).hasSize(1);
        assertThat(out.get(0)).isEqualTo(c.value());
        assertThat(describe(out.get(0))).isEqualTo(describe(c.value()));
        if (c.isCommand()) {
            assertThat(out.get(0)).isInstanceOf(Command.class).isNotInstanceOf(NetCommand.class);
        }
        assertThat(ch.finishAndReleaseAll()).isFalse();
    }

    @ParameterizedTest
    @ValueSource(ints = {MessageType.AUDIO, MessageType.VIDEO, MessageType.AGGREGATE, MessageType.USER_CONTROL})
    void otherMessagesPassThroughWithTheirBufferRetainedOnce(int typeId) {
        for (CommandDecoder decoder : List.of(new CommandDecoder(), CommandDecoder.wireForm())) {
            EmbeddedChannel ch = new EmbeddedChannel(decoder);
            RtmpMessage msg = message(typeId, 1234, 1, "17 01 00 00 00 DE AD BE EF");
            assertThat(ch.writeInbound(msg)).isTrue();

            RtmpMessage out = ch.readInbound();
            try {
                assertThat(out).isSameAs(msg);
                // Exactly the reference we handed in: the decoder's retain() balances its own release().
                assertThat(out.refCnt()).isEqualTo(1);
                assertThat(out.typeId()).isEqualTo(typeId);
                assertThat(out.timestamp()).isEqualTo(1234);
                assertThat(out.streamId()).isEqualTo(1);
                assertThat(ByteBufUtil.hexDump(out.content())).isEqualTo("1701000000deadbeef");
            } finally {
                out.release();
            }
            assertThat(msg.refCnt()).isZero();
            assertThat((Object) ch.readInbound()).isNull();
            assertThat(ch.finishAndReleaseAll()).isFalse();
        }
    }

    @Test
    void mediaInterleavedWithCommandsKeepsItsOrder() {
        EmbeddedChannel ch = new EmbeddedChannel(new CommandDecoder());
        RtmpMessage video = message(MessageType.VIDEO, 0, 1, "17 00 00 00 00");
        RtmpMessage audio = message(MessageType.AUDIO, 0, 1, "AF 00 12 10");
        ch.writeInbound(video,
                message(MessageType.DATA_AMF0, 0, 1, CommandVectors.SAMPLE_ACCESS_HEX),
                audio,
                message(MessageType.COMMAND_AMF0, 0, 0, CommandVectors.CREATE_STREAM_RESULT_HEX));
        List<Object> out = inbound(ch);
        try {
            assertThat(out).hasSize(4);
            assertThat(out.get(0)).isSameAs(video);
            assertThat(out.get(1)).isInstanceOf(DataMessage.class);
            assertThat(out.get(2)).isSameAs(audio);
            assertThat(out.get(3)).isInstanceOf(NetCommand.Result.class);
            assertThat(video.refCnt()).isEqualTo(1);
            assertThat(audio.refCnt()).isEqualTo(1);
        } finally {
            releaseAll(out);
        }
        assertThat(video.refCnt()).isZero();
        assertThat(audio.refCnt()).isZero();
        assertThat(ch.finishAndReleaseAll()).isFalse();
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "20|02 00 07 63 6F 6E 6E",                                        // truncated string
            "20|02 00 04 70 6C 61 79 00 3F F0 00 00 00 00 00 00 12",           // unknown marker
            "20|00 3F F0 00 00 00 00 00 00 00 3F F0 00 00 00 00 00 00",        // no command name
            "20|",                                                            // empty body
            "17|00 02 00 04 70 6C 61 79 00 40 10 00 00 00 00 00 00 11 0A 00",  // AMF3 reference to nothing
            "17|00 02 00 04 70 6C 61 79 00 40 10 00 00 00 00 00 00 11 06 7F",  // AMF3 string past the end
            "18|02 00 0A 6F 6E 4D 65",                                        // truncated data name
            "15|00 02 00 0A 6F 6E 4D 65 74 61 44 61 74 61 11 0A 0B 01 03",     // truncated AMF3 object
    })
    void malformedAmfRaisesAnExceptionCausedByRtmpProtocolException(String spec) {
        for (CommandDecoder decoder : List.of(new CommandDecoder(), CommandDecoder.wireForm())) {
            EmbeddedChannel ch = new EmbeddedChannel(decoder);
            String[] parts = spec.split("\\|", -1);
            RtmpMessage msg = message(Integer.parseInt(parts[0]), 0, 0, parts[1]);

            assertThatThrownBy(() -> ch.writeInbound(msg))
                    .isInstanceOf(DecoderException.class)
                    .satisfies(t -> assertThat(causeChainContains(t, RtmpProtocolException.class))
                            .as("cause chain of %s contains RtmpProtocolException", t).isTrue());
            assertThat(msg.refCnt()).as("the failed message is released").isZero();
            assertThat((Object) ch.readInbound()).isNull();
            assertThat(ch.finishAndReleaseAll()).isFalse();
        }
    }

    @Test
    void decoderKeepsWorkingAfterAMalformedMessage() {
        EmbeddedChannel ch = new EmbeddedChannel(new CommandDecoder());
        assertThatThrownBy(() -> ch.writeInbound(message(MessageType.COMMAND_AMF0, 0, 0, "02 00 07 63 6F")))
                .isInstanceOf(DecoderException.class);
        ch.writeInbound(message(MessageType.COMMAND_AMF0, 0, 0, CommandVectors.CREATE_STREAM_RESULT_HEX));
        assertThat(inbound(ch)).singleElement().isInstanceOf(NetCommand.Result.class);
        assertThat(ch.finishAndReleaseAll()).isFalse();
    }
}
