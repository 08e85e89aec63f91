package io.millrace.rtmp.chunk;

import io.millrace.rtmp.RtmpProtocolException;
import io.millrace.rtmp.chunk.ChunkVectors.Msg;
import io.millrace.rtmp.chunk.ChunkVectors.Vector;
import io.millrace.rtmp.control.ControlMessage;
import io.millrace.rtmp.control.LimitType;
import io.millrace.rtmp.control.PingRequest;
import io.millrace.rtmp.control.PingResponse;
import io.millrace.rtmp.control.SetChunkSize;
import io.millrace.rtmp.control.SetPeerBandwidth;
import io.millrace.rtmp.control.StreamBegin;
import io.millrace.rtmp.control.UserControlEvent;
import io.millrace.rtmp.control.WindowAckSize;
import io.millrace.rtmp.message.RtmpMessage;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.DecoderException;
import io.netty.handler.codec.EncoderException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.ArrayList;
import java.util.List;

import static io.millrace.rtmp.chunk.ChunkVectors.hex;
import static io.millrace.rtmp.chunk.ChunkVectors.pattern;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** {@link ChunkDecoder} and {@link ChunkEncoder} in an {@link EmbeddedChannel}. */
class ChunkCodecTest {
    private static final int MAX_MESSAGE = ChunkReader.DEFAULT_MAX_MESSAGE_SIZE;

    private final ChunkStreamState state = new ChunkStreamState();

    /** The pipeline as a server or client sets it up: encoder nearer the head than the decoder. */
    private EmbeddedChannel channel() {
        return new EmbeddedChannel(new ChunkEncoder(state), new ChunkDecoder(MAX_MESSAGE, 64, state));
    }

    private static ByteBuf buf(String hex) {
        return Unpooled.wrappedBuffer(hex(hex));
    }

    private static String setChunkSizeHex(int size) {
        return String.format("02 00 00 00 00 00 04 01 00 00 00 00 %08X", size);
    }

    /** All bytes written so far, as hex. */
    private static String outboundHex(EmbeddedChannel ch) {
        StringBuilder sb = new StringBuilder();
        ByteBuf b;
        while ((b = ch.readOutbound()) != null) {
            sb.append(ByteBufUtil.hexDump(b));
            b.release();
        }
        return sb.toString();
    }

    private static List<Object> inbound(EmbeddedChannel ch) {
        List<Object> all = new ArrayList<>();
        Object o;
        while ((o = ch.readInbound()) != null) {
            all.add(o);
        }
        return all;
    }

    private static void release(List<Object> objects) {
        for (Object o : objects) {
            if (o instanceof RtmpMessage m) {
                m.release();
            }
        }
    }

    private static String compact(String hex) {
        return hex.replaceAll("\\s", "").toLowerCase();
    }

    // ---- the shared table through the handlers ----

    static List<Vector> all() {
        return ChunkVectors.all();
    }

