package io.millrace.bench;

import io.millrace.rtmp.chunk.ChunkReader;
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
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;

import java.util.concurrent.TimeUnit;

/**
 * Reassembling messages from a chunk stream, as the server's (and the client's) ChunkDecoder does.
 *
 * <p>The input is {@value #MESSAGES} messages chunked once in setup with {@link ChunkWriter}: a 25 fps
 * video track of 30 KB frames interleaved by timestamp with an AAC track of 300-byte frames
 * (40 video, 60 audio, 1,246,800 payload bytes), in one pooled direct buffer, as a socket read would
 * deliver it. One invocation reads the whole stream with one long-lived {@link ChunkReader} (the stream
 * starts with fmt-0 headers, so re-reading it is valid) and releases every message; the score is per
 * message ({@code @OperationsPerInvocation}).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class ChunkReaderBenchmark {
    static final int MESSAGES = 100;
    static final int VIDEO_MESSAGES = 40;

    /** Inbound chunk size: 128 (the initial size) or 4096 (the server's default outbound size). */
    @Param({"128", "4096"})
    public int chunkSize;

    private final ByteBufAllocator alloc = PooledByteBufAllocator.DEFAULT;
    private ByteBuf stream;
    private ChunkReader reader;

    @Setup(Level.Trial)
    public void setUp() {
        ByteBuf video = Payloads.media(alloc, MessageType.VIDEO, 1);
        ByteBuf audio = Payloads.media(alloc, MessageType.AUDIO, 2);
        try {
            ChunkWriter writer = new ChunkWriter();
            writer.setChunkSize(chunkSize);
            stream = alloc.directBuffer();
            int v = 0;
            int a = 0;
            for (int i = 0; i < MESSAGES; i++) {
                long vt = (long) v * Payloads.VIDEO_INTERVAL;
                long at = (long) a * Payloads.AUDIO_INTERVAL;
                boolean takeVideo = v < VIDEO_MESSAGES && (a >= MESSAGES - VIDEO_MESSAGES || vt <= at);
                RtmpMessage m = takeVideo
                        ? new RtmpMessage(MessageType.VIDEO, vt, 1, video.duplicate())
                        : new RtmpMessage(MessageType.AUDIO, at, 1, audio.duplicate());
                if (takeVideo) {
                    v++;
                } else {
                    a++;
                }
                writer.write(m, stream); // borrows the (unretained) view; nothing to release
            }
        } finally {
            video.release();
            audio.release();
        }
        reader = new ChunkReader(alloc);
        reader.setChunkSize(chunkSize);
        // Sanity: the stream reads back as exactly MESSAGES whole messages.
        int n = readAll(null);
        if (n != MESSAGES) {
            throw new IllegalStateException("read back " + n + " messages, expected " + MESSAGES);
        }
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        reader.release();
        stream.release();
    }

    @Benchmark
    @OperationsPerInvocation(MESSAGES)
    public int read(Blackhole bh) {
        return readAll(bh);
    }

    private int readAll(Blackhole bh) {
        stream.readerIndex(0);
        int n = 0;
        RtmpMessage m;
        while ((m = reader.read(stream)) != null) {
            try {
                if (bh != null) {
                    bh.consume(m.timestamp());
                    bh.consume(m.content().readableBytes());
                }
                n++;
            } finally {
                m.release();
            }
        }
        if (stream.isReadable()) {
            throw new IllegalStateException(stream.readableBytes() + " bytes left unread");
        }
        return n;
    }
}
