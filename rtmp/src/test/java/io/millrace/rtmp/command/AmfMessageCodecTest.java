package io.millrace.rtmp.command;

import io.millrace.amf.AmfEncoding;
import io.millrace.amf.AmfException;
import io.millrace.amf.AmfObject;
import io.millrace.rtmp.RtmpProtocolException;
import io.millrace.rtmp.command.CommandVectors.Case;
import io.millrace.rtmp.message.MessageType;
import io.millrace.rtmp.message.RtmpMessage;
import io.netty.buffer.AbstractByteBufAllocator;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.PooledByteBufAllocator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.ArrayList;
import java.util.List;

import static io.millrace.rtmp.command.CommandVectors.compact;
import static io.millrace.rtmp.command.CommandVectors.describe;
import static io.millrace.rtmp.command.CommandVectors.message;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.entry;

/** {@link AmfMessageCodec} against the shared vector table, without a channel. */
class AmfMessageCodecTest {

    static List<Case> cases() {
        return CommandVectors.cases();
    }

    static List<Case> encodableCases() {
        return CommandVectors.encodableCases().toList();
    }

    private static Object decode(RtmpMessage msg) {
        return AmfMessageCodec.isCommand(msg.typeId()) ? AmfMessageCodec.decodeCommand(msg) : AmfMessageCodec.decodeData(msg);
    }

