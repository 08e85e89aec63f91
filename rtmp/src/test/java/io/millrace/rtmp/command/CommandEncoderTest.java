package io.millrace.rtmp.command;

import io.millrace.amf.AmfEncoding;
import io.millrace.amf.AmfException;
import io.millrace.amf.AmfObject;
import io.millrace.rtmp.command.CommandVectors.Case;
import io.millrace.rtmp.message.MessageType;
import io.millrace.rtmp.message.RtmpMessage;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.EncoderException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.List;

import static io.millrace.rtmp.command.CommandVectors.compact;
import static io.millrace.rtmp.command.CommandVectors.message;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** {@link CommandEncoder} in an {@link EmbeddedChannel}: commands and data out, RTMP messages on the wire side. */
class CommandEncoderTest {

    /** Commands the encoder must write byte-exact in the encoding of their vector. */
    static List<Case> commandCases() {
        return CommandVectors.encodableCases().filter(Case::isCommand).toList();
    }

    /** AMF0 data vectors: what the encoder writes for data whatever its encoding. */
    static List<Case> amf0DataCases() {
        return CommandVectors.encodableCases()
                .filter(c -> !c.isCommand() && c.typeId() == MessageType.DATA_AMF0).toList();
    }

    private static EmbeddedChannel channel(CommandEncoder encoder) {
        return new EmbeddedChannel(encoder);
    }

    /** Reads the one outbound message, checks it against the vector and releases it. */
    private static void assertWritten(EmbeddedChannel ch, int typeId, String hex, int streamId, long timestamp) {
        RtmpMessage out = ch.readOutbound();
        assertThat(out).isNotNull();
        try {
            assertThat(out.typeId()).isEqualTo(typeId);
            assertThat(ByteBufUtil.hexDump(out.content())).isEqualTo(compact(hex));
            assertThat(out.streamId()).isEqualTo(streamId);
            assertThat(out.timestamp()).isEqualTo(timestamp);
            assertThat(out.chunkStreamId()).isZero();
        } finally {
            out.release();
        }
        assertThat((Object) ch.readOutbound()).isNull();
    }

