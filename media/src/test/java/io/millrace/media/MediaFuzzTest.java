package io.millrace.media;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.millrace.media.flv.FlvMediaIndex;
import io.millrace.media.mp3.Mp3Index;
import io.millrace.media.mp4.Mp4Index;
import io.millrace.testkit.TrackingAllocator;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Fuzz targets for the media file readers (Jazzer): the input is written to a file, which is indexed
 * as the server does before playing it, then read frame by frame, seeked and read again. Corpus:
 * {@code src/test/resources/io/millrace/media/MediaFuzzTestInputs/<method>/} (tiny real files made by
 * ffmpeg, plus regression inputs).
 *
 * <p>Properties: a bad file fails with {@link MediaFormatException} only; frames have non-negative
 * timestamps and fit in the file; memory is bounded by the file's size (the thread's allocations while
 * indexing and reading are checked, so a header that announces millions of samples in a few bytes is
 * caught even when it ends in an exception); every buffer is released.
 */
class MediaFuzzTest {

    /** Allowed allocation: a fixed amount plus so many bytes per file byte. */
    private static final long FIXED_ALLOCATION = 16L << 20;
    private static final long ALLOCATION_PER_BYTE = 256;
    /** Frames read per pass at most (a tiny file may still announce many empty samples). */
    private static final int MAX_FRAMES = 20_000;

    private static final com.sun.management.ThreadMXBean THREADS =
            (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();

    private static Path dir;

    @BeforeAll
    static void createDirectory() throws IOException {
        dir = Files.createTempDirectory("millrace-media-fuzz");
    }

    @AfterAll
    static void deleteDirectory() throws IOException {
        try (var files = Files.list(dir)) {
            for (Path p : (Iterable<Path>) files::iterator) {
                Files.deleteIfExists(p);
            }
        }
        Files.deleteIfExists(dir);
    }

    @FuzzTest(maxDuration = "30s")
    void flv(byte[] data) throws IOException {
        check(data, "input.flv", FlvMediaIndex::build);
    }

    @FuzzTest(maxDuration = "30s")
    void mp4(byte[] data) throws IOException {
        check(data, "input.mp4", Mp4Index::build);
    }

    @FuzzTest(maxDuration = "30s")
    void mp3(byte[] data) throws IOException {
        check(data, "input.mp3", Mp3Index::build);
    }

    private static void check(byte[] data, String name, MediaIndexCache.Loader loader) throws IOException {
        Path file = dir.resolve(name);
        Files.write(file, data);
        long allowed = FIXED_ALLOCATION + ALLOCATION_PER_BYTE * data.length;
        long allocated = indexAndRead(file, data.length, loader);
        if (allocated > allowed) {
            // The first use of a code path also loads and initializes classes: measure again, warm.
            allocated = indexAndRead(file, data.length, loader);
            if (allocated > allowed) {
                throw new AssertionError("indexing and reading a " + data.length + "-byte file allocated "
                        + allocated + " bytes (allowed " + allowed + ")");
            }
        }
    }

    /** Indexes and reads the file; returns the bytes this thread allocated meanwhile. */
    private static long indexAndRead(Path file, long fileSize, MediaIndexCache.Loader loader) throws IOException {
        TrackingAllocator alloc = new TrackingAllocator();
        long before = THREADS.getCurrentThreadAllocatedBytes();
        try {
            MediaIndex index;
            try {
                index = loader.load(file);
            } catch (MediaFormatException e) {
                return THREADS.getCurrentThreadAllocatedBytes() - before; // the documented refusal
            }
            exercise(index, fileSize, alloc);
            return THREADS.getCurrentThreadAllocatedBytes() - before;
        } finally {
            alloc.assertAllReleased();
        }
    }

    private static void exercise(MediaIndex index, long fileSize, TrackingAllocator alloc) throws IOException {
        long duration = index.durationMs();
        index.metadata();
        index.retainedBytes();
        for (long ms : new long[] {Long.MIN_VALUE, -1, 0, duration / 2, duration, Long.MAX_VALUE}) {
            index.seekPointAtOrBefore(ms);
        }
        if (index.unsupportedReason() != null) {
            return; // the server refuses to play it
        }
        try (MediaReader reader = index.openReader()) {
            release(reader.configFrames(alloc));
            readFrames(reader, fileSize, alloc);
            reader.idle();
            reader.seek(duration / 2);
            release(reader.configFrames(alloc));
            readFrames(reader, fileSize, alloc);
            reader.seek(Long.MAX_VALUE);
            readFrames(reader, fileSize, alloc);
        }
    }

    private static void readFrames(MediaReader reader, long fileSize, TrackingAllocator alloc) throws IOException {
        FrameRef ref = new FrameRef();
        for (int i = 0; i < MAX_FRAMES && reader.next(ref, alloc); i++) {
            if (ref.timestamp() < 0) {
                throw new AssertionError("frame " + i + " has a negative timestamp: " + ref);
            }
            if (ref.payloadLength() > fileSize) {
                throw new AssertionError("frame " + i + " is larger than the file: " + ref);
            }
        }
    }

    private static void release(List<MediaFrame> frames) {
        frames.forEach(MediaFrame::release);
    }
}
