package io.millrace.bench;

import io.millrace.media.MediaFrame;
import io.millrace.media.MediaIndex;
import io.millrace.media.MediaReader;
import io.millrace.media.mp4.Mp4Index;
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

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * "Time to first frame" of a 2-hour 1080p movie in MP4: the moov of {@link SyntheticMp4} (180,000 video
 * samples with ctts and stss, 337,500 AAC samples, co64 offsets past 4 GiB; about 3–7 MB of sample tables)
 * in a sparse file written once per trial into a temp folder.
 *
 * <ul>
 *   <li>{@link #buildIndex}: {@code Mp4Index.build(file)}, what a cache miss costs before the first byte
 *       can be sent;</li>
 *   <li>{@link #firstFrame}: the same, then {@code openReader}, {@code configFrames}, {@code seek(0)} and
 *       {@code next()} until the first video frame (read from the file), every frame released, the
 *       reader closed. The first play of a file the index cache does not hold, minus the network.</li>
 * </ul>
 * The file is in the page cache (it was just written), so this is CPU and system calls, not disk.
 * {@code layout}: 25 video samples per chunk (one chunk per second, audio interleaved per second, as muxers
 * write) or 1 sample per chunk on both tracks (the largest co64, 517,500 offsets).
 *
 * <p>Steady state with the defaults; for a cold JVM (the first build after a server start: MP4 classes
 * not loaded, no JIT), run single-shot in many forks: {@code -bm ss -wi 0 -i 1 -f 10}. The index is
 * checked (duration, tracks, file size, a video frame read) after the measurement, in the trial's teardown.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 5, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class Mp4MoovBenchmark {

    @Param({"25", "1"})
    public int samplesPerVideoChunk;

    private Path dir;
    private Path file;
    private final ByteBufAllocator alloc = PooledByteBufAllocator.DEFAULT;

    private SyntheticMp4.Movie movie;

    /**
     * Writes the file; touches no MP4 class, so that a single-shot run ({@code -bm ss -wi 0 -i 1}) measures
     * the first build in the JVM. Netty's allocator is initialised here, as it is in a running server.
     */
    @Setup(Level.Trial)
    public void setUp() throws IOException {
        dir = Files.createTempDirectory("millrace-mp4moov");
        file = dir.resolve("movie-2h.mp4");
        movie = SyntheticMp4.write(file, samplesPerVideoChunk);
        alloc.directBuffer(64).release();
    }

    /** The index is that of the movie written, and a video frame can be read: checked after the measurement. */
    public void verify() throws IOException {
        MediaIndex index = Mp4Index.build(file);
        check(index, movie);
        if (firstVideoFrame(index, alloc) < 0) {
            throw new IllegalStateException("no video frame read from " + file);
        }
    }

    /** Fails unless the index is that of the movie SyntheticMp4 describes. */
    static void check(MediaIndex index, SyntheticMp4.Movie movie) {
        if (!index.hasVideo() || !index.hasAudio() || index.unsupportedReason() != null
                || Math.abs(index.durationMs() - SyntheticMp4.DURATION_MS) > 1000 || index.fileSize() != movie.fileSize()) {
            throw new IllegalStateException("unexpected index of " + movie.file() + ": " + index);
        }
    }

    @TearDown(Level.Trial)
    public void tearDown() throws IOException {
        try {
            verify();
        } finally {
            Files.deleteIfExists(file);
            Files.deleteIfExists(dir);
        }
    }

    @Benchmark
    public MediaIndex buildIndex() throws IOException {
        return Mp4Index.build(file);
    }

    @Benchmark
    public long firstFrame() throws IOException {
        return firstVideoFrame(Mp4Index.build(file), alloc);
    }

    /**
     * openReader, configFrames, seek(0), next() until the first video frame; every frame released.
     * Returns that frame's timestamp plus the bytes read (so nothing is dead code), -1 if none came.
     */
    static long firstVideoFrame(MediaIndex index, ByteBufAllocator alloc) throws IOException {
        try (MediaReader reader = index.openReader()) {
            long sum = 0;
            List<MediaFrame> config = reader.configFrames(alloc);
            for (MediaFrame f : config) {
                sum += f.content().readableBytes();
                f.release();
            }
            sum += reader.seek(0);
            for (int i = 0; i < 100; i++) {
                MediaFrame f = reader.next(alloc);
                if (f == null) {
                    return -1;
                }
                try {
                    sum += f.content().readableBytes();
                    if (f.isVideo() && !f.isConfig()) {
                        return sum + f.timestamp();
                    }
                } finally {
                    f.release();
                }
            }
            return -1;
        }
    }
}