    @Test
    void startsInAmf0() {
        assertThat(new CommandEncoder().encoding()).isEqualTo(AmfEncoding.AMF0);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("commandCases")
    void writesCommandsByteExact(Case c) {
        CommandEncoder encoder = new CommandEncoder();
        if (c.isAmf3()) {
            encoder.setEncoding(AmfEncoding.AMF3);
        }
        EmbeddedChannel ch = channel(encoder);
        assertThat(ch.writeOutbound(c.value())).isTrue();
        assertWritten(ch, c.typeId(), c.hex(), c.streamId(), c.timestamp());
        assertThat(ch.finishAndReleaseAll()).isFalse();
    }

    @Test
    void amf3EncodingWritesTheType17Envelope() {
        CommandEncoder encoder = new CommandEncoder();
        encoder.setEncoding(AmfEncoding.AMF3);
        assertThat(encoder.encoding()).isEqualTo(AmfEncoding.AMF3);
        EmbeddedChannel ch = channel(encoder);
        ch.writeOutbound(Command.of("play", 4, null, "live1", -2000, -1000, true).onStream(1));
        assertWritten(ch, MessageType.COMMAND_AMF3, CommandVectors.ENCODER_PLAY_AMF3_HEX, 1, 0);
        assertThat(ch.finishAndReleaseAll()).isFalse();
    }

    @Test
    void encodingCanChangeBetweenMessages() {
        CommandEncoder encoder = new CommandEncoder();
        EmbeddedChannel ch = channel(encoder);
        Command onStatus = Command.of("onStatus", 0, null, CommandVectors.playStartInfo()).onStream(1);

        ch.writeOutbound(onStatus);
        assertWritten(ch, MessageType.COMMAND_AMF0, CommandVectors.ON_STATUS_PLAY_START_HEX, 1, 0);
        encoder.setEncoding(AmfEncoding.AMF3);
        ch.writeOutbound(onStatus);
        assertWritten(ch, MessageType.COMMAND_AMF3, CommandVectors.ON_STATUS_PLAY_START_AMF3_HEX, 1, 0);
        encoder.setEncoding(AmfEncoding.AMF0);
        ch.writeOutbound(onStatus);
        assertWritten(ch, MessageType.COMMAND_AMF0, CommandVectors.ON_STATUS_PLAY_START_HEX, 1, 0);
        assertThat(ch.finishAndReleaseAll()).isFalse();
    }

    /** Documented choice: data goes out as AMF0 type 18 for AMF0 and AMF3 clients alike, as FMS does. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("amf0DataCases")
    void dataMessagesAreAlwaysAmf0Type18(Case c) {
        for (AmfEncoding encoding : AmfEncoding.values()) {
            CommandEncoder encoder = new CommandEncoder();
            encoder.setEncoding(encoding);
            EmbeddedChannel ch = channel(encoder);
            ch.writeOutbound(c.value());
            assertWritten(ch, MessageType.DATA_AMF0, c.hex(), c.streamId(), c.timestamp());
            assertThat(ch.finishAndReleaseAll()).isFalse();
        }
    }

    @Test
    void amf3DataIsWrittenAsAmf0() {
        // The type-15 vector's value, sent through an AMF3 encoder, still becomes AMF0 type 18.
        CommandEncoder encoder = new CommandEncoder();
        encoder.setEncoding(AmfEncoding.AMF3);
        EmbeddedChannel ch = channel(encoder);
        ch.writeOutbound(DataMessage.of("onMetaData", 1, 0, AmfObject.of("duration", 10.5)));
        assertWritten(ch, MessageType.DATA_AMF0, """
                02 00 0A 6F 6E 4D 65 74 61 44 61 74 61
                03 00 08 64 75 72 61 74 69 6F 6E 00 40 25 00 00 00 00 00 00 00 00 09
                """, 1, 0);
        assertThat(ch.finishAndReleaseAll()).isFalse();
    }

    @ParameterizedTest
    @EnumSource(AmfEncoding.class)
    void otherOutboundMessagesPassThroughUntouched(AmfEncoding encoding) {
        CommandEncoder encoder = new CommandEncoder();
        encoder.setEncoding(encoding);
        EmbeddedChannel ch = channel(encoder);
        RtmpMessage video = message(MessageType.VIDEO, 40, 1, "17 01 00 00 00 AA");
        ch.writeOutbound(video);
        RtmpMessage out = ch.readOutbound();
        try {
            assertThat(out).isSameAs(video);
            assertThat(out.refCnt()).isEqualTo(1);
        } finally {
            out.release();
        }
        assertThat(ch.finishAndReleaseAll()).isFalse();
    }

    @Test
    void acceptsOnlyCommandsAndDataMessages() {
        CommandEncoder encoder = new CommandEncoder();
        assertThat(encoder.acceptOutboundMessage(Command.of("x", 0, null))).isTrue();
        assertThat(encoder.acceptOutboundMessage(DataMessage.of("x", 0, 0))).isTrue();
        assertThat(encoder.acceptOutboundMessage("x")).isFalse();
        assertThat(encoder.acceptOutboundMessage(new NetCommand.CreateStream(1))).isFalse();
    }

    @Test
    void unencodableValueFailsTheWriteWithoutLeaking() {
        EmbeddedChannel ch = channel(new CommandEncoder());
        assertThatThrownBy(() -> ch.writeOutbound(Command.of("call", 1, null, new Object())))
                .isInstanceOf(EncoderException.class)
                .hasRootCauseInstanceOf(AmfException.class);
        assertThat((Object) ch.readOutbound()).isNull();
        assertThat(ch.finishAndReleaseAll()).isFalse();
    }

    @Test
    void encodedCommandsDecodeBackInBothEncodings() {
        Command call = Command.of("myMethod", 5, null, "text", 1.5, false, List.of("a", 2.0),
                AmfObject.of("k", "v")).onStream(3);
        for (AmfEncoding encoding : AmfEncoding.values()) {
            CommandEncoder encoder = new CommandEncoder();
            encoder.setEncoding(encoding);
            EmbeddedChannel out = channel(encoder);
            out.writeOutbound(call);
            RtmpMessage wire = out.readOutbound();
            EmbeddedChannel in = new EmbeddedChannel(CommandDecoder.wireForm());
            in.writeInbound(wire); // the decoder releases it
            Command back = in.readInbound();
            assertThat(back).isEqualTo(call);
            assertThat(out.finishAndReleaseAll()).isFalse();
            assertThat(in.finishAndReleaseAll()).isFalse();
        }
    }
}
