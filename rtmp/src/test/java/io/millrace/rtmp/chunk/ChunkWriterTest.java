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
}