    static List<Vector> encodable() {
        return ChunkVectors.encodable();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("all")
    void decoderPassesUpTableMessages(Vector v) {
        EmbeddedChannel ch = channel();
        if (v.chunkSize() != 128) {
            ch.writeInbound(buf(setChunkSizeHex(v.chunkSize())));
        }
        // Fed in two pieces, splitting somewhere inside.
        int half = v.bytes().length / 2;
        ch.writeInbound(Unpooled.wrappedBuffer(v.bytes(), 0, half));
        ch.writeInbound(Unpooled.wrappedBuffer(v.bytes(), half, v.bytes().length - half));
        List<Object> got = inbound(ch);
        try {
            if (v.control() == null) {
                assertThat(got).hasSize(v.messages().size());
                for (int i = 0; i < got.size(); i++) {
                    assertThat(got.get(i)).isInstanceOf(RtmpMessage.class);
                    assertThat(v.messages().get(i).matches((RtmpMessage) got.get(i))).as("message %d", i).isTrue();
                }
            } else if (v.control() instanceof UserControlEvent event) {
                assertThat(got).containsExactly(event);
            } else {
                assertThat(got).as("protocol control messages are not passed up").isEmpty();
            }
        } finally {
            release(got);
            outboundHex(ch);
            assertThat(ch.finishAndReleaseAll()).isFalse();
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("encodable")
    void encoderWritesTableBytes(Vector v) {
        EmbeddedChannel ch = channel();
        String prefix = "";
        if (v.chunkSize() != 128) {
            ch.writeOutbound(new SetChunkSize(v.chunkSize()));
            prefix = setChunkSizeHex(v.chunkSize());
        }
        if (v.control() != null) {
            ch.writeOutbound(v.control());
        } else {
            for (Msg m : v.messages()) {
                ch.writeOutbound(m.toRtmpMessage());
            }
        }
        assertThat(outboundHex(ch)).isEqualTo(compact(prefix) + ByteBufUtil.hexDump(v.bytes()));
        assertThat(state.bytesSent()).isEqualTo(hex(prefix).length + v.bytes().length);
        assertThat(ch.finishAndReleaseAll()).isFalse();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("encodable")
    void encoderWritesRawControlMessagesLikeTyped(Vector v) {
        if (v.control() == null) {
            return;
        }
        EmbeddedChannel ch = channel();
        ch.writeOutbound(v.messages().get(0).toRtmpMessage());
        assertThat(outboundHex(ch)).isEqualTo(ByteBufUtil.hexDump(v.bytes()));
        assertThat(ch.finishAndReleaseAll()).isFalse();
    }

    /**
     * Batched messages keep their place among ordinary writes: media batched, a status message written
     * the ordinary way, more media batched, a chunk size change, more media; the bytes are those of one
     * writer encoding the same messages in the same order, and they all reach the wire on flush.
     */
    @Test
    void batchedMessagesKeepTheirOrderAmongOtherWrites() {
        ChunkEncoder encoder = new ChunkEncoder(state);
        EmbeddedChannel ch = new EmbeddedChannel(encoder, new ChunkDecoder(MAX_MESSAGE, 64, state));
        ChunkWriter reference = new ChunkWriter();
        ByteBuf expected = Unpooled.buffer();
        ByteBuf window = Unpooled.buffer();
        try {
            window.writeBytes(pattern(20000, 5));
            long ts = 0;
            for (int step = 0; step < 6; step++) {
                for (int i = 0; i < 5; i++, ts += 20) {
                    int length = 100 + i * 1500 + step;
                    long prefix = 0x2701000000L | i;
                    RtmpMessage same = new RtmpMessage(9, ts, 1, 6, Unpooled.buffer(5 + length)
                            .writeByte(0x27).writeByte(1).writeMedium(i).writeBytes(window, step, length));
                    reference.write(same, expected);
                    same.release();
                    encoder.writeBatched(6, 9, ts, 1, prefix, 5, window, step, length);
                }
                if (step == 2) {
                    ch.write(new SetChunkSize(4096));
                    RtmpMessage scs = new SetChunkSize(4096).toMessage(io.netty.buffer.UnpooledByteBufAllocator.DEFAULT);
                    reference.write(scs, expected);
                    scs.release();
                    reference.setChunkSize(4096);
                } else {
                    Msg status = new Msg(20, ts, 1, 5, pattern(40 + step, step));
                    ch.write(status.toRtmpMessage());
                    RtmpMessage copy = status.toRtmpMessage();
                    reference.write(copy, expected);
                    copy.release();
                }
            }
            ch.flush();
            assertThat(outboundHex(ch)).isEqualTo(ByteBufUtil.hexDump(expected));
            assertThat(state.bytesSent()).isEqualTo(expected.readableBytes());
        } finally {
            expected.release();
            window.release();
        }
        assertThat(ch.finishAndReleaseAll()).isFalse();
    }

    /**
     * A batch is handed on once it holds 64 KB (or the next message does not fit), before any flush, so the channel's pending-bytes count
     * (and with it writability, which paces senders) follows what was batched; and a batch not yet handed
     * on when the channel closes is released.
     */
    @Test
    void fullBatchesAreHandedOnAndAnUnflushedBatchIsReleasedOnClose() {
        PooledByteBufAllocator alloc = new PooledByteBufAllocator(true);
        ChunkEncoder encoder = new ChunkEncoder(state);
        EmbeddedChannel ch = new EmbeddedChannel(encoder, new ChunkDecoder(MAX_MESSAGE, 64, state));
        ch.config().setAllocator(alloc);
        ByteBuf data = Unpooled.wrappedBuffer(pattern(3000, 1));
        try {
            for (int i = 0; i < 10; i++) {
                encoder.writeBatched(6, 9, i * 40L, 1, 0, 0, data, 0, 3000);
            }
            assertThat(ch.unsafe().outboundBuffer().totalPendingWriteBytes()).as("30 KB: still batched").isZero();
            for (int i = 10; i < 30; i++) {
                encoder.writeBatched(6, 9, i * 40L, 1, 0, 0, data, 0, 3000);
            }
            assertThat(ch.unsafe().outboundBuffer().totalPendingWriteBytes()).as("90 KB: one full batch handed on")
                    .isGreaterThan(64 * 1024 - 3100).isLessThanOrEqualTo(64 * 1024);
            assertThat(activeDirect(alloc)).as("the handed-on batch and the one being filled").isEqualTo(2);
            ch.close();
            assertThat(activeDirect(alloc)).as("both released: nothing was flushed").isZero();
        } finally {
            data.release();
        }
        assertThat(ch.finishAndReleaseAll()).isFalse();
    }

    private static long activeDirect(PooledByteBufAllocator alloc) {
        return alloc.metric().directArenas().stream().mapToLong(a -> a.numActiveAllocations()).sum();
    }

    /** The table again, through an encoder that sends every direct payload without copying it. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("encodable")
    void encoderWritesTableBytesWithoutCopying(Vector v) {
        EmbeddedChannel ch = new EmbeddedChannel(new ChunkEncoder(state, 0), new ChunkDecoder(MAX_MESSAGE, 64, state));
        String prefix = "";
        if (v.chunkSize() != 128) {
            ch.writeOutbound(new SetChunkSize(v.chunkSize()));
            prefix = setChunkSizeHex(v.chunkSize());
        }
        List<ByteBuf> payloads = new ArrayList<>();
        for (Msg m : v.messages()) {
            RtmpMessage msg = m.toDirectRtmpMessage();
            payloads.add(msg.content());
            ch.writeOutbound(msg);
        }
        assertThat(outboundHex(ch)).isEqualTo(compact(prefix) + ByteBufUtil.hexDump(v.bytes()));
        assertThat(state.bytesSent()).isEqualTo(hex(prefix).length + v.bytes().length);
        assertThat(payloads).allSatisfy(p -> assertThat(p.refCnt()).as("released once written").isZero());
        assertThat(ch.finishAndReleaseAll()).isFalse();
    }

    @Test
    void largeDirectPayloadsGoOutAsHeadersAndPayloadSlices() {
        EmbeddedChannel ch = channel(); // the default threshold
        ch.writeOutbound(new SetChunkSize(4096));
        assertThat(outboundHex(ch)).isEqualTo(compact(setChunkSizeHex(4096)));

        byte[] frame = pattern(30 * 1024, 3);
        RtmpMessage video = new Msg(9, 40, 1, 6, frame).toDirectRtmpMessage();
        ByteBuf payload = video.content();
        ch.writeOutbound(video);
        ByteBuf out = ch.readOutbound();
        try {
            assertThat(out).isInstanceOf(ChunkSequenceBuf.class);
            assertThat(out.nioBufferCount()).as("8 chunks: a header and a body each").isEqualTo(16);
            assertThat(out.isDirect()).as("written by the transport without a copy").isTrue();
            assertThat(payload.refCnt()).as("the message's reference released, the buffer's held").isEqualTo(1);
            ByteBuf expected = Unpooled.buffer();
            ChunkWriter w = new ChunkWriter();
            w.setChunkSize(4096);
            RtmpMessage copy = new Msg(9, 40, 1, 6, frame).toRtmpMessage();
            w.write(copy, expected);
            copy.release();
            assertThat(ByteBufUtil.hexDump(out)).isEqualTo(ByteBufUtil.hexDump(expected));
            assertThat(state.bytesSent()).isEqualTo(16 + expected.readableBytes());
            expected.release();
        } finally {
            out.release();
        }
        assertThat(payload.refCnt()).isZero();

        // Small messages, heap payloads and composite payloads are copied into one buffer.
        ch.writeOutbound(new Msg(8, 40, 1, 4, pattern(300, 1)).toDirectRtmpMessage());
        ch.writeOutbound(new Msg(9, 80, 1, 6, frame).toRtmpMessage());
        ch.writeOutbound(new RtmpMessage(9, 120, 1, 6, Unpooled.wrappedBuffer(
                Unpooled.directBuffer(2000).writeBytes(frame, 0, 2000), Unpooled.directBuffer(2000).writeBytes(frame, 2000, 2000))));
        for (int i = 0; i < 3; i++) {
            ByteBuf b = ch.readOutbound();
            assertThat(b).as("message %d", i).isNotInstanceOf(ChunkSequenceBuf.class);
            b.release();
        }
        assertThat(ch.finishAndReleaseAll()).isFalse();
    }

    @Test
    void smallChunkSizesAreCopied() {
        EmbeddedChannel ch = channel(); // chunk size 128: below the default threshold
        ch.writeOutbound(new Msg(9, 0, 1, 6, pattern(30 * 1024, 3)).toDirectRtmpMessage());
        ByteBuf b = ch.readOutbound();
        assertThat(b).isNotInstanceOf(ChunkSequenceBuf.class);
        b.release();
        assertThat(ch.finishAndReleaseAll()).isFalse();
    }

    /** 600 chunks: 1200 parts, more than a gathering write takes (IOV_MAX); written as two buffers, one promise. */
    @Test
    void messageOfMorePartsThanIovMaxIsWrittenAsSeveralBuffers() {
        EmbeddedChannel ch = new EmbeddedChannel(new ChunkEncoder(state, 0), new ChunkDecoder(MAX_MESSAGE, 64, state));
        byte[] bytes = pattern(600 * 128, 9);
        ByteBuf expected = Unpooled.buffer();
        ChunkWriter w = new ChunkWriter();
        try {
            for (boolean voidPromise : new boolean[] {false, true}) {
                RtmpMessage copy = new Msg(9, 0, 1, 6, bytes).toRtmpMessage();
                w.write(copy, expected);
                copy.release();
                RtmpMessage msg = new Msg(9, 0, 1, 6, bytes).toDirectRtmpMessage();
                ByteBuf payload = msg.content();
                if (voidPromise) {
                    ch.write(msg, ch.voidPromise());
                } else {
                    io.netty.channel.ChannelFuture f = ch.write(msg);
                    assertThat(f.isDone()).as("not before every part is written").isFalse();
                    ch.flush();
                    assertThat(f.isSuccess()).isTrue();
                }
                ch.flush();
                List<ByteBuf> parts = new ArrayList<>();
                ByteBuf b;
                while ((b = ch.readOutbound()) != null) {
                    parts.add(b);
                }
                assertThat(parts).hasSize(2);
                StringBuilder hex = new StringBuilder();
                for (ByteBuf part : parts) {
                    assertThat(part.nioBufferCount()).isLessThanOrEqualTo(ChunkEncoder.MAX_PARTS);
                    hex.append(ByteBufUtil.hexDump(part));
                    part.release();
                }
                assertThat(hex.toString()).isEqualTo(ByteBufUtil.hexDump(expected));
                assertThat(payload.refCnt()).isZero();
                expected.clear();
            }
        } finally {
            expected.release();
        }
        assertThat(ch.finishAndReleaseAll()).isFalse();
    }

    @Test
    void failedWriteFailsThePromiseAndReleasesTheMessage() {
        EmbeddedChannel ch = new EmbeddedChannel(new ChunkEncoder(state, 0), new ChunkDecoder(MAX_MESSAGE, 64, state));
        RtmpMessage badCsid = new Msg(9, 0, 1, 70000, pattern(5000, 1)).toDirectRtmpMessage();
        assertThatThrownBy(() -> ch.writeOutbound(badCsid))
                .isInstanceOf(EncoderException.class)
                .hasCauseInstanceOf(IllegalArgumentException.class);
        assertThat(badCsid.refCnt()).isZero();
        RtmpMessage badSetChunkSize = new RtmpMessage(1, 0, 0, 2, Unpooled.directBuffer(4).writeInt(0));
        assertThatThrownBy(() -> ch.writeOutbound(badSetChunkSize))
                .isInstanceOf(EncoderException.class)
                .hasCauseInstanceOf(IllegalArgumentException.class);
        assertThat(badSetChunkSize.refCnt()).isZero();
        assertThat(outboundHex(ch)).isEmpty();
        assertThat(state.bytesSent()).isZero();
        assertThat(ch.finishAndReleaseAll()).isFalse();
    }

    // ---- acknowledgements ----

    @Test
    void acknowledgementIsSentWhenTheWindowIsReached() {
        EmbeddedChannel ch = channel();
        // Peer sets the window to 100 bytes (16 bytes on the wire).
        ch.writeInbound(buf("02 00 00 00 00 00 04 05 00 00 00 00 00 00 00 64"));
        assertThat(state.peerWindowAckSize()).isEqualTo(100);
        assertThat(outboundHex(ch)).as("16 bytes received, no ack yet").isEmpty();

        // A 150-byte command: 12 + 128 + 1 + 22 = 163 bytes; fed in two parts.
        byte[] payload = pattern(150, 1);
        ByteBuf part1 = Unpooled.buffer().writeBytes(hex("03 00 00 00 00 00 96 14 00 00 00 00")).writeBytes(payload, 0, 60);
        ch.writeInbound(part1); // 16 + 72 = 88 < 100
        assertThat(outboundHex(ch)).isEmpty();
        ByteBuf part2 = Unpooled.buffer().writeBytes(payload, 60, 68).writeBytes(hex("C3")).writeBytes(payload, 128, 22);
        ch.writeInbound(part2); // 179 >= 100
        assertThat(state.bytesReceived()).isEqualTo(179);
        // Acknowledgement 179 = 0xB3, fmt 0 on csid 2.
        assertThat(outboundHex(ch)).isEqualTo(compact("02 00 00 00 00 00 04 03 00 00 00 00 00 00 00 B3"));

        // 90 more bytes: not yet another window since the last ack.
        ch.writeInbound(Unpooled.buffer().writeBytes(hex("03 00 00 00 00 00 4E 14 00 00 00 00")).writeBytes(pattern(78, 2)));
        assertThat(outboundHex(ch)).isEmpty();
        // 21 more: 290 - 179 >= 100: the next ack (290 = 0x122), header-compressed to fmt 3 (same type,
        // length and delta 0 after the fmt-0 header with timestamp 0).
        ch.writeInbound(Unpooled.buffer().writeBytes(hex("03 00 00 00 00 00 09 14 00 00 00 00")).writeBytes(pattern(9, 3)));
        assertThat(outboundHex(ch)).isEqualTo(compact("C2 00 00 01 22"));

        release(inbound(ch));
        assertThat(ch.finishAndReleaseAll()).isFalse();
    }

    @Test
    void acknowledgementCountsOneByteAtATime() {
        EmbeddedChannel ch = channel();
        byte[] bytes = hex("02 00 00 00 00 00 04 05 00 00 00 00 00 00 00 20" // window 32
                + " 03 00 00 00 00 00 10 14 00 00 00 00 " + "AA ".repeat(16)); // 28 bytes -> 44 total
        List<String> acksAt = new ArrayList<>();
        for (int i = 0; i < bytes.length; i++) {
            ch.writeInbound(Unpooled.wrappedBuffer(new byte[] {bytes[i]}));
            String out = outboundHex(ch);
            if (!out.isEmpty()) {
                acksAt.add((i + 1) + ":" + out);
            }
        }
        assertThat(acksAt).containsExactly("32:" + compact("02 00 00 00 00 00 04 03 00 00 00 00 00 00 00 20"));
        release(inbound(ch));
        assertThat(ch.finishAndReleaseAll()).isFalse();
    }

    @Test
    void noAcknowledgementWithoutAWindow() {
        EmbeddedChannel ch = channel();
        ch.writeInbound(Unpooled.buffer().writeBytes(hex("03 00 00 00 00 01 00 14 00 00 00 00")).writeBytes(pattern(128, 1))
                .writeBytes(hex("C3")).writeBytes(pattern(128, 2)));
        assertThat(outboundHex(ch)).isEmpty();
        release(inbound(ch));
        assertThat(ch.finishAndReleaseAll()).isFalse();
    }

    @Test
    void sequenceNumberWrapsAt32Bits() {
        ChunkStreamState s = new ChunkStreamState();
        s.peerWindowAckSize(0x80000000L);
        s.addBytesReceived(Integer.MAX_VALUE);
        s.addBytesReceived(Integer.MAX_VALUE);
        s.addBytesReceived(10); // 0x1_0000_0008
        assertThat(s.bytesReceived()).isEqualTo(0x1_0000_0008L);
        assertThat(s.sequenceNumber()).isEqualTo(8);
        assertThat(s.takeAckDue()).isEqualTo(8);
        assertThat(s.takeAckDue()).isEqualTo(ChunkStreamState.NONE);
    }

    @Test
    void peerAcknowledgementIsRecorded() {
        EmbeddedChannel ch = channel();
        assertThat(state.peerAcknowledged()).isEqualTo(ChunkStreamState.NONE);
        ch.writeInbound(buf("02 00 00 00 00 00 04 03 00 00 00 00 00 00 10 00"));
        assertThat(state.peerAcknowledged()).isEqualTo(4096);
        assertThat(inbound(ch)).isEmpty();
        assertThat(ch.finishAndReleaseAll()).isFalse();
    }

    // ---- ping ----

    @Test
    void pingRequestIsAnsweredAndPassedUp() {
        EmbeddedChannel ch = channel();
        ch.writeInbound(buf("02 00 00 00 00 00 06 04 00 00 00 00 00 06 00 BC 61 4E"));
        assertThat(outboundHex(ch)).isEqualTo(compact("02 00 00 00 00 00 06 04 00 00 00 00 00 07 00 BC 61 4E"));
        assertThat(inbound(ch)).containsExactly(new PingRequest(12_345_678));
        assertThat(ch.finishAndReleaseAll()).isFalse();
    }

    // ---- set chunk size ----

    @Test
    void inboundSetChunkSizeAppliesToFollowingChunks() {
        EmbeddedChannel ch = channel();
        byte[] payload = pattern(300, 1);
        ByteBuf in = Unpooled.buffer()
                .writeBytes(hex("02 00 00 00 00 00 04 01 00 00 00 00 00 00 10 00"))
                .writeBytes(hex("04 00 00 00 00 01 2C 09 01 00 00 00")).writeBytes(payload);
        ch.writeInbound(in);
        List<Object> got = inbound(ch);
        assertThat(got).hasSize(1);
        assertThat(new Msg(9, 0, 1, 4, payload).matches((RtmpMessage) got.get(0))).isTrue();
        assertThat(state.inboundChunkSize()).isEqualTo(4096);
        release(got);
        assertThat(ch.finishAndReleaseAll()).isFalse();
    }

    @Test
    void inboundMaximumChunkSizeIsAccepted() {
        EmbeddedChannel ch = channel();
        byte[] payload = pattern(70000, 1);
        ch.writeInbound(buf("02 00 00 00 00 00 04 01 00 00 00 00 7F FF FF FF"));
        assertThat(state.inboundChunkSize()).isEqualTo(0x7FFFFFFF);
        ch.writeInbound(Unpooled.buffer().writeBytes(hex("06 00 00 00 01 11 70 08 01 00 00 00")).writeBytes(payload));
        List<Object> got = inbound(ch);
        assertThat(got).hasSize(1);
        assertThat(new Msg(8, 0, 1, 6, payload).matches((RtmpMessage) got.get(0))).isTrue();
        release(got);
        assertThat(ch.finishAndReleaseAll()).isFalse();
    }

    @Test
    void inboundChunkSizeAboveTheConfiguredMaximumIsRejected() {
        EmbeddedChannel ch = new EmbeddedChannel(new ChunkEncoder(state), new ChunkDecoder(MAX_MESSAGE, 64, 65536, state));
        ch.writeInbound(buf(setChunkSizeHex(65536)));
        assertThat(state.inboundChunkSize()).isEqualTo(65536);
        assertThatThrownBy(() -> ch.writeInbound(buf(setChunkSizeHex(65537))))
                .isInstanceOf(DecoderException.class)
                .hasCauseInstanceOf(RtmpProtocolException.class)
                .hasMessageContaining("Set Chunk Size 65537 exceeds the maximum chunk size of 65536 bytes");
        assertThat(state.inboundChunkSize()).isEqualTo(65536);
        assertThat(ch.finishAndReleaseAll()).isFalse();
    }

    @Test
    void inboundChunkSizeZeroIsRejected() {
        EmbeddedChannel ch = channel();
        assertThatThrownBy(() -> ch.writeInbound(buf("02 00 00 00 00 00 04 01 00 00 00 00 00 00 00 00")))
                .isInstanceOf(DecoderException.class)
                .hasCauseInstanceOf(RtmpProtocolException.class);
        // The chunk stream is dead: later bytes are discarded, nothing is passed up.
        ch.writeInbound(buf("03 00 00 00 00 00 01 14 00 00 00 00 AA"));
        assertThat(inbound(ch)).isEmpty();
        assertThat(ch.finishAndReleaseAll()).isFalse();
    }

    @Test
    void inboundChunkSizeWithTopBitIsRejected() {
        EmbeddedChannel ch = channel();
        assertThatThrownBy(() -> ch.writeInbound(buf("02 00 00 00 00 00 04 01 00 00 00 00 80 00 10 00")))
                .hasRootCauseInstanceOf(RtmpProtocolException.class);
        assertThat(ch.finishAndReleaseAll()).isFalse();
    }

    @Test
    void outboundSetChunkSizeAppliesAfterItIsWritten() {
        EmbeddedChannel ch = channel();
        byte[] payload = pattern(300, 1);
        ch.writeOutbound(new SetChunkSize(4096));
        ch.writeOutbound(new RtmpMessage(9, 0, 1, 4, Unpooled.wrappedBuffer(payload)));
        assertThat(outboundHex(ch)).isEqualTo(compact("02 00 00 00 00 00 04 01 00 00 00 00 00 00 10 00")
                + compact("04 00 00 00 00 01 2C 09 01 00 00 00") + ByteBufUtil.hexDump(payload));
        assertThat(state.outboundChunkSize()).isEqualTo(4096);

        ch.writeOutbound(new SetChunkSize(200));
        ch.writeOutbound(new RtmpMessage(9, 0, 1, 4, Unpooled.wrappedBuffer(payload)));
        // Second Set Chunk Size: same length and type, delta 0 after a fmt-0 ts 0: fmt 3 on csid 2.
        // Second video message: identical header, fmt 3, split at 200.
        assertThat(outboundHex(ch)).isEqualTo(compact("C2 00 00 00 C8")
                + "c4" + ByteBufUtil.hexDump(payload, 0, 200) + "c4" + ByteBufUtil.hexDump(payload, 200, 100));
        assertThat(ch.finishAndReleaseAll()).isFalse();
    }

    @Test
    void outboundRawSetChunkSizeAlsoChangesTheChunkSize() {
        EmbeddedChannel ch = channel();
        byte[] payload = pattern(300, 1);
        ch.writeOutbound(new RtmpMessage(1, 0, 0, 2, Unpooled.wrappedBuffer(hex("00 00 01 00"))));
        ch.writeOutbound(new RtmpMessage(9, 0, 1, 4, Unpooled.wrappedBuffer(payload)));
        assertThat(outboundHex(ch)).isEqualTo(compact("02 00 00 00 00 00 04 01 00 00 00 00 00 00 01 00")
                + compact("04 00 00 00 00 01 2C 09 01 00 00 00") + ByteBufUtil.hexDump(payload, 0, 256)
                + "c4" + ByteBufUtil.hexDump(payload, 256, 44));
        assertThat(state.outboundChunkSize()).isEqualTo(256);
        assertThat(ch.finishAndReleaseAll()).isFalse();
    }

    // ---- abort, bandwidth, user control, pass-through ----

    @Test
    void abortMidMessageDiscardsIt() {
        EmbeddedChannel ch = channel();
        byte[] big = pattern(300, 1);
        byte[] small = pattern(10, 2);
        ch.writeInbound(Unpooled.buffer().writeBytes(hex("04 00 00 00 00 01 2C 09 01 00 00 00")).writeBytes(big, 0, 128));
        ch.writeInbound(buf("02 00 00 00 00 00 04 02 00 00 00 00 00 00 00 04"));
        ch.writeInbound(Unpooled.buffer().writeBytes(hex("04 00 00 28 00 00 0A 09 01 00 00 00")).writeBytes(small));
        List<Object> got = inbound(ch);
        assertThat(got).hasSize(1);
        assertThat(new Msg(9, 40, 1, 4, small).matches((RtmpMessage) got.get(0))).isTrue();
        release(got);
        assertThat(ch.finishAndReleaseAll()).isFalse();
    }

    @Test
    void setPeerBandwidthIsAnsweredWithWindowAckSizeOnlyWhenItDiffers() {
        EmbeddedChannel ch = channel();
        String spb = "02 00 00 00 00 00 05 06 00 00 00 00 00 26 25 A0 02";
        ch.writeInbound(buf(spb));
        assertThat(outboundHex(ch)).isEqualTo(compact("02 00 00 00 00 00 04 05 00 00 00 00 00 26 25 A0"));
        assertThat(state.peerBandwidth()).isEqualTo(2_500_000);
        assertThat(state.peerBandwidthLimitType()).isEqualTo(LimitType.HARD);
        assertThat(state.windowAckSizeSent()).isEqualTo(2_500_000);

        // Same window again (fmt 3 on csid 2): already sent, no answer.
        ch.writeInbound(buf("C2 00 26 25 A0 02"));
        assertThat(outboundHex(ch)).isEmpty();
        assertThat(inbound(ch)).isEmpty();
        assertThat(ch.finishAndReleaseAll()).isFalse();
    }

    @Test
    void setPeerBandwidthMatchingOurWindowIsNotAnswered() {
        EmbeddedChannel ch = channel();
        ch.writeOutbound(new WindowAckSize(2_500_000));
        assertThat(outboundHex(ch)).isEqualTo(compact("02 00 00 00 00 00 04 05 00 00 00 00 00 26 25 A0"));
        ch.writeInbound(buf("02 00 00 00 00 00 05 06 00 00 00 00 00 26 25 A0 00"));
        assertThat(outboundHex(ch)).isEmpty();
        assertThat(ch.finishAndReleaseAll()).isFalse();
    }

    @Test
    void peerBandwidthLimitTypes() {
        ChunkStreamState s = new ChunkStreamState();
        assertThat(s.applyPeerBandwidth(1000, LimitType.SOFT)).isEqualTo(1000);
        assertThat(s.applyPeerBandwidth(5000, LimitType.SOFT)).isEqualTo(1000);
        assertThat(s.applyPeerBandwidth(500, LimitType.SOFT)).isEqualTo(500);
        assertThat(s.applyPeerBandwidth(9000, LimitType.DYNAMIC)).as("previous was soft: ignored").isEqualTo(ChunkStreamState.NONE);
        assertThat(s.peerBandwidth()).isEqualTo(500);
        assertThat(s.applyPeerBandwidth(8000, LimitType.HARD)).isEqualTo(8000);
        assertThat(s.applyPeerBandwidth(9000, LimitType.DYNAMIC)).as("previous was hard: applied").isEqualTo(9000);
        assertThat(s.peerBandwidthLimitType()).isEqualTo(LimitType.HARD);
    }

    @Test
    void userControlEventsArePassedUpTyped() {
        EmbeddedChannel ch = channel();
        ch.writeInbound(buf("02 00 00 00 00 00 06 04 00 00 00 00 00 00 00 00 00 01"));
        assertThat(inbound(ch)).containsExactly(new StreamBegin(1));
        assertThat(outboundHex(ch)).isEmpty();
        assertThat(ch.finishAndReleaseAll()).isFalse();
    }

    @Test
    void malformedUserControlIsAProtocolError() {
        EmbeddedChannel ch = channel();
        assertThatThrownBy(() -> ch.writeInbound(buf("02 00 00 00 00 00 05 04 00 00 00 00 00 00 00 00 01")))
                .hasRootCauseInstanceOf(RtmpProtocolException.class);
        assertThat(ch.finishAndReleaseAll()).isFalse();
    }

    @Test
    void messageAboveMaximumIsAProtocolError() {
        EmbeddedChannel ch = new EmbeddedChannel(new ChunkEncoder(state), new ChunkDecoder(1000, 64, state));
        assertThatThrownBy(() -> ch.writeInbound(buf("04 00 00 00 00 03 E9 09 01 00 00 00")))
                .hasRootCauseInstanceOf(RtmpProtocolException.class)
                .rootCause().hasMessageContaining("1001").hasMessageContaining("1000");
        assertThat(ch.finishAndReleaseAll()).isFalse();
    }

    @Test
    void partialMessageIsReleasedWhenTheChannelCloses() {
        EmbeddedChannel ch = channel();
        ch.writeInbound(Unpooled.buffer().writeBytes(hex("04 00 00 00 00 01 2C 09 01 00 00 00")).writeBytes(pattern(128, 1)));
        ch.writeInbound(Unpooled.buffer().writeBytes(hex("C4")).writeBytes(pattern(50, 1))); // half a chunk
        assertThat(inbound(ch)).isEmpty();
        assertThat(ch.finishAndReleaseAll()).isFalse(); // the leak detector checks the partial buffer
    }

    @Test
    void otherOutboundObjectsPassThrough() {
        EmbeddedChannel ch = channel();
        ch.writeOutbound("not mine");
        Object passed = ch.readOutbound();
        assertThat(passed).isEqualTo("not mine");
        assertThat(ch.finishAndReleaseAll()).isFalse();
    }

    /** An encoder channel and a decoder channel connected back to back. */
    @Test
    void encoderOutputDecodesToTheSameMessages() {
        ChunkStreamState serverState = new ChunkStreamState();
        ChunkStreamState clientState = new ChunkStreamState();
        EmbeddedChannel server = new EmbeddedChannel(new ChunkEncoder(serverState), new ChunkDecoder(MAX_MESSAGE, 64, serverState));
        EmbeddedChannel client = new EmbeddedChannel(new ChunkEncoder(clientState), new ChunkDecoder(MAX_MESSAGE, 64, clientState));

        List<ControlMessage> controls = List.of(new WindowAckSize(5000), new SetPeerBandwidth(5000, LimitType.DYNAMIC),
                new SetChunkSize(1000), new StreamBegin(0));
        controls.forEach(server::write);
        List<Msg> messages = new ArrayList<>();
        for (int i = 0; i < 30; i++) {
            Msg m = new Msg(i % 3 == 0 ? 8 : i % 3 == 1 ? 9 : 20, 33L * i, i % 3 == 2 ? 0 : 1, 0, pattern(100 * i + 7, i));
            messages.add(m);
            server.write(m.toRtmpMessage());
        }
        server.write(new PingRequest(77));
        server.flush();
        ByteBuf b;
        while ((b = server.readOutbound()) != null) {
            client.writeInbound(b);
        }
        List<Object> got = inbound(client);
        try {
            assertThat(got.get(0)).isEqualTo(new StreamBegin(0));
            assertThat(got.get(got.size() - 1)).isEqualTo(new PingRequest(77));
            assertThat(got).hasSize(messages.size() + 2);
            for (int i = 0; i < messages.size(); i++) {
                RtmpMessage r = (RtmpMessage) got.get(i + 1);
                Msg m = messages.get(i);
                assertThat(r.timestamp()).isEqualTo(m.timestamp());
                assertThat(r.typeId()).isEqualTo(m.typeId());
                assertThat(r.streamId()).isEqualTo(m.streamId());
                assertThat(ByteBufUtil.getBytes(r.content())).isEqualTo(m.payload());
            }
            assertThat(clientState.inboundChunkSize()).isEqualTo(1000);
            assertThat(clientState.peerWindowAckSize()).isEqualTo(5000);
            assertThat(clientState.peerBandwidth()).isEqualTo(5000);
            assertThat(serverState.windowAckSizeSent()).isEqualTo(5000);
            assertThat(serverState.outboundChunkSize()).isEqualTo(1000);

            // The client answered Set Peer Bandwidth, acknowledged the window and answered the ping.
            while ((b = client.readOutbound()) != null) {
                server.writeInbound(b);
            }
            List<Object> back = inbound(server);
            assertThat(back).hasSize(1);
            assertThat(back.get(0)).isEqualTo(new PingResponse(77));
            assertThat(serverState.peerWindowAckSize()).isEqualTo(5000);
            assertThat(serverState.peerAcknowledged()).isGreaterThanOrEqualTo(5000);
            // Acks go out per read, so the last one is within one window plus one read of the total.
            assertThat(serverState.peerAcknowledged()).isBetween(clientState.bytesReceived() - 5000 - 3100,
                    clientState.bytesReceived());
            assertThat(clientState.bytesReceived()).isEqualTo(serverState.bytesSent());
        } finally {
            release(got);
            assertThat(server.finishAndReleaseAll()).isFalse();
            assertThat(client.finishAndReleaseAll()).isFalse();
        }
    }
}
