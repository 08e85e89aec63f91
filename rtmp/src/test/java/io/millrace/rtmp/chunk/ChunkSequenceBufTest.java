package io.millrace.rtmp.chunk;

import io.millrace.rtmp.message.RtmpMessage;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.netty.util.IllegalReferenceCountException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ReadOnlyBufferException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.function.Function;

import static io.millrace.rtmp.chunk.ChunkVectors.pattern;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** {@link ChunkSequenceBuf} read as any other buffer: every read agrees with a plain copy of the same bytes. */
class ChunkSequenceBufTest {
    private static final PooledByteBufAllocator ALLOC = PooledByteBufAllocator.DEFAULT;

    @TempDir
    Path tmp;

    /** One case: what {@link ChunkWriter#write} produces, and the zero-copy buffers of the same message. */
    private record Case(String name, byte[] expected, List<ByteBuf> parts, ByteBuf payload) {
        /** The parts' bytes in one array (what the parts must read as, one after the other). */
        byte[] joined() {
            return expected;
        }
    }

    /**
     * Writes a message of {@code length} bytes at {@code chunkSize} on {@code csid}, with a payload made by
     * {@code payloadOf} (which receives the bytes), both ways.
     */
    private static Case make(int chunkSize, int length, int csid, long timestamp, int maxParts,
                             Function<byte[], ByteBuf> payloadOf) {
        byte[] bytes = pattern(length, length + chunkSize);
        ChunkWriter copying = new ChunkWriter();
        ChunkWriter zeroCopy = new ChunkWriter();
        copying.setChunkSize(chunkSize);
        zeroCopy.setChunkSize(chunkSize);
        ByteBuf expected = Unpooled.buffer();
        RtmpMessage plain = new RtmpMessage(9, timestamp, 1, csid, Unpooled.wrappedBuffer(bytes));
        copying.write(plain, expected);
        plain.release();
        ByteBuf payload = payloadOf.apply(bytes);
        RtmpMessage msg = new RtmpMessage(9, timestamp, 1, csid, payload);
        List<ByteBuf> parts = new ArrayList<>();
        int n = zeroCopy.writeZeroCopy(msg, ALLOC, maxParts, parts);
        msg.release();
        assertThat(n).isEqualTo(expected.readableBytes());
        byte[] e = ByteBufUtil.getBytes(expected);
        expected.release();
        return new Case("cs " + chunkSize + " len " + length + " csid " + csid + " ts " + timestamp + " parts " + maxParts,
                e, parts, payload);
    }

    private static ByteBuf pooledDirect(byte[] b) {
        return ALLOC.directBuffer(b.length).writeBytes(b);
    }

    /** A payload that does not start at index 0 of its buffer, and a derived view of it. */
    private static ByteBuf offsetDuplicate(byte[] b) {
        ByteBuf backing = ALLOC.directBuffer(b.length + 10).writeBytes(new byte[7]).writeBytes(b).writeBytes(new byte[3]);
        ByteBuf view = backing.retainedSlice(7, b.length);
        backing.release();
        return view;
    }

    private static ByteBuf unpooledDirect(byte[] b) {
        return Unpooled.directBuffer(b.length + 5).writerIndex(5).readerIndex(5).writeBytes(b);
    }

    private static List<Case> cases() {
        List<Case> all = new ArrayList<>();
        int[][] shapes = {
            // chunk size, length, csid, max parts
            {128, 300, 4, 1024}, {128, 256, 4, 1024}, {128, 1, 3, 1024}, {128, 0, 3, 1024},
            {1, 9, 70, 1024}, {2, 9, 400, 1024}, {7, 100, 6, 3}, {7, 100, 6, 2}, {4096, 30 * 1024, 6, 1024},
            {4096, 30 * 1024, 6, 4}, {1000, 999, 65599, 1024}, {0xFFFFFF, 5000, 6, 1024}, {50, 1000, 5, 1024},
        };
        for (int[] s : shapes) {
            for (long ts : new long[] {40, 0x01000000L}) {
                all.add(make(s[0], s[1], s[2], ts, s[3], ChunkSequenceBufTest::pooledDirect));
            }
        }
        all.add(make(100, 1234, 6, 80, 1024, ChunkSequenceBufTest::offsetDuplicate));
        all.add(make(100, 1234, 6, 80, 1024, ChunkSequenceBufTest::unpooledDirect));
        all.add(make(100, 1234, 6, 80, 5, ChunkSequenceBufTest::offsetDuplicate));
        return all;
    }

    /** Runs {@code check} on every part of every case, with the bytes that part must hold. */
    private void eachPart(PartCheck check) throws IOException {
        List<Case> all = cases();
        try {
            for (Case c : all) {
                int at = 0;
                for (ByteBuf part : c.parts()) {
                    byte[] want = java.util.Arrays.copyOfRange(c.joined(), at, at + part.readableBytes());
                    check.check(c.name() + " @" + at, part, want);
                    at += part.readableBytes();
                }
                assertThat(at).isEqualTo(c.joined().length);
            }
        } finally {
            all.forEach(c -> c.parts().forEach(ByteBuf::release));
        }
        for (Case c : all) {
            assertThat(c.payload().refCnt()).as("%s: payload released with the buffers", c.name()).isZero();
        }
    }

