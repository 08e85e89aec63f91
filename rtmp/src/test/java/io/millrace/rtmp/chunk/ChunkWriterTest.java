package io.millrace.rtmp.chunk;

import io.millrace.rtmp.chunk.ChunkVectors.Msg;
import io.millrace.rtmp.chunk.ChunkVectors.Vector;
import io.millrace.rtmp.message.ChunkStreams;
import io.millrace.rtmp.message.MessageType;
import io.millrace.rtmp.message.RtmpMessage;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.Unpooled;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static io.millrace.rtmp.chunk.ChunkVectors.hex;
import static io.millrace.rtmp.chunk.ChunkVectors.pattern;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ChunkWriterTest {

    static List<Vector> vectors() {
        return ChunkVectors.encodable();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("vectors")
    void encodesVector(Vector v) {
        ChunkWriter w = new ChunkWriter();
        w.setChunkSize(v.chunkSize());
        ByteBuf out = Unpooled.buffer();
        try {
            for (Msg m : v.messages()) {
                RtmpMessage msg = m.toRtmpMessage();
                try {
                    int before = out.writerIndex();
                    w.write(msg, out);
                    assertThat(out.writerIndex() - before).as("maxEncodedSize is an upper bound")
                            .isLessThanOrEqualTo(w.maxEncodedSize(m.payload().length));
                    assertThat(msg.content().readerIndex()).as("payload reader index untouched").isZero();
                    assertThat(msg.refCnt()).as("message borrowed, not released").isEqualTo(1);
                } finally {
                    msg.release();
                }
            }
            assertThat(ByteBufUtil.hexDump(out)).isEqualTo(ByteBufUtil.hexDump(v.bytes()));
        } finally {
            out.release();
        }
    }

    @Test
    void csidZeroIsChosenByTypeAndStream() {
        ChunkWriter w = new ChunkWriter();
        ByteBuf out = Unpooled.buffer();
        try {
            int[][] cases = {
                {MessageType.AUDIO, 1, ChunkStreams.AUDIO},
                {MessageType.VIDEO, 1, ChunkStreams.VIDEO},
                {MessageType.COMMAND_AMF0, 0, ChunkStreams.COMMAND},
                {MessageType.COMMAND_AMF0, 1, ChunkStreams.STREAM_COMMAND},
                {MessageType.USER_CONTROL, 0, ChunkStreams.CONTROL},
            };
            for (int[] c : cases) {
                out.clear();
                RtmpMessage m = new RtmpMessage(c[0], 0, c[1], Unpooled.wrappedBuffer(new byte[] {1}));
                w.write(m, out);
                m.release();
                assertThat(out.getByte(0) & 0x3F).as("csid for type %d msid %d", c[0], c[1]).isEqualTo(c[2]);
            }
        } finally {
            out.release();
        }
    }

    @Test
    void rejectsBadCsidAndOversizedMessages() {
        ChunkWriter w = new ChunkWriter();
        ByteBuf out = Unpooled.buffer();
        RtmpMessage badCsid = new RtmpMessage(8, 0, 1, 65600, Unpooled.wrappedBuffer(new byte[1]));
        RtmpMessage tooLong = new RtmpMessage(8, 0, 1, 6, Unpooled.buffer(0x1000000).writerIndex(0x1000000));
        try {
            assertThatThrownBy(() -> w.write(badCsid, out)).isInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(() -> w.write(tooLong, out)).isInstanceOf(IllegalArgumentException.class);
            assertThat(out.writerIndex()).isZero();
        } finally {
            badCsid.release();
            tooLong.release();
            out.release();
        }
    }

    @Test
    void doesNotMoveThePayloadReaderIndexWhenItIsNotZero() {
        ChunkWriter w = new ChunkWriter();
        ByteBuf payload = Unpooled.buffer().writeBytes(hex("FF FF 01 02 03"));
        payload.readerIndex(2);
        RtmpMessage m = new RtmpMessage(20, 0, 0, 3, payload);
        ByteBuf out = Unpooled.buffer();
        try {
            w.write(m, out);
            assertThat(ByteBufUtil.hexDump(out)).isEqualTo("030000000000031400000000010203");
            assertThat(payload.readerIndex()).isEqualTo(2);
        } finally {
            m.release();
            out.release();
        }
    }

    @Test
    void chunkSizeBounds() {
        ChunkWriter w = new ChunkWriter();
        assertThat(w.chunkSize()).isEqualTo(128);
        w.setChunkSize(0x7FFFFFFF);
        assertThat(w.chunkSize()).isEqualTo(0x7FFFFFFF);
        assertThatThrownBy(() -> w.setChunkSize(0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> w.setChunkSize(-1)).isInstanceOf(IllegalArgumentException.class);
    }

    /** Random messages through writer and reader with random chunk sizes and split points. */
    @Test
    void roundTripsRandomMessages() {
        Random random = new Random(7);
        for (int round = 0; round < 50; round++) {
            ChunkWriter w = new ChunkWriter();
            ChunkReader r = new ChunkReader(PooledByteBufAllocator.DEFAULT, 1 << 20, 64);
            int chunkSize = new int[] {1, 2, 50, 128, 4096, 60000, 0x7FFFFFFF}[random.nextInt(7)];
            w.setChunkSize(chunkSize);
            r.setChunkSize(chunkSize);
            List<Msg> sent = new ArrayList<>();
            long[] ts = new long[8];
            ByteBuf wire = Unpooled.buffer();
            for (int i = 0; i < 40; i++) {
                int csid = 2 + random.nextInt(8) * (random.nextBoolean() ? 1 : 9000);
                int slot = Math.floorMod(csid, 8);
                int jump = random.nextInt(10);
                ts[slot] = switch (jump) {
                    case 0 -> ts[slot] - random.nextInt(1000);                 // backwards
                    case 1 -> ts[slot] + 0x00FFFFFF + random.nextInt(3);        // extended delta
                    case 2 -> 0xFFFFFFFFL - random.nextInt(100);                // near wrap
                    default -> ts[slot] + (random.nextBoolean() ? 0 : random.nextInt(100));
                } & 0xFFFFFFFFL;
                int length = random.nextInt(5) == 0 ? random.nextInt(20000) : random.nextInt(300);
                Msg m = new Msg(8 + random.nextInt(2), ts[slot], random.nextInt(3), csid, pattern(length, i));
                sent.add(m);
                RtmpMessage msg = m.toRtmpMessage();
                w.write(msg, wire);
                msg.release();
            }
            ByteBuf in = Unpooled.buffer();
            List<RtmpMessage> got = new ArrayList<>();
            try {
                while (wire.isReadable()) {
                    in.writeBytes(wire, Math.min(wire.readableBytes(), 1 + random.nextInt(700)));
                    RtmpMessage m;
                    while ((m = r.read(in)) != null) {
                        got.add(m);
                    }
                    in.discardReadBytes();
                }
                assertThat(got).hasSize(sent.size());
                for (int i = 0; i < sent.size(); i++) {
                    assertThat(sent.get(i).matches(got.get(i))).as("message %d: %s vs %s", i, sent.get(i), got.get(i)).isTrue();
                }
            } finally {
                got.forEach(RtmpMessage::release);
                wire.release();
                in.release();
                r.release();
            }
        }
    }

    // ---- writeZeroCopy ----

    /** Concatenates (and releases) the buffers, checking each against {@code maxParts}. */
    private static String drain(List<ByteBuf> parts, int maxParts) {
        StringBuilder sb = new StringBuilder();
        for (ByteBuf b : parts) {
            assertThat(b.isReadOnly()).isTrue();
            assertThat(b.isDirect()).isTrue();
            assertThat(b.nioBufferCount()).isLessThanOrEqualTo(maxParts);
            StringBuilder gathered = new StringBuilder();
            for (java.nio.ByteBuffer nio : b.nioBuffers()) {
                gathered.append(ByteBufUtil.hexDump(Unpooled.wrappedBuffer(nio)));
            }
            assertThat(gathered.toString()).as("what a gathering write sends").isEqualTo(ByteBufUtil.hexDump(b));
            sb.append(ByteBufUtil.hexDump(b));
            b.release();
        }
        parts.clear();
        return sb.toString();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("vectors")
    void writeZeroCopyEncodesVector(Vector v) {
        for (int maxParts : new int[] {2, 3, 4, 7, 1024}) {
            ChunkWriter w = new ChunkWriter();
            w.setChunkSize(v.chunkSize());
            List<ByteBuf> parts = new ArrayList<>();
            StringBuilder hex = new StringBuilder();
            for (Msg m : v.messages()) {
                RtmpMessage msg = m.toDirectRtmpMessage();
                ByteBuf payload = msg.content();
                try {
                    int n = w.writeZeroCopy(msg, PooledByteBufAllocator.DEFAULT, maxParts, parts);
                    assertThat(parts).isNotEmpty();
                    assertThat(parts.stream().mapToInt(ByteBuf::readableBytes).sum()).as("returned size").isEqualTo(n);
                    assertThat(n).as("maxEncodedSize is an upper bound").isLessThanOrEqualTo(w.maxEncodedSize(m.payload().length));
                    assertThat(msg.content().readerIndex()).as("payload reader index untouched").isZero();
                    assertThat(msg.refCnt()).as("message borrowed, not released").isGreaterThanOrEqualTo(1);
                } finally {
                    msg.release();
                }
                if (m.payload().length > 0) {
                    assertThat(payload.refCnt()).as("the slices hold the payload").isPositive();
                }
                hex.append(drain(parts, maxParts));
                assertThat(payload.refCnt()).as("released with the buffers").isZero();
            }
            assertThat(hex.toString()).as("maxParts %d", maxParts).isEqualTo(ByteBufUtil.hexDump(v.bytes()));
        }
    }

    @Test
    void writeZeroCopyGathersHeadersAndPayloadBytes() {
        ChunkWriter w = new ChunkWriter();
        byte[] bytes = pattern(300, 5);
        RtmpMessage msg = new Msg(9, 0x01000000L, 1, 4, bytes).toDirectRtmpMessage(); // extended timestamp
        ByteBuf payload = msg.content();
        List<ByteBuf> parts = new ArrayList<>();
        try {
            int n = w.writeZeroCopy(msg, PooledByteBufAllocator.DEFAULT, 1024, parts);
            assertThat(n).isEqualTo(16 + 128 + 5 + 128 + 5 + 44);
            assertThat(parts).hasSize(1);
            ByteBuf b = parts.get(0);
            assertThat(b.readableBytes()).isEqualTo(n);
            assertThat(b.nioBufferCount()).isEqualTo(6);
            java.nio.ByteBuffer[] nio = b.nioBuffers();
            assertThat(nio).hasSize(6);
            assertThat(ByteBufUtil.hexDump(Unpooled.wrappedBuffer(nio[0]))).isEqualTo(compactHex("04 FF FF FF 00 01 2C 09 01 00 00 00 01 00 00 00"));
            assertThat(ByteBufUtil.hexDump(Unpooled.wrappedBuffer(nio[2]))).isEqualTo(compactHex("C4 01 00 00 00"));
            assertThat(ByteBufUtil.hexDump(Unpooled.wrappedBuffer(nio[4]))).isEqualTo(compactHex("C4 01 00 00 00"));
            assertThat(ByteBufUtil.getBytes(Unpooled.wrappedBuffer(nio[5]))).isEqualTo(java.util.Arrays.copyOfRange(bytes, 256, 300));
            assertThat(nio[1].isDirect()).as("the payload's own memory").isTrue();
            assertThat(payload.refCnt()).as("one reference for the buffer and the message's own").isEqualTo(2);
        } finally {
            msg.release();
            drain(parts, 1024);
        }
        assertThat(payload.refCnt()).isZero();
    }

    private static String compactHex(String hex) {
        return hex.replaceAll("\\s", "").toLowerCase();
    }

    @Test
    void writeZeroCopyRejectsLikeWrite() {
        ChunkWriter w = new ChunkWriter();
        List<ByteBuf> parts = new ArrayList<>();
        RtmpMessage badCsid = new Msg(8, 0, 1, 65600, new byte[1]).toDirectRtmpMessage();
        RtmpMessage tooLong = new RtmpMessage(8, 0, 1, 6, PooledByteBufAllocator.DEFAULT.directBuffer(0x1000000).writerIndex(0x1000000));
        try {
            assertThatThrownBy(() -> w.writeZeroCopy(badCsid, PooledByteBufAllocator.DEFAULT, 1024, parts))
                    .isInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(() -> w.writeZeroCopy(tooLong, PooledByteBufAllocator.DEFAULT, 1024, parts))
                    .isInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(() -> w.writeZeroCopy(badCsid, PooledByteBufAllocator.DEFAULT, 1, parts))
                    .isInstanceOf(IllegalArgumentException.class);
            assertThat(parts).isEmpty();
            assertThat(badCsid.refCnt()).isEqualTo(1);
            assertThat(tooLong.refCnt()).isEqualTo(1);
        } finally {
            badCsid.release();
            tooLong.release();
        }
    }

    /**
     * Random messages through two writers, one copying everything and one writing a random mix of copies
     * and zero-copy buffers: the same bytes, so the header compression state evolves the same way.
     */
    @Test
    void zeroCopyAndCopyingWritesProduceTheSameBytes() {
        Random random = new Random(11);
        for (int round = 0; round < 40; round++) {
            ChunkWriter copying = new ChunkWriter();
            ChunkWriter mixed = new ChunkWriter();
            int chunkSize = new int[] {1, 2, 50, 128, 4096, 60000, 0x7FFFFFFF}[random.nextInt(7)];
            copying.setChunkSize(chunkSize);
            mixed.setChunkSize(chunkSize);
            int maxParts = new int[] {2, 3, 16, 1024}[random.nextInt(4)];
            long[] ts = new long[8];
            ByteBuf expected = Unpooled.buffer();
            ByteBuf actual = Unpooled.buffer();
            List<ByteBuf> parts = new ArrayList<>();
            try {
                for (int i = 0; i < 40; i++) {
                    int csid = 2 + random.nextInt(8) * (random.nextBoolean() ? 1 : 9000);
                    int slot = Math.floorMod(csid, 8);
                    ts[slot] = switch (random.nextInt(10)) {
                        case 0 -> ts[slot] - random.nextInt(1000);
                        case 1 -> ts[slot] + 0x00FFFFFF + random.nextInt(3);
                        case 2 -> 0xFFFFFFFFL - random.nextInt(100);
                        default -> ts[slot] + (random.nextBoolean() ? 0 : random.nextInt(100));
                    } & 0xFFFFFFFFL;
                    int length = random.nextInt(5) == 0 ? random.nextInt(20000) : random.nextInt(300);
                    Msg m = new Msg(8 + random.nextInt(2), ts[slot], random.nextInt(3), csid, pattern(length, i));
                    RtmpMessage msg = m.toDirectRtmpMessage();
                    try {
                        copying.write(msg, expected);
                        if (random.nextBoolean()) {
                            int n = mixed.writeZeroCopy(msg, PooledByteBufAllocator.DEFAULT, maxParts, parts);
                            int before = actual.writerIndex();
                            for (ByteBuf b : parts) {
                                actual.writeBytes(b);
                            }
                            assertThat(actual.writerIndex() - before).isEqualTo(n);
                            drain(parts, maxParts);
                        } else {
                            mixed.write(msg, actual);
                        }
                    } finally {
                        msg.release();
                    }
                    assertThat(ByteBufUtil.hexDump(actual)).as("round %d message %d: %s", round, i, m)
                            .isEqualTo(ByteBufUtil.hexDump(expected));
                }
            } finally {
                expected.release();
                actual.release();
                parts.forEach(ByteBuf::release);
            }
        }
    }

    /**
     * The prefix form (an FLV tag header kept apart from the sample bytes) against the plain form with
     * the same payload in one buffer: the same bytes for every chunk size, prefix length (including prefixes
     * cut by a chunk boundary at chunk sizes 1 to 4), empty payloads, extended timestamps, and with the two
     * forms mixed on one writer so the compression state evolves alike.
     */
    @Test
    void prefixAndDataWriteTheSameBytesAsOnePayload() {
        Random random = new Random(29);
        for (int round = 0; round < 60; round++) {
            ChunkWriter plain = new ChunkWriter();
            ChunkWriter split = new ChunkWriter();
            int chunkSize = new int[] {1, 2, 3, 4, 5, 128, 4096, 0x7FFFFFFF}[random.nextInt(8)];
            plain.setChunkSize(chunkSize);
            split.setChunkSize(chunkSize);
            long ts = random.nextBoolean() ? 0 : 0xFFFFF0L;
            ByteBuf expected = Unpooled.buffer();
            ByteBuf actual = Unpooled.buffer();
            try {
                for (int i = 0; i < 30; i++) {
                    ts = (ts + random.nextInt(50)) & 0xFFFFFFFFL;
                    int prefixLength = random.nextInt(6);
                    int length = random.nextInt(4) == 0 ? 0 : random.nextInt(random.nextBoolean() ? 20 : 9000);
                    byte[] payload = pattern(prefixLength + length, round * 31 + i);
                    long prefix = 0;
                    for (int k = 0; k < prefixLength; k++) {
                        prefix = prefix << 8 | (payload[k] & 0xFF);
                    }
                    int type = 8 + random.nextInt(2);
                    int csid = 4 + random.nextInt(3);
                    RtmpMessage msg = new RtmpMessage(type, ts, 1, csid, Unpooled.wrappedBuffer(payload));
                    // The data sits at an offset inside a larger buffer, as in a read-ahead window.
                    ByteBuf window = Unpooled.buffer(length + 7);
                    window.writeZero(7).writeBytes(payload, prefixLength, length);
                    try {
                        plain.write(msg, expected);
                        if (random.nextInt(4) == 0) {
                            split.write(msg, actual);
                        } else {
                            split.write(csid, type, ts, 1, prefix, prefixLength, window, 7, length, actual);
                        }
                    } finally {
                        msg.release();
                        window.release();
                    }
                    assertThat(ByteBufUtil.hexDump(actual)).as("round %d message %d, chunk size %d, prefix %d, data %d",
                            round, i, chunkSize, prefixLength, length).isEqualTo(ByteBufUtil.hexDump(expected));
                }
            } finally {
                expected.release();
                actual.release();
            }
        }
    }

    @Test
    void prefixFormRejectsBadArgumentsWithoutWriting() {
        ChunkWriter w = new ChunkWriter();
        ByteBuf out = Unpooled.buffer();
        ByteBuf data = Unpooled.buffer(4).writeInt(1);
        try {
            assertThatThrownBy(() -> w.write(4, 9, 0, 1, 0, 9, data, 0, 4, out)).isInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(() -> w.write(1, 9, 0, 1, 0, 0, data, 0, 4, out)).isInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(() -> w.write(4, 9, 0, 1, 0, 0, data, 0, 0x1000000, out)).isInstanceOf(IllegalArgumentException.class);
            assertThat(out.readableBytes()).isZero();
        } finally {
            out.release();
            data.release();
        }
    }
}
