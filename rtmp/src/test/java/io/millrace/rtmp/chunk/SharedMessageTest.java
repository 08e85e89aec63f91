package io.millrace.rtmp.chunk;

import io.millrace.rtmp.control.SetChunkSize;
import io.millrace.rtmp.message.RtmpMessage;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * {@link SharedMessage} through a {@link ChunkEncoder}: the bytes on the wire are exactly those of the same
 * messages sent as {@link RtmpMessage}s, whatever the chunk sizes, timestamps and header compression, and the
 * shared body is written without a copy when it fits.
 */
class SharedMessageTest {
    private static final ByteBufAllocator ALLOC = PooledByteBufAllocator.DEFAULT;

    private static ByteBuf payload(int length, int seed) {
        ByteBuf b = ALLOC.directBuffer(length);
        for (int i = 0; i < length; i++) {
            b.writeByte((i * 31 + seed) & 0xFF);
        }
        return b;
    }

    private static String drain(EmbeddedChannel ch) {
        StringBuilder sb = new StringBuilder();
        ByteBuf b;
        while ((b = ch.readOutbound()) != null) {
            sb.append(ByteBufUtil.hexDump(b));
            b.release();
        }
        return sb.toString();
    }

    private record Send(int typeId, int csid, int length, long timestamp, int streamId) {
    }

    /** Writes the sends both ways, on connections whose chunk size is {@code connChunk}, shared laid out at {@code sharedChunk}. */
    private static void assertSameBytes(int connChunk, int sharedChunk, List<Send> sends) {
        EmbeddedChannel plain = new EmbeddedChannel(new ChunkEncoder());
        EmbeddedChannel shared = new EmbeddedChannel(new ChunkEncoder());
        plain.writeOutbound(new SetChunkSize(connChunk));
        shared.writeOutbound(new SetChunkSize(connChunk));
        drain(plain);
        drain(shared);
        int seed = 0;
        for (Send s : sends) {
            plain.writeOutbound(new RtmpMessage(s.typeId, s.timestamp, s.streamId, s.csid, payload(s.length, seed)));
            SharedMessage m = SharedMessage.of(s.typeId, s.csid, payload(s.length, seed), sharedChunk, ALLOC);
            shared.writeOutbound(m.forStream(s.streamId, s.timestamp));
            m.release();
            assertThat(m.refCnt()).isZero();
            seed++;
        }
        assertThat(drain(shared)).isEqualTo(drain(plain));
        assertThat(plain.finishAndReleaseAll()).isFalse();
        assertThat(shared.finishAndReleaseAll()).isFalse();
    }

    @ParameterizedTest(name = "conn chunk {0}, shared chunk {1}, csid {2}")
    @CsvSource({
            "4096, 4096, 6", "4096, 4096, 7", "128, 128, 6", "4096, 128, 6", "128, 4096, 7",
            "4096, 4096, 100", "4096, 4096, 400", "60000, 4096, 7", "1, 1, 7"})
    void sameBytesAsAnOrdinaryMessage(int connChunk, int sharedChunk, int csid) {
        List<Send> sends = new ArrayList<>();
        long ts = 0;
        int[] lengths = {10, 10, 4096, 4097, 30_000, 30_000, 0, 1, 8193, 200};
        for (int i = 0; i < lengths.length; i++) {
            sends.add(new Send(9, csid, connChunk == 1 ? Math.min(lengths[i], 50) : lengths[i], ts, 1));
            ts += i % 3 == 0 ? 33 : 34;
        }
        // A new message stream id (fmt 0), a timestamp that goes backwards (fmt 0 again).
        sends.add(new Send(9, csid, 5000, ts, 2));
        sends.add(new Send(9, csid, 5000, ts - 100, 2));
        assertSameBytes(connChunk, sharedChunk, sends);
    }

    @Test
    void aViewerThatGotThePreviousFrameWritesThePredictedHeaderAndBodyAsOneBuffer() {
        // The publisher's model of a viewer on msid 1; viewers start at different times (other absolute
        // timestamps) and one is on msid 2: the bytes are always those of ordinary messages.
        ChunkWriter model = new ChunkWriter();
        model.setChunkSize(4096);
        EmbeddedChannel[] shared = new EmbeddedChannel[3];
        EmbeddedChannel[] plain = new EmbeddedChannel[3];
        int[] msid = {1, 1, 2};
        long[] base = {0, 5_000, 0};
        for (int v = 0; v < 3; v++) {
            shared[v] = new EmbeddedChannel(new ChunkEncoder());
            plain[v] = new EmbeddedChannel(new ChunkEncoder());
            shared[v].writeOutbound(new SetChunkSize(4096));
            plain[v].writeOutbound(new SetChunkSize(4096));
            drain(shared[v]);
            drain(plain[v]);
        }
        int[] lengths = {30_000, 5_000, 5_000, 100, 9_000, 9_000};
        int singleBuffers = 0;
        for (int i = 0; i < lengths.length; i++) {
            long ts = 10_000 + i * 33L;
            ByteBuf h = Unpooled.buffer(32);
            int fmt = model.writeHeader(7, 9, ts, 1, lengths[i], h);
            byte[] predicted = fmt == 0 ? null : ByteBufUtil.getBytes(h);
            h.release();
            SharedMessage m = SharedMessage.of(9, 7, payload(lengths[i], i), 4096, ALLOC, predicted);
            for (int v = 0; v < 3; v++) {
                plain[v].writeOutbound(new RtmpMessage(9, ts - base[v], msid[v], 7, payload(lengths[i], i)));
                shared[v].writeOutbound(m.forStream(msid[v], ts - base[v]));
                int buffers = shared[v].outboundMessages().size();
                if (buffers == 1) {
                    singleBuffers++;
                }
                assertThat(drain(shared[v])).as("viewer %d message %d", v, i).isEqualTo(drain(plain[v]));
            }
            m.release();
        }
        // Every viewer writes one buffer for each message after its first (fmt 1..3 headers hold no msid and
        // no absolute time); the first, a fmt-0 header of its own, goes as header plus shared body.
        assertThat(singleBuffers).isEqualTo(3 * (lengths.length - 1));
        for (int v = 0; v < 3; v++) {
            assertThat(shared[v].finishAndReleaseAll()).isFalse();
            assertThat(plain[v].finishAndReleaseAll()).isFalse();
        }
    }

