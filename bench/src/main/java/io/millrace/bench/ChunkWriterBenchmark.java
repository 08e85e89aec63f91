package io.millrace.bench;

import io.millrace.rtmp.chunk.ChunkWriter;
import io.millrace.rtmp.message.MessageType;
import io.millrace.rtmp.message.RtmpMessage;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.PooledByteBufAllocator;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * One outbound media message into chunks, as the server's ChunkEncoder does it: a pooled direct
 * buffer of {@link ChunkWriter#maxEncodedSize} is allocated, the message written into it, the buffer
 * released (standing in for the socket write).
 *
 * <p>Each operation writes the next message of a ring of 1024 that share one payload and carry
 * timestamps advancing by the frame interval, so the headers are what a real stream gets (fmt 3 in
 * the steady state, fmt 0 once per ring turn when the timestamp goes back). Nothing is allocated on
 * the heap per operation by the benchmark itself: {@code -prof gc}'s gc.alloc.rate.norm is the
 * writer's (and the pooled allocator's) own.
 *
 * <p>{@link #writeZeroCopy} is the encoder's other path for the same message: {@link ChunkWriter#writeZeroCopy}
 * makes a read-only buffer of chunk headers and the payload's own bytes (nothing copied), whose NIO buffers
 * are then taken as a gathering write takes them (one per chunk header and per chunk body), and the buffer
 * released. Compare it with {@link #write}, which copies the payload.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class ChunkWriterBenchmark {
    private static final int RING = 1024;

    /** Outbound chunk size: 128 is the protocol's initial size, 4096 the server's default (rtmp.chunkSize). */
    @Param({"128", "4096"})
    public int chunkSize;

    /** video: one 30 KB frame; audio: one 300-byte frame. */
    @Param({"video", "audio"})
    public String kind;

    private final ByteBufAllocator alloc = PooledByteBufAllocator.DEFAULT;
    private ByteBuf payload;
    private RtmpMessage[] ring;
    private ChunkWriter writer;
    private int next;
    private final List<ByteBuf> parts = new ArrayList<>(1);

    @Setup(Level.Trial)
    public void setUp() {
        int typeId = kind.equals("video") ? MessageType.VIDEO : MessageType.AUDIO;
        int interval = typeId == MessageType.VIDEO ? Payloads.VIDEO_INTERVAL : Payloads.AUDIO_INTERVAL;
        payload = Payloads.media(alloc, typeId, 42);
        ring = new RtmpMessage[RING];
        for (int i = 0; i < RING; i++) {
            // Views of the one payload (not retained): only the payload itself is released, in tearDown.
            ring[i] = new RtmpMessage(typeId, (long) i * interval, 1, payload.duplicate());
        }
        writer = new ChunkWriter();
        writer.setChunkSize(chunkSize);
        next = 0;
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        ring = null;
        payload.release();
    }

    /** Returns the encoded size so JMH consumes it; the buffer itself is released before returning. */
    @Benchmark
    public int write() {
        RtmpMessage msg = ring[next];
        next = (next + 1) & (RING - 1);
        ByteBuf out = alloc.ioBuffer(writer.maxEncodedSize(msg.content().readableBytes()));
        try {
            writer.write(msg, out);
            return out.writerIndex();
        } finally {
            out.release();
        }
    }

    /**
     * The zero-copy path: the chunks as buffers over the payload, their NIO buffers taken as a gathering write
     * does (at most 1024 per buffer, Linux's IOV_MAX), then released. Returns the bytes so JMH consumes them.
     */
    @Benchmark
    public long writeZeroCopy() {
        RtmpMessage msg = ring[next];
        next = (next + 1) & (RING - 1);
        writer.writeZeroCopy(msg, alloc, 1024, parts);
        long bytes = 0;
        try {
            for (ByteBuf b : parts) {
                for (ByteBuffer nio : b.nioBuffers()) {
                    bytes += nio.remaining();
                }
            }
            return bytes;
        } finally {
            for (ByteBuf b : parts) {
                b.release();
            }
            parts.clear();
        }
    }
}
