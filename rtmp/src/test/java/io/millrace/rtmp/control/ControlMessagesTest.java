package io.millrace.rtmp.control;

import io.millrace.rtmp.RtmpProtocolException;
import io.millrace.rtmp.chunk.ChunkVectors;
import io.millrace.rtmp.chunk.ChunkVectors.Msg;
import io.millrace.rtmp.chunk.ChunkVectors.Vector;
import io.millrace.rtmp.message.MessageType;
import io.millrace.rtmp.message.RtmpMessage;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.Unpooled;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.List;

import static io.millrace.rtmp.chunk.ChunkVectors.hex;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ControlMessagesTest {
    private static final ByteBufAllocator ALLOC = PooledByteBufAllocator.DEFAULT;

    static List<Vector> controlVectors() {
        return ChunkVectors.controlVectors();
    }

    private static ControlMessage decode(int type, String payloadHex) {
        RtmpMessage m = new RtmpMessage(type, 0, 0, 2, Unpooled.wrappedBuffer(hex(payloadHex)));
        try {
            return ControlMessages.decode(m);
        } finally {
            m.release();
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("controlVectors")
    void decodesVectorPayload(Vector v) {
        RtmpMessage m = v.messages().get(0).toRtmpMessage();
        try {
            assertThat(ControlMessages.decode(m)).isEqualTo(v.control());
            assertThat(m.content().readerIndex()).as("borrowed: reader index untouched").isZero();
            assertThat(m.refCnt()).as("borrowed: not released").isEqualTo(1);
        } finally {
            m.release();
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("controlVectors")
    void toMessageProducesVectorPayload(Vector v) {
        Msg expected = v.messages().get(0);
        RtmpMessage m = v.control().toMessage(ALLOC);
        try {
            assertThat(m.typeId()).isEqualTo(expected.typeId());
            assertThat(m.timestamp()).isZero();
            assertThat(m.streamId()).isZero();
            assertThat(m.chunkStreamId()).isEqualTo(2);
            assertThat(ByteBufUtil.hexDump(m.content())).isEqualTo(ByteBufUtil.hexDump(expected.payload()));
            assertThat(v.control().payloadLength()).isEqualTo(expected.payload().length);
        } finally {
            m.release();
        }
    }

    @Test
    void setChunkSizeBounds() {
        assertThat(decode(1, "7F FF FF FF")).isEqualTo(new SetChunkSize(0x7FFFFFFF));
        assertThat(decode(1, "00 00 00 01")).isEqualTo(new SetChunkSize(1));
        assertThatThrownBy(() -> decode(1, "00 00 00 00")).isInstanceOf(RtmpProtocolException.class);
        assertThatThrownBy(() -> decode(1, "80 00 00 00")).isInstanceOf(RtmpProtocolException.class);
        assertThatThrownBy(() -> decode(1, "80 00 10 00")).isInstanceOf(RtmpProtocolException.class);
        assertThatThrownBy(() -> decode(1, "FF FF FF FF")).isInstanceOf(RtmpProtocolException.class);
        assertThatThrownBy(() -> new SetChunkSize(0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new SetChunkSize(-1)).isInstanceOf(IllegalArgumentException.class);
    }

    @ParameterizedTest(name = "type {0} with payload [{1}]")
    @CsvSource({
        "1, ''", "1, 00 00 10", "1, 00 00 10 00 00",
        "2, 00 00 04", "2, 00 00 00 04 00",
        "3, 00 00 10", "3, 00 00 10 00 00",
        "5, 00 26 25", "5, 00 26 25 A0 00",
        "6, 00 26 25 A0", "6, 00 26 25 A0 02 00",
        "4, ''", "4, 00",
        "4, 00 00 00 00 00", "4, 00 00 00 00 00 01 00",
        "4, 00 01 00 00 00", "4, 00 02 00 00 00 01 02",
        "4, 00 03 00 00 00 01", "4, 00 03 00 00 00 01 00 00 0B B8 00",
        "4, 00 04 00 00", "4, 00 06 00 BC 61", "4, 00 07 00 BC 61 4E 00",
        "4, 00 1A", "4, 00 1A 01 00",
        "4, 00 1F 00 00 00", "4, 00 20 00 00 00 01 01",
    })
    void wrongPayloadLengthIsAProtocolError(int type, String payload) {
        assertThatThrownBy(() -> decode(type, payload)).isInstanceOf(RtmpProtocolException.class);
    }

    @Test
    void unknownLimitTypeIsAProtocolError() {
        assertThatThrownBy(() -> decode(6, "00 26 25 A0 03")).isInstanceOf(RtmpProtocolException.class);
        assertThat(LimitType.fromValue(0)).isEqualTo(LimitType.HARD);
        assertThat(LimitType.fromValue(1)).isEqualTo(LimitType.SOFT);
        assertThat(LimitType.fromValue(2)).isEqualTo(LimitType.DYNAMIC);
    }

    @Test
    void unsignedFieldsDecodeAsUnsigned() {
        assertThat(decode(5, "FF FF FF FF")).isEqualTo(new WindowAckSize(0xFFFFFFFFL));
        assertThat(decode(4, "00 06 FF FF FF FE")).isEqualTo(new PingRequest(0xFFFFFFFEL));
        assertThat(decode(4, "00 03 00 00 00 01 80 00 00 00")).isEqualTo(new SetBufferLength(1, 0x80000000L));
        assertThat(decode(6, "F0 00 00 00 01")).isEqualTo(new SetPeerBandwidth(0xF0000000L, LimitType.SOFT));
    }

    @Test
    void unknownEventsAndOtherSwfRequestTypesAreKeptRaw() {
        assertThat(decode(4, "00 05")).isEqualTo(new UnknownUserControl(5, new byte[0]));
        assertThat(decode(4, "12 34 01 02 03")).isEqualTo(new UnknownUserControl(0x1234, hex("01 02 03")));
        assertThat(decode(4, "00 1A 02")).isEqualTo(new UnknownUserControl(0x1A, hex("02")));
    }

    /** A SWF verification response of the wrong length is left for the server to refuse as a failed verification. */
    @Test
    void swfResponsesOfTheWrongLengthAreKeptRaw() {
        assertThat(decode(4, "00 1B")).isEqualTo(new UnknownUserControl(0x1B, new byte[0]));
        assertThat(decode(4, "00 1B 01 01 02")).isEqualTo(new UnknownUserControl(0x1B, hex("01 01 02")));
        byte[] fortyThree = new byte[2 + 43];
        fortyThree[1] = 0x1B;
        RtmpMessage m = new RtmpMessage(4, 0, 0, 2, Unpooled.wrappedBuffer(fortyThree));
        try {
            assertThat(ControlMessages.decode(m)).isEqualTo(new UnknownUserControl(0x1B, new byte[43]));
        } finally {
            m.release();
        }
        byte[] fortyTwo = new byte[2 + 42];
        fortyTwo[1] = 0x1B;
        fortyTwo[2] = 1;
        m = new RtmpMessage(4, 0, 0, 2, Unpooled.wrappedBuffer(fortyTwo));
        try {
            assertThat(ControlMessages.decode(m)).isInstanceOf(SwfVerifyResponse.class);
        } finally {
            m.release();
        }
    }

    @Test
    void nonControlMessagesAreRefused() {
        assertThat(ControlMessages.isControl(MessageType.USER_CONTROL)).isTrue();
        assertThat(ControlMessages.isControl(MessageType.SET_PEER_BANDWIDTH)).isTrue();
        assertThat(ControlMessages.isControl(7)).isFalse();
        assertThat(ControlMessages.isControl(MessageType.COMMAND_AMF0)).isFalse();
        assertThatThrownBy(() -> decode(MessageType.COMMAND_AMF0, "02 00 00")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void decodeReadsFromTheReaderIndex() {
        RtmpMessage m = new RtmpMessage(4, 0, 0, 2, Unpooled.wrappedBuffer(hex("EE EE 00 06 00 BC 61 4E")));
        m.content().readerIndex(2);
        try {
            assertThat(ControlMessages.decode(m)).isEqualTo(new PingRequest(12_345_678));
            assertThat(m.content().readerIndex()).isEqualTo(2);
        } finally {
            m.release();
        }
    }

    @Test
    void recordsValidateTheirFields() {
        assertThatThrownBy(() -> new Acknowledgement(-1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new Acknowledgement(0x1_0000_0000L)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new WindowAckSize(0x1_0000_0000L)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new SetPeerBandwidth(1, null)).isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> new SetBufferLength(1, -1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new PingRequest(0x1_0000_0000L)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new PingResponse(-1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new SwfVerifyResponse(new byte[41])).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new SwfVerifyResponse(null)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new UnknownUserControl(0x10000, new byte[0])).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new UnknownUserControl(5, null)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void byteArrayRecordsAreImmutableValues() {
        byte[] data = new byte[42];
        data[0] = 1;
        SwfVerifyResponse r = new SwfVerifyResponse(data);
        data[0] = 2;
        assertThat(r.data()[0]).isEqualTo((byte) 1);
        r.data()[0] = 3;
        assertThat(r.data()[0]).isEqualTo((byte) 1);
        byte[] same = new byte[42];
        same[0] = 1;
        assertThat(r).isEqualTo(new SwfVerifyResponse(same)).hasSameHashCodeAs(new SwfVerifyResponse(same));
        assertThat(r.toString()).contains("0100");

        UnknownUserControl u = new UnknownUserControl(9, hex("AA BB"));
        assertThat(u).isEqualTo(new UnknownUserControl(9, hex("AA BB"))).isNotEqualTo(new UnknownUserControl(8, hex("AA BB")));
        assertThat(u.toString()).contains("aabb");
    }

    @Test
    void userControlEventTypes() {
        assertThat(new StreamBegin(1).eventType()).isEqualTo(0);
        assertThat(new StreamEof(1).eventType()).isEqualTo(1);
        assertThat(new StreamDry(1).eventType()).isEqualTo(2);
        assertThat(new SetBufferLength(1, 1).eventType()).isEqualTo(3);
        assertThat(new StreamIsRecorded(1).eventType()).isEqualTo(4);
        assertThat(new PingRequest(1).eventType()).isEqualTo(6);
        assertThat(new PingResponse(1).eventType()).isEqualTo(7);
        assertThat(new SwfVerifyRequest().eventType()).isEqualTo(26);
        assertThat(new SwfVerifyResponse(new byte[42]).eventType()).isEqualTo(27);
        assertThat(new BufferEmpty(1).eventType()).isEqualTo(31);
        assertThat(new BufferReady(1).eventType()).isEqualTo(32);
        assertThat(new StreamBegin(1).typeId()).isEqualTo(MessageType.USER_CONTROL);
    }
}