    private static RtmpMessage encode(Object value, AmfEncoding encoding) {
        ByteBufAllocator alloc = PooledByteBufAllocator.DEFAULT;
        return value instanceof Command c ? AmfMessageCodec.encode(c, encoding, alloc)
                : AmfMessageCodec.encode((DataMessage) value, encoding, alloc);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void decodesEveryVector(Case c) {
        RtmpMessage msg = c.message();
        try {
            Object decoded = decode(msg);
            assertThat(decoded).isEqualTo(c.value());
            assertThat(describe(decoded)).isEqualTo(describe(c.value()));
            // Decoding borrows the message: nothing consumed, nothing released.
            assertThat(msg.refCnt()).isEqualTo(1);
            assertThat(msg.content().readerIndex()).isZero();
        } finally {
            msg.release();
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("encodableCases")
    void encodesEveryVectorByteExact(Case c) {
        RtmpMessage msg = encode(c.value(), c.isAmf3() ? AmfEncoding.AMF3 : AmfEncoding.AMF0);
        try {
            assertThat(ByteBufUtil.hexDump(msg.content())).isEqualTo(compact(c.hex()));
            assertThat(msg.typeId()).isEqualTo(c.typeId());
            assertThat(msg.streamId()).isEqualTo(c.streamId());
            assertThat(msg.timestamp()).isEqualTo(c.timestamp());
            assertThat(msg.chunkStreamId()).as("0 = let the chunk encoder choose").isZero();
        } finally {
            msg.release();
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void decodedVectorsReencodeToTheirCanonicalForm(Case c) {
        // Every decoded value (DECODE_ONLY ones included) must survive a round trip through the encoder.
        RtmpMessage in = c.message();
        Object decoded;
        try {
            decoded = decode(in);
        } finally {
            in.release();
        }
        RtmpMessage out = encode(decoded, c.isAmf3() ? AmfEncoding.AMF3 : AmfEncoding.AMF0);
        try {
            assertThat(describe(decode(out))).isEqualTo(describe(c.value()));
        } finally {
            out.release();
        }
    }

    @Test
    void connectVectorDecodesToItsProperties() {
        RtmpMessage msg = message(MessageType.COMMAND_AMF0, 0, 0, CommandVectors.CONNECT_HEX);
        try {
            Command c = AmfMessageCodec.decodeCommand(msg);
            assertThat(c.name()).isEqualTo("connect");
            assertThat(c.transactionId()).isEqualTo(1.0);
            assertThat(c.commandObject()).isInstanceOf(AmfObject.class);
            AmfObject o = (AmfObject) c.commandObject();
            assertThat(o).containsExactly(
                    entry("app", "live"),
                    entry("tcUrl", "rtmp://h/live"),
                    entry("objectEncoding", 0.0));
            assertThat(c.arguments()).isEmpty();
        } finally {
            msg.release();
        }
    }

    @Test
    void flashPlayerAmf3ValuesKeepTheirAmf3Types() {
        RtmpMessage msg = message(MessageType.COMMAND_AMF3, 0, 1, CommandVectors.FLASH_PLAY_AMF3_HEX);
        try {
            Command c = AmfMessageCodec.decodeCommand(msg);
            assertThat(c.commandObject()).isNull();
            assertThat(c.arguments()).containsExactly("live1", -2000, -1000, true);
            assertThat(c.arg(1)).isInstanceOf(Integer.class);
            assertThat(c.arg(4)).as("absent argument").isNull();
        } finally {
            msg.release();
        }
    }

    @Test
    void commandWithOnlyNameAndTransactionIdHasNoObjectAndNoArguments() {
        RtmpMessage msg = message(MessageType.COMMAND_AMF0, 0, 0, """
                02 00 0C 63 72 65 61 74 65 53 74 72 65 61 6D     "createStream"
                00 40 00 00 00 00 00 00 00                        2.0
                """);
        try {
            Command c = AmfMessageCodec.decodeCommand(msg);
            assertThat(c).isEqualTo(new Command("createStream", 2, null, List.of(), 0, 0));
        } finally {
            msg.release();
        }
    }

    @Test
    void transactionIdMayBeAnAmf3Integer() {
        RtmpMessage msg = message(MessageType.COMMAND_AMF3, 0, 0, """
                00 02 00 04 63 61 6C 6C     "call"
                11 04 07                   AMF3 integer 7
                05
                """);
        try {
            assertThat(AmfMessageCodec.decodeCommand(msg).transactionId()).isEqualTo(7.0);
        } finally {
            msg.release();
        }
    }

    @Test
    void messageStreamIdAndTimestampComeFromTheMessage() {
        RtmpMessage msg = message(MessageType.COMMAND_AMF0, 0xFFFF_FFF0L, 7, CommandVectors.CREATE_STREAM_RESULT_HEX);
        try {
            Command c = AmfMessageCodec.decodeCommand(msg);
            assertThat(c.streamId()).isEqualTo(7);
            assertThat(c.timestamp()).isEqualTo(0xFFFF_FFF0L);
        } finally {
            msg.release();
        }
    }

    @Test
    void typeAndEnvelopePredicates() {
        assertThat(AmfMessageCodec.isCommand(MessageType.COMMAND_AMF0)).isTrue();
        assertThat(AmfMessageCodec.isCommand(MessageType.COMMAND_AMF3)).isTrue();
        assertThat(AmfMessageCodec.isCommand(MessageType.DATA_AMF0)).isFalse();
        assertThat(AmfMessageCodec.isCommand(MessageType.SHARED_OBJECT_AMF0)).isFalse();
        assertThat(AmfMessageCodec.isData(MessageType.DATA_AMF0)).isTrue();
        assertThat(AmfMessageCodec.isData(MessageType.DATA_AMF3)).isTrue();
        assertThat(AmfMessageCodec.isData(MessageType.COMMAND_AMF0)).isFalse();
        assertThat(AmfMessageCodec.isData(MessageType.AUDIO)).isFalse();
    }

    /** Bodies that are valid AMF but not a command, or not AMF at all. */
    @ParameterizedTest
    @ValueSource(strings = {
            "",                                             // empty
            "02 00 04 70 6C 61 79",                         // name without transaction id
            "00 3F F0 00 00 00 00 00 00 00 3F F0 00 00 00 00 00 00",   // number where the name belongs
            "05 00 3F F0 00 00 00 00 00 00",                // null where the name belongs
            "02 00 04 70 6C 61 79 02 00 01 31",             // string where the transaction id belongs
            "02 00 07 63 6F 6E 6E",                         // truncated string
            "02 00 04 70 6C 61 79 00 3F F0 00",             // truncated number
            "02 00 04 70 6C 61 79 00 3F F0 00 00 00 00 00 00 12",      // unknown AMF0 marker
            "02 00 04 70 6C 61 79 00 3F F0 00 00 00 00 00 00 03 00 01 61 05 00 00 07",  // object end not 09
            "02 00 04 70 6C 61 79 00 3F F0 00 00 00 00 00 00 07 00 05",   // reference outside the table
    })
    void malformedAmf0CommandsRaiseRtmpProtocolException(String hex) {
        RtmpMessage msg = message(MessageType.COMMAND_AMF0, 0, 0, hex);
        try {
            assertThatThrownBy(() -> AmfMessageCodec.decodeCommand(msg)).isInstanceOf(RtmpProtocolException.class);
            assertThat(msg.refCnt()).isEqualTo(1);
        } finally {
            msg.release();
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "00",                                            // format byte only
            "00 02 00 04 70 6C 61 79 00 40 10 00 00 00 00 00 00 11 0A 00",   // AMF3 object reference 0, empty table
            "00 02 00 04 70 6C 61 79 00 40 10 00 00 00 00 00 00 11 06 0B 6C 69",   // truncated AMF3 string
            "00 02 00 04 70 6C 61 79 00 40 10 00 00 00 00 00 00 11 12",      // unknown AMF3 marker
            "00 02 00 04 70 6C 61 79 00 40 10 00 00 00 00 00 00 11",         // AVM+ marker with nothing after it
    })
    void malformedAmf3CommandsRaiseRtmpProtocolException(String hex) {
        RtmpMessage msg = message(MessageType.COMMAND_AMF3, 0, 0, hex);
        try {
            assertThatThrownBy(() -> AmfMessageCodec.decodeCommand(msg)).isInstanceOf(RtmpProtocolException.class);
        } finally {
            msg.release();
        }
    }

    @Test
    void malformedAmfKeepsTheAmfExceptionAsCause() {
        RtmpMessage msg = message(MessageType.COMMAND_AMF0, 0, 0, "02 00 07 63 6F 6E 6E");
        try {
            assertThatThrownBy(() -> AmfMessageCodec.decodeCommand(msg))
                    .isInstanceOf(RtmpProtocolException.class)
                    .hasCauseInstanceOf(AmfException.class)
                    .hasMessageContaining("CommandAmf0");
        } finally {
            msg.release();
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "00 3F F0 00 00 00 00 00 00", "02 00 0A 6F 6E 4D 65"})
    void malformedDataMessagesRaiseRtmpProtocolException(String hex) {
        RtmpMessage msg = message(MessageType.DATA_AMF0, 0, 1, hex);
        try {
            assertThatThrownBy(() -> AmfMessageCodec.decodeData(msg)).isInstanceOf(RtmpProtocolException.class);
        } finally {
            msg.release();
        }
    }

    @Test
    void dataMessageWithOnlyAName() {
        RtmpMessage msg = message(MessageType.DATA_AMF0, 5, 1, "02 00 02 6F 6E");
        try {
            assertThat(AmfMessageCodec.decodeData(msg)).isEqualTo(new DataMessage("on", List.of(), 1, 5));
        } finally {
            msg.release();
        }
    }

    @Test
    void readAllBorrowsTheBuffer() {
        ByteBuf body = CommandVectors.buffer(CommandVectors.CREATE_STREAM_RESULT_HEX);
        try {
            List<Object> values = AmfMessageCodec.readAll(body);
            assertThat(values).containsExactly("_result", 2.0, null, 1.0);
            assertThat(body.readerIndex()).isZero();
            assertThat(body.refCnt()).isEqualTo(1);
            values.add("mutable copy");
        } finally {
            body.release();
        }
    }

    @Test
    void encodingAnUnsupportedValueReleasesTheBody() {
        RecordingAllocator alloc = new RecordingAllocator();
        Command bad = Command.of("call", 1, null, new Object());
        assertThatThrownBy(() -> AmfMessageCodec.encode(bad, AmfEncoding.AMF0, alloc)).isInstanceOf(AmfException.class);
        assertThatThrownBy(() -> AmfMessageCodec.encode(bad, AmfEncoding.AMF3, alloc)).isInstanceOf(AmfException.class);
        DataMessage badData = DataMessage.of("onX", 1, 0, new Object());
        assertThatThrownBy(() -> AmfMessageCodec.encode(badData, AmfEncoding.AMF0, alloc)).isInstanceOf(AmfException.class);
        assertThatThrownBy(() -> AmfMessageCodec.encode(badData, AmfEncoding.AMF3, alloc)).isInstanceOf(AmfException.class);
        assertThat(alloc.allocated).hasSize(4).allSatisfy(b -> assertThat(b.refCnt()).isZero());
    }

    @Test
    void largeCommandsGrowTheBody() {
        String big = "x".repeat(70_000); // longer than 65535 bytes: AMF0 long string (0C)
        RtmpMessage msg = AmfMessageCodec.encode(Command.of("call", 1, null, big), AmfEncoding.AMF0,
                PooledByteBufAllocator.DEFAULT);
        try {
            ByteBuf body = msg.content();
            int argAt = 7 + 9 + 1; // "call" string (02 00 04 + 4 bytes), number, null
            assertThat((int) body.getUnsignedByte(argAt)).isEqualTo(0x0C);
            assertThat(body.getInt(argAt + 1)).isEqualTo(70_000);
            assertThat(AmfMessageCodec.decodeCommand(msg).arg(0)).isEqualTo(big);
        } finally {
            msg.release();
        }
    }

    /** Hands out pooled heap buffers and remembers them, so a test can check they were released. */
    private static final class RecordingAllocator extends AbstractByteBufAllocator {
        final List<ByteBuf> allocated = new ArrayList<>();

        @Override
        protected ByteBuf newHeapBuffer(int initialCapacity, int maxCapacity) {
            ByteBuf b = PooledByteBufAllocator.DEFAULT.heapBuffer(initialCapacity, maxCapacity);
            allocated.add(b);
            return b;
        }

        @Override
        protected ByteBuf newDirectBuffer(int initialCapacity, int maxCapacity) {
            ByteBuf b = PooledByteBufAllocator.DEFAULT.directBuffer(initialCapacity, maxCapacity);
            allocated.add(b);
            return b;
        }

        @Override
        public boolean isDirectBufferPooled() {
            return true;
        }
    }
}