    @FunctionalInterface
    private interface PartCheck {
        void check(String name, ByteBuf b, byte[] want) throws IOException;
    }

    @Test
    void singleValueReads() throws IOException {
        eachPart((name, b, want) -> {
            ByteBuf w = Unpooled.wrappedBuffer(want);
            assertThat(b.readableBytes()).isEqualTo(want.length);
            assertThat(b.capacity()).isEqualTo(want.length);
            assertThat(b.maxCapacity()).isEqualTo(want.length);
            for (int i = 0; i < want.length; i++) {
                if (i >= 300 && i < want.length - 300 && i % 61 != 0) {
                    continue; // every byte of small buffers, the ends and a sample of large ones (leak records are slow)
                }
                assertThat(b.getByte(i)).as("%s byte %d", name, i).isEqualTo(want[i]);
                if (i + 2 <= want.length) {
                    assertThat(b.getShort(i)).as(name).isEqualTo(w.getShort(i));
                    assertThat(b.getShortLE(i)).as(name).isEqualTo(w.getShortLE(i));
                }
                if (i + 3 <= want.length) {
                    assertThat(b.getUnsignedMedium(i)).as(name).isEqualTo(w.getUnsignedMedium(i));
                    assertThat(b.getMediumLE(i)).as(name).isEqualTo(w.getMediumLE(i));
                }
                if (i + 4 <= want.length) {
                    assertThat(b.getInt(i)).as(name).isEqualTo(w.getInt(i));
                    assertThat(b.getIntLE(i)).as(name).isEqualTo(w.getIntLE(i));
                }
                if (i + 8 <= want.length) {
                    assertThat(b.getLong(i)).as(name).isEqualTo(w.getLong(i));
                    assertThat(b.getLongLE(i)).as(name).isEqualTo(w.getLongLE(i));
                }
            }
            assertThatThrownBy(() -> b.getByte(want.length)).isInstanceOf(IndexOutOfBoundsException.class);
            assertThat(b).as("equals a plain buffer of the same bytes").isEqualTo(w);
            assertThat(b.hashCode()).isEqualTo(w.hashCode());
            assertThat(b.toString(StandardCharsets.ISO_8859_1)).isEqualTo(w.toString(StandardCharsets.ISO_8859_1));
        });
    }

