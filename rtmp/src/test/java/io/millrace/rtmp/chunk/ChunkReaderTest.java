package io.millrace.rtmp.chunk;

import io.millrace.rtmp.RtmpProtocolException;
import io.millrace.rtmp.chunk.ChunkVectors.Msg;
import io.millrace.rtmp.chunk.ChunkVectors.Vector;
import io.millrace.rtmp.message.RtmpMessage;
import io.netty.buffer.AbstractByteBufAllocator;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.Unpooled;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

import static io.millrace.rtmp.chunk.ChunkVectors.hex;
import static io.millrace.rtmp.chunk.ChunkVectors.pattern;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ChunkReaderTest {
    private static final ByteBufAllocator ALLOC = PooledByteBufAllocator.DEFAULT;

    static List<Vector> vectors() {
        return ChunkVectors.all();
    }

    private static ChunkReader reader(Vector v) {
        ChunkReader r = new ChunkReader(ALLOC);
        r.setChunkSize(v.chunkSize());
        return r;
    }

    /** Reads all messages, checking that the reader only ever stops at chunk ends. */
    private static List<RtmpMessage> readAll(ChunkReader r, ByteBuf in, int[] chunkEnds, List<RtmpMessage> into) {
        RtmpMessage m;
        do {
            m = r.read(in);
            if (m != null) {
                into.add(m);
            }
            int at = in.readerIndex();
            assertThat(at == 0 || Arrays.stream(chunkEnds).anyMatch(e -> e == at))
                    .as("reader index %d is at a chunk end %s", at, Arrays.toString(chunkEnds)).isTrue();
        } while (m != null);
        return into;
    }

    private static void assertMessages(List<RtmpMessage> actual, List<Msg> expected) {
        try {
            assertThat(actual).hasSize(expected.size());
            for (int i = 0; i < expected.size(); i++) {
                Msg e = expected.get(i);
                RtmpMessage a = actual.get(i);
                assertThat(a.typeId()).as("type of message %d", i).isEqualTo(e.typeId());
                assertThat(a.timestamp()).as("timestamp of message %d", i).isEqualTo(e.timestamp());
                assertThat(a.streamId()).as("msid of message %d", i).isEqualTo(e.streamId());
                assertThat(a.chunkStreamId()).as("csid of message %d", i).isEqualTo(e.csid());
                assertThat(a.content().capacity()).as("payload buffer has the exact length").isEqualTo(e.payload().length);
                assertThat(Arrays.equals(ByteBufUtil.getBytes(a.content()), e.payload())).as("payload of message %d", i).isTrue();
            }
        } finally {
            actual.forEach(RtmpMessage::release);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("vectors")
    void decodesWholeBuffer(Vector v) {
        ChunkReader r = reader(v);
        ByteBuf in = Unpooled.wrappedBuffer(v.bytes());
        try {
            List<RtmpMessage> got = readAll(r, in, v.chunkEnds(), new ArrayList<>());
            assertThat(in.readableBytes()).isZero();
            assertMessages(got, v.messages());
        } finally {
            in.release();
            r.release();
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("vectors")
    void decodesOneByteAtATime(Vector v) {
        ChunkReader r = reader(v);
        ByteBuf in = Unpooled.buffer(v.bytes().length);
        List<RtmpMessage> got = new ArrayList<>();
        try {
            for (byte b : v.bytes()) {
                in.writeByte(b);
                readAll(r, in, v.chunkEnds(), got);
            }
            assertThat(in.readableBytes()).isZero();
            assertMessages(got, v.messages());
        } finally {
            in.release();
            r.release();
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("vectors")
    void decodesRandomSplits(Vector v) {
        Random random = new Random(v.name().hashCode());
        ChunkReader r = reader(v);
        ByteBuf in = Unpooled.buffer(v.bytes().length);
        List<RtmpMessage> got = new ArrayList<>();
        try {
            int at = 0;
            while (at < v.bytes().length) {
                int n = Math.min(v.bytes().length - at, 1 + random.nextInt(300));
                in.writeBytes(v.bytes(), at, n);
                at += n;
                readAll(r, in, v.chunkEnds(), got);
            }
            assertMessages(got, v.messages());
        } finally {
            in.release();
            r.release();
        }
    }

    @Test
    void incompleteChunkIsNotConsumedAndChangesNothing() {
        ChunkReader r = new ChunkReader(ALLOC);
        byte[] payload = pattern(100, 1);
        ByteBuf in = Unpooled.buffer();
        try {
            in.writeBytes(hex("06 00 00 64 00 00 64 08 01 00 00 00"));
            in.writeBytes(payload, 0, 99);
            assertThat(r.read(in)).isNull();
            assertThat(in.readerIndex()).isZero();
            assertThat(r.chunkStreamsInUse()).as("no state for an incomplete chunk").isZero();
            assertThat(r.read(in)).isNull();
            in.writeByte(payload[99]);
            RtmpMessage m = r.read(in);
            assertThat(m).isNotNull();
            assertThat(m.timestamp()).isEqualTo(100);
            assertThat(ByteBufUtil.getBytes(m.content())).isEqualTo(payload);
            m.release();
        } finally {
            in.release();
        }
    }

    @Test
    void abortDiscardsPartialMessage() {
        ChunkReader r = new ChunkReader(ALLOC);
        byte[] big = pattern(300, 1);
        byte[] small = pattern(10, 2);
        ByteBuf in = Unpooled.buffer();
        try {
            in.writeBytes(hex("04 00 00 00 00 01 2C 09 01 00 00 00")).writeBytes(big, 0, 128);
            assertThat(r.read(in)).isNull();
            assertThat(in.readableBytes()).isZero();
            r.abort(4);
            r.abort(99); // unknown csid: ignored
            // After the abort a fmt 0 header is legal again on csid 4.
            in.writeBytes(hex("04 00 00 28 00 00 0A 09 01 00 00 00")).writeBytes(small);
            RtmpMessage m = r.read(in);
            assertThat(m.timestamp()).isEqualTo(40);
            assertThat(ByteBufUtil.getBytes(m.content())).isEqualTo(small);
            m.release();
        } finally {
            in.release();
        }
    }

    @Test
    void releaseFreesPartialMessages() {
        ChunkReader r = new ChunkReader(ALLOC);
        ByteBuf in = Unpooled.buffer();
        in.writeBytes(hex("04 00 00 00 00 01 2C 09 01 00 00 00")).writeBytes(pattern(128, 1));
        in.writeBytes(hex("05 00 00 00 00 01 2C 09 01 00 00 00")).writeBytes(pattern(128, 2));
        assertThat(r.read(in)).isNull();
        in.release();
        r.release(); // the leak detector fails the class if the two partial buffers were not released
    }

    /** An allocator that fails the test if anything is allocated. */
    private static final class NoAllocation extends AbstractByteBufAllocator {
        @Override
        protected ByteBuf newHeapBuffer(int initialCapacity, int maxCapacity) {
            throw new AssertionError("allocated " + initialCapacity + " bytes");
        }

        @Override
        protected ByteBuf newDirectBuffer(int initialCapacity, int maxCapacity) {
            throw new AssertionError("allocated " + initialCapacity + " bytes");
        }

        @Override
        public boolean isDirectBufferPooled() {
            return false;
        }
    }

    /** An allocator that records what is reserved, and refuses to reserve more than 1 MiB at once. */
    private static final class Reserving extends AbstractByteBufAllocator {
        long reserved;

        @Override
        protected ByteBuf newHeapBuffer(int initialCapacity, int maxCapacity) {
            if (initialCapacity > 1 << 20) {
                throw new AssertionError("reserved " + initialCapacity + " bytes before they arrived");
            }
            reserved += initialCapacity;
            return Unpooled.buffer(initialCapacity, maxCapacity);
        }

        @Override
        protected ByteBuf newDirectBuffer(int initialCapacity, int maxCapacity) {
            return newHeapBuffer(initialCapacity, maxCapacity);
        }

        @Override
        public boolean isDirectBufferPooled() {
            return false;
        }
    }

    @Test
    void announcedLengthsDoNotReserveMemoryBeforeTheBytesArrive() {
        // 64 chunk streams, each announcing an 8 MiB message and sending one 128-byte chunk: about 9 KB
        // that used to reserve 512 MiB (found while fuzzing the chunk reader).
        Reserving alloc = new Reserving();
        ChunkReader r = new ChunkReader(alloc, 8 << 20, 64);
        ByteBuf in = Unpooled.buffer();
        for (int csid = 2; csid < 66; csid++) {
            if (csid < 64) {
                in.writeByte(csid);
            } else {
                in.writeByte(0).writeByte(csid - 64);
            }
            in.writeBytes(hex("00 00 00 80 00 00 09 01 00 00 00")).writeBytes(pattern(128, csid));
        }
        try {
            assertThat(r.read(in)).isNull();
            assertThat(in.readableBytes()).isZero();
            assertThat(alloc.reserved).as("at most 64 KiB a stream").isLessThanOrEqualTo(64L * 64 * 1024);
        } finally {
            in.release();
            r.release();
        }
    }

    @Test
    void longMessageGrowsToItsExactLength() {
        int length = 200_000;
        ChunkReader r = new ChunkReader(ALLOC);
        r.setChunkSize(4096);
        ByteBuf in = Unpooled.buffer();
        byte[] payload = pattern(length, 7);
        in.writeBytes(hex("06 00 00 00")).writeMedium(length).writeBytes(hex("09 01 00 00 00"));
        for (int at = 0; at < length; at += 4096) {
            if (at > 0) {
                in.writeByte(0xC6);
            }
            in.writeBytes(payload, at, Math.min(4096, length - at));
        }
        RtmpMessage m = r.read(in);
        try {
            assertThat(m).isNotNull();
            assertThat(m.content().capacity()).isEqualTo(length);
            assertThat(ByteBufUtil.getBytes(m.content())).isEqualTo(payload);
        } finally {
            in.release();
            if (m != null) {
                m.release();
            }
        }
    }

    @Test
    void messageAboveMaximumIsRejectedFromItsHeaderBeforeAllocation() {
        ChunkReader r = new ChunkReader(new NoAllocation(), 1000, 64);
        ByteBuf in = Unpooled.wrappedBuffer(hex("04 00 00 00 00 03 E9 09 01 00 00 00")); // 1001 bytes, header only
        try {
            assertThatThrownBy(() -> r.read(in))
                    .isInstanceOf(RtmpProtocolException.class)
                    .hasMessageContaining("1001")
                    .hasMessageContaining("1000");
        } finally {
            in.release();
        }
    }

    @Test
    void messageAboveDefaultMaximumIsRejected() {
        ChunkReader r = new ChunkReader(new NoAllocation());
        ByteBuf in = Unpooled.wrappedBuffer(hex("04 00 00 00 80 00 01 09 01 00 00 00")); // 8 MiB + 1
        try {
            assertThatThrownBy(() -> r.read(in))
                    .isInstanceOf(RtmpProtocolException.class)
                    .hasMessageContaining(String.valueOf(8 * 1024 * 1024 + 1))
                    .hasMessageContaining(String.valueOf(ChunkReader.DEFAULT_MAX_MESSAGE_SIZE));
        } finally {
            in.release();
        }
    }

    @Test
    void messageOfExactlyTheMaximumIsAccepted() {
        ChunkReader r = new ChunkReader(ALLOC, 1000, 64);
        r.setChunkSize(4096);
        byte[] p = pattern(1000, 3);
        ByteBuf in = Unpooled.buffer().writeBytes(hex("04 00 00 00 00 03 E8 09 01 00 00 00")).writeBytes(p);
        try {
            RtmpMessage m = r.read(in);
            assertThat(ByteBufUtil.getBytes(m.content())).isEqualTo(p);
            m.release();
        } finally {
            in.release();
        }
    }

    @Test
    void fmt0WhileMessageIncompleteIsRejected() {
        assertRejected("04 00 00 00 00 01 2C 09 01 00 00 00", 128,
                "04 00 00 00 00 00 0A 09 01 00 00 00", "fmt 0");
    }

    @Test
    void fmt1WhileMessageIncompleteIsRejected() {
        assertRejected("04 00 00 00 00 01 2C 09 01 00 00 00", 128, "44 00 00 00 00 00 0A 09", "fmt 1");
    }

    @Test
    void fmt2OnFreshChunkStreamIsRejected() {
        assertRejected("", 0, "84 00 00 00", "fmt 2");
    }

    @Test
    void fmt3OnFreshChunkStreamIsRejected() {
        assertRejected("", 0, "C4", "fmt 3");
    }

    private static void assertRejected(String firstHex, int firstPayload, String secondHex, String messagePart) {
        ChunkReader r = new ChunkReader(ALLOC);
        ByteBuf in = Unpooled.buffer();
        try {
            in.writeBytes(hex(firstHex)).writeBytes(pattern(firstPayload, 1));
            assertThat(r.read(in)).isNull();
            in.writeBytes(hex(secondHex)).writeBytes(pattern(10, 2));
            assertThatThrownBy(() -> r.read(in)).isInstanceOf(RtmpProtocolException.class).hasMessageContaining(messagePart);
        } finally {
            in.release();
            r.release();
        }
    }

    @Test
    void tooManyChunkStreamsAreRejected() {
        ChunkReader r = new ChunkReader(ALLOC, 1000, 3);
        ByteBuf in = Unpooled.buffer();
        try {
            for (int csid = 3; csid <= 5; csid++) {
                in.writeByte(csid).writeBytes(hex("00 00 00 00 00 01 14 00 00 00 00 AA"));
                r.read(in).release();
            }
            assertThat(r.chunkStreamsInUse()).isEqualTo(3);
            // Reusing a known csid is fine.
            in.writeBytes(hex("C3 AA"));
            r.read(in).release();
            in.writeBytes(hex("06 00 00 00 00 00 01 14 00 00 00 00 AA"));
            assertThatThrownBy(() -> r.read(in)).isInstanceOf(RtmpProtocolException.class).hasMessageContaining("3 chunk streams");
        } finally {
            in.release();
        }
    }

    @Test
    void chunkSizeBounds() {
        ChunkReader r = new ChunkReader(ALLOC);
        assertThat(r.chunkSize()).isEqualTo(128);
        r.setChunkSize(0x7FFFFFFF);
        assertThat(r.chunkSize()).isEqualTo(0x7FFFFFFF);
        r.setChunkSize(1);
        assertThat(r.chunkSize()).isEqualTo(1);
        assertThatThrownBy(() -> r.setChunkSize(0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> r.setChunkSize(0x80000000)).isInstanceOf(IllegalArgumentException.class);
        assertThat(r.chunkSize()).isEqualTo(1);
    }

    @Test
    void chunkSizeChangeAppliesToLaterChunks() {
        ChunkReader r = new ChunkReader(ALLOC);
        byte[] a = pattern(200, 1);
        byte[] b = pattern(200, 2);
        ByteBuf in = Unpooled.buffer();
        try {
            in.writeBytes(hex("04 00 00 00 00 00 C8 09 01 00 00 00")).writeBytes(a, 0, 128)
                    .writeBytes(hex("C4")).writeBytes(a, 128, 72);
            RtmpMessage m = r.read(in);
            assertThat(ByteBufUtil.getBytes(m.content())).isEqualTo(a);
            m.release();
            r.setChunkSize(4096);
            in.writeBytes(hex("C4")).writeBytes(b);
            m = r.read(in);
            assertThat(ByteBufUtil.getBytes(m.content())).isEqualTo(b);
            assertThat(m.timestamp()).isZero();
            m.release();
        } finally {
            in.release();
        }
    }

    @Test
    void extendedFieldOnContinuationIsDetectedPerChunk() {
        // One continuation with the field, the next without it: both tolerated.
        ChunkReader r = new ChunkReader(ALLOC);
        byte[] p = pattern(300, 5);
        ByteBuf in = Unpooled.buffer();
        try {
            in.writeBytes(hex("04 FF FF FF 00 01 2C 09 01 00 00 00 01 00 00 00")).writeBytes(p, 0, 128)
                    .writeBytes(hex("C4 01 00 00 00")).writeBytes(p, 128, 128)
                    .writeBytes(hex("C4")).writeBytes(p, 256, 44);
            RtmpMessage m = r.read(in);
            assertThat(m.timestamp()).isEqualTo(0x01000000L);
            assertThat(ByteBufUtil.getBytes(m.content())).isEqualTo(p);
            assertThat(in.readableBytes()).isZero();
            m.release();
        } finally {
            in.release();
        }
    }

    @Test
    void garbageOnlyEverRaisesProtocolErrors() {
        Random random = new Random(42);
        for (int round = 0; round < 2000; round++) {
            ChunkReader r = new ChunkReader(ALLOC, 4096, 8);
            r.setChunkSize(1 + random.nextInt(300));
            byte[] junk = new byte[random.nextInt(600)];
            random.nextBytes(junk);
            if (junk.length > 0 && random.nextBoolean()) {
                junk[0] = (byte) (junk[0] & 0x3F); // start with a fmt 0 header more often
            }
            ByteBuf in = Unpooled.wrappedBuffer(junk);
            try {
                RtmpMessage m;
                while ((m = r.read(in)) != null) {
                    m.release();
                }
            } catch (RtmpProtocolException expected) {
                // fine
            } finally {
                in.release();
                r.release();
            }
        }
    }


    /** Counts what an allocator was asked for. */
    private static final class CountingAllocator extends AbstractByteBufAllocator {
        long requested;

        @Override
        protected ByteBuf newHeapBuffer(int initialCapacity, int maxCapacity) {
            requested += initialCapacity;
            return PooledByteBufAllocator.DEFAULT.heapBuffer(initialCapacity, maxCapacity);
        }

        @Override
        protected ByteBuf newDirectBuffer(int initialCapacity, int maxCapacity) {
            requested += initialCapacity;
            return PooledByteBufAllocator.DEFAULT.directBuffer(initialCapacity, maxCapacity);
        }

        @Override
        public boolean isDirectBufferPooled() {
            return true;
        }
    }

    @Test
    void announcedLengthsAreNotAllocatedBeforeTheBytesArrive() {
        CountingAllocator alloc = new CountingAllocator();
        ChunkReader r = new ChunkReader(alloc, ChunkReader.DEFAULT_MAX_MESSAGE_SIZE, 64);
        ByteBuf in = Unpooled.buffer();
        try {
            // 60 chunk streams each announce an 8 MiB message and send its first 128 bytes.
            for (int csid = 3; csid < 63; csid++) {
                in.writeByte(csid).writeBytes(hex("00 00 00 80 00 00 09 01 00 00 00")).writeBytes(pattern(128, csid));
            }
            assertThat(r.read(in)).isNull();
            assertThat(in.readableBytes()).isZero();
            assertThat(r.heldBytes()).isEqualTo(60 * 128);
            assertThat(alloc.requested).as("bytes allocated for 60 announced 8 MiB messages")
                    .isLessThanOrEqualTo(60L * ChunkReader.INITIAL_CAPACITY);
        } finally {
            in.release();
            r.release();
        }
        assertThat(r.heldBytes()).isZero();
    }

    @Test
    void aMessageGrowsChunkByChunkToExactlyItsLength() {
        ChunkReader r = new ChunkReader(ALLOC);
        byte[] p = pattern(10_000, 7);
        ByteBuf in = Unpooled.buffer();
        try {
            in.writeBytes(hex("04 00 00 00 00 27 10 09 01 00 00 00")).writeBytes(p, 0, 128);
            for (int off = 128; off < p.length; off += 128) {
                in.writeBytes(hex("C4")).writeBytes(p, off, Math.min(128, p.length - off));
            }
            RtmpMessage m = r.read(in);
            assertThat(m).isNotNull();
            assertThat(m.content().capacity()).isEqualTo(10_000);
            assertThat(ByteBufUtil.getBytes(m.content())).isEqualTo(p);
            assertThat(r.heldBytes()).isZero();
            m.release();
        } finally {
            in.release();
        }
    }

    @Test
    void incompleteMessagesMayHoldAtMostTwiceTheMaximumMessageSize() {
        ChunkReader r = new ChunkReader(ALLOC, 1000, 64);
        ByteBuf in = Unpooled.buffer();
        try {
            // Three 1000-byte messages, 128 bytes at a time, interleaved: 15 chunks (1920 bytes) fit, the 16th not.
            for (int csid = 4; csid <= 6; csid++) {
                in.writeByte(csid).writeBytes(hex("00 00 00 00 03 E8 09 01 00 00 00")).writeBytes(pattern(128, csid));
            }
            for (int i = 0; i < 4; i++) {
                for (int csid = 4; csid <= 6; csid++) {
                    in.writeByte(0xC0 | csid).writeBytes(pattern(128, csid));
                }
            }
            assertThat(r.read(in)).isNull();
            assertThat(r.heldBytes()).isEqualTo(1920);
            in.writeByte(0xC4).writeBytes(pattern(128, 4));
            assertThatThrownBy(() -> r.read(in)).isInstanceOf(RtmpProtocolException.class)
                    .hasMessageContaining("incomplete messages would hold 2048 bytes")
                    .hasMessageContaining("1000");
        } finally {
            in.release();
            r.release();
        }
    }
}