    @Test
    void extendedTimestampsOnContinuationChunksAreWrittenAsUsual() {
        // 0xFFFFFF and beyond: the extended field repeats on every fmt-3 chunk, which the shared body lacks.
        assertSameBytes(4096, 4096, List.of(
                new Send(9, 7, 10_000, 0x1000000L, 1),
                new Send(9, 7, 10_000, 0x1000021L, 1),
                new Send(8, 6, 300, 0xFFFFFFF0L, 1),
                new Send(8, 6, 300, 0x10L, 1)));   // wraps past 2^32: a small forward delta
    }

    @Test
    void aSmallDirectPayloadIsItsOwnBodyAndALargeOneIsLaidOutOnce() {
        ByteBuf small = payload(100, 1);
        SharedMessage a = SharedMessage.of(8, 6, small, 4096, ALLOC);
        assertThat(a.body().memoryAddress()).isEqualTo(small.memoryAddress());
        a.release();
        assertThat(small.refCnt()).isZero();

        SharedMessage b = SharedMessage.of(9, 7, payload(10_000, 2), 4096, ALLOC);
        // 3 chunks: 2 one-byte fmt-3 headers (0xC7) between the bodies.
        assertThat(b.body().readableBytes()).isEqualTo(10_002);
        assertThat(b.body().getByte(4096)).isEqualTo((byte) 0xC7);
        assertThat(b.body().getByte(8193)).isEqualTo((byte) 0xC7);
        b.release();

        ByteBuf heap = Unpooled.buffer(10).writeZero(10);
        SharedMessage c = SharedMessage.of(8, 6, heap, 4096, ALLOC);
        assertThat(c.body().isDirect()).isTrue();
        c.release();
        assertThat(heap.refCnt()).isZero();
    }

    @Test
    void theSameBodyGoesToEveryConnectionWithoutACopy() {
        SharedMessage m = SharedMessage.of(9, 7, payload(20_000, 3), 4096, ALLOC);
        List<ByteBuf> bodies = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            EmbeddedChannel ch = new EmbeddedChannel(new ChunkEncoder());
            ch.writeOutbound(new SetChunkSize(4096));
            ((ByteBuf) ch.readOutbound()).release();
            ch.writeOutbound(m.forStream(1, 40L * i));
            ByteBuf header = ch.readOutbound();
            ByteBuf body = ch.readOutbound();
            assertThat(header.readableBytes()).isEqualTo(12);
            assertThat(body.memoryAddress() + body.readerIndex())
                    .isEqualTo(m.body().memoryAddress() + m.body().readerIndex());
            bodies.add(body);
            header.release();
            assertThat(ch.finishAndReleaseAll()).isFalse();
        }
        // Each written body holds the shared body's memory, not the message: the message can go at once.
        assertThat(m.refCnt()).isEqualTo(1);
        ByteBuf sharedBody = m.body();
        assertThat(sharedBody.refCnt()).isEqualTo(4);
        m.release();
        assertThat(sharedBody.refCnt()).isEqualTo(3);
        bodies.forEach(ByteBuf::release);
        assertThat(sharedBody.refCnt()).isZero();
    }

    @Test
    void aBorrowedOutboundTakesNoReferenceAndWritesTheSameBytes() {
        SharedMessage m = SharedMessage.of(9, 7, payload(10_000, 6), 4096, ALLOC);
        EmbeddedChannel a = new EmbeddedChannel(new ChunkEncoder());
        EmbeddedChannel b = new EmbeddedChannel(new ChunkEncoder());
        a.writeOutbound(m.forStream(1, 100));
        SharedMessage.Outbound borrowed = m.borrowedForStream(1, 100);
        assertThat(m.refCnt()).isEqualTo(1);
        b.writeOutbound(borrowed);
        assertThat(borrowed.refCnt()).isZero();
        assertThat(m.refCnt()).isEqualTo(1);
        assertThat(drain(b)).isEqualTo(drain(a));
        m.release();
        assertThat(a.finishAndReleaseAll()).isFalse();
        assertThat(b.finishAndReleaseAll()).isFalse();
    }

    @Test
    void anOutboundThatIsNeverWrittenReleasesItsReference() {
        SharedMessage m = SharedMessage.of(8, 6, payload(10, 4), 4096, ALLOC);
        SharedMessage.Outbound o = m.forStream(1, 0);
        assertThat(m.refCnt()).isEqualTo(2);
        o.release();
        m.release();
        assertThat(m.refCnt()).isZero();
    }

    @Test
    void badArgumentsReleaseThePayload() {
        ByteBuf p = payload(10, 5);
        assertThatThrownBy(() -> SharedMessage.of(8, 1, p, 4096, ALLOC)).isInstanceOf(IllegalArgumentException.class);
        assertThat(p.refCnt()).isZero();
        ByteBuf q = payload(10, 5);
        assertThatThrownBy(() -> SharedMessage.of(8, 6, q, 0, ALLOC)).isInstanceOf(IllegalArgumentException.class);
        assertThat(q.refCnt()).isZero();
    }
}