    @Test
    void bulkReadsOfRandomRanges() throws IOException {
        Random random = new Random(3);
        Path file = tmp.resolve("out.bin");
        eachPart((name, b, want) -> {
            for (int round = 0; round < 30; round++) {
                int from = random.nextInt(want.length + 1);
                int len = random.nextInt(want.length - from + 1);
                byte[] expect = java.util.Arrays.copyOfRange(want, from, from + len);
                String what = name + " [" + from + "+" + len + "]";

                byte[] arr = new byte[len + 4];
                b.getBytes(from, arr, 2, len);
                assertThat(java.util.Arrays.copyOfRange(arr, 2, 2 + len)).as(what).isEqualTo(expect);

                for (ByteBuf dst : new ByteBuf[] {Unpooled.buffer(len + 3), ALLOC.directBuffer(len + 3)}) {
                    b.getBytes(from, dst, 3, len);
                    assertThat(ByteBufUtil.getBytes(dst, 3, len)).as(what).isEqualTo(expect);
                    dst.release();
                }

                for (ByteBuffer nio : new ByteBuffer[] {ByteBuffer.allocate(len + 6), ByteBuffer.allocateDirect(len + 6)}) {
                    nio.position(2).limit(2 + len);
                    b.getBytes(from, nio);
                    assertThat(nio.position()).isEqualTo(2 + len);
                    assertThat(nio.limit()).as("limit restored").isEqualTo(2 + len);
                    byte[] got = new byte[len];
                    nio.position(2);
                    nio.get(got);
                    assertThat(got).as(what).isEqualTo(expect);
                }

                ByteArrayOutputStream os = new ByteArrayOutputStream();
                b.getBytes(from, os, len);
                assertThat(os.toByteArray()).as(what).isEqualTo(expect);

                if (len == 0) {
                    continue;
                }
                try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                        StandardOpenOption.READ, StandardOpenOption.TRUNCATE_EXISTING)) {
                    assertThat(b.getBytes(from, ch, len)).isEqualTo(len);
                    assertThat(b.getBytes(from, ch, 100L + len, len)).isEqualTo(len);
                }
                byte[] written = Files.readAllBytes(file);
                assertThat(java.util.Arrays.copyOfRange(written, 0, len)).as(what).isEqualTo(expect);
                assertThat(java.util.Arrays.copyOfRange(written, 100 + len, 100 + 2 * len)).as(what).isEqualTo(expect);

                ByteBuf copy = b.copy(from, len);
                assertThat(ByteBufUtil.getBytes(copy)).as(what).isEqualTo(expect);
                copy.release();
                assertThat(ByteBufUtil.getBytes(b.slice(from, len))).as(what).isEqualTo(expect);

                ByteBuffer one = b.nioBuffer(from, len);
                byte[] fromOne = new byte[one.remaining()];
                one.get(fromOne);
                assertThat(fromOne).as(what).isEqualTo(expect);

                ByteBuffer[] many = b.nioBuffers(from, len);
                ByteArrayOutputStream gathered = new ByteArrayOutputStream();
                for (ByteBuffer part : many) {
                    byte[] x = new byte[part.remaining()];
                    part.get(x);
                    gathered.write(x, 0, x.length);
                }
                assertThat(gathered.toByteArray()).as(what).isEqualTo(expect);
                assertThat(many.length).isLessThanOrEqualTo(b.nioBufferCount());
            }
        });
    }

    @Test
    void nioBuffersAreOnePerHeaderAndBodyAndIndependent() throws IOException {
        eachPart((name, b, want) -> {
            ByteBuffer[] all = b.nioBuffers();
            assertThat(all).hasSize(b.nioBufferCount());
            for (ByteBuffer x : all) {
                assertThat(x.isDirect()).isTrue();
                assertThat(x.hasRemaining()).isTrue();
            }
            // A transport moves the positions of what it wrote: a second call is unaffected.
            for (ByteBuffer x : all) {
                x.position(x.limit());
            }
            ByteArrayOutputStream again = new ByteArrayOutputStream();
            for (ByteBuffer x : b.nioBuffers()) {
                byte[] bytes = new byte[x.remaining()];
                x.get(bytes);
                again.write(bytes, 0, bytes.length);
            }
            assertThat(again.toByteArray()).as(name).isEqualTo(want);
            if (all.length == 1) {
                assertThat(b.internalNioBuffer(0, want.length).remaining()).isEqualTo(want.length);
            } else {
                assertThatThrownBy(() -> b.internalNioBuffer(0, want.length)).isInstanceOf(UnsupportedOperationException.class);
            }
        });
    }

    @Test
    void readingMovesTheReaderIndexOnly() throws IOException {
        eachPart((name, b, want) -> {
            int half = want.length / 2;
            ByteBuf first = b.readSlice(half);
            assertThat(ByteBufUtil.getBytes(first)).isEqualTo(java.util.Arrays.copyOfRange(want, 0, half));
            assertThat(b.readableBytes()).isEqualTo(want.length - half);
            byte[] rest = new byte[want.length - half];
            b.readBytes(rest);
            assertThat(rest).isEqualTo(java.util.Arrays.copyOfRange(want, half, want.length));
            assertThat(b.isReadable()).isFalse();
            assertThat(b.nioBuffers()).as("nothing left to write").hasSize(1);
            assertThat(b.nioBuffers()[0].remaining()).isZero();
            b.readerIndex(0);
        });
    }

    @Test
    void writesAreRefused() throws IOException {
        eachPart((name, b, want) -> {
            assertThat(b.isReadOnly()).isTrue();
            assertThat(b.isWritable()).isFalse();
            assertThat(b.hasArray()).isFalse();
            assertThat(b.hasMemoryAddress()).isFalse();
            assertThatThrownBy(() -> b.setByte(0, 1)).isInstanceOf(ReadOnlyBufferException.class);
            if (want.length >= 4) {
                assertThatThrownBy(() -> b.setInt(0, 1)).isInstanceOf(ReadOnlyBufferException.class);
            }
            assertThatThrownBy(() -> b.setBytes(0, new byte[1])).isInstanceOf(ReadOnlyBufferException.class);
            assertThatThrownBy(() -> b.writeByte(1)).isInstanceOf(IndexOutOfBoundsException.class);
            assertThatThrownBy(() -> b.capacity(want.length + 1)).isInstanceOf(ReadOnlyBufferException.class);
            assertThatThrownBy(b::discardReadBytes).isInstanceOf(ReadOnlyBufferException.class);
            assertThat(b.getByte(0)).isEqualTo(want[0]);
        });
    }

    @Test
    void releasingReleasesHeadersAndPayloadOnce() {
        Case c = make(128, 1000, 6, 0, 1024, ChunkSequenceBufTest::pooledDirect);
        ByteBuf b = c.parts().get(0);
        assertThat(c.payload().refCnt()).as("the message's reference is gone, the buffer's remains").isEqualTo(1);
        ByteBuf dup = b.retainedDuplicate();
        b.release();
        assertThat(c.payload().refCnt()).isEqualTo(1);
        assertThat(ByteBufUtil.getBytes(dup)).isEqualTo(c.joined());
        assertThat(dup.release()).isTrue();
        assertThat(b.refCnt()).isZero();
        assertThat(c.payload().refCnt()).isZero();
        assertThatThrownBy(() -> b.getByte(0)).isInstanceOf(IllegalReferenceCountException.class);
        assertThatThrownBy(() -> b.nioBuffers()).isInstanceOf(IllegalReferenceCountException.class);
    }
}
