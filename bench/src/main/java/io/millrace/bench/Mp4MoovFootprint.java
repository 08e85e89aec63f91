package io.millrace.bench;

import io.millrace.media.MediaIndex;
import io.millrace.media.mp4.Mp4Index;
import io.netty.buffer.PooledByteBufAllocator;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * Retained heap of one {@code Mp4Index} of the 2-hour movie of {@link SyntheticMp4}: builds N indexes of the
 * same file (default 20), keeps them all reachable, and compares the heap used after full GCs before and
 * after; also times the very first build and first frame in this JVM (cold: interpreter, no JIT), which
 * the JMH benchmark, in steady state, does not show.
 *
 * <pre>java -cp bench/target/benchmarks.jar io.millrace.bench.Mp4MoovFootprint [N] [samplesPerVideoChunk 25|1]</pre>
 *
 * Run with a fixed heap and one GC thread setting for a steadier reading, e.g.
 * {@code -Xms1g -Xmx1g -XX:+UseSerialGC}; used heap is read from the MemoryMXBean after several
 * {@code System.gc()} calls (which with G1 or Serial are full collections).
 */
public final class Mp4MoovFootprint {

    private Mp4MoovFootprint() {
    }

    public static void main(String[] args) throws Exception {
        int n = args.length > 0 ? Integer.parseInt(args[0]) : 20;
        int perChunk = args.length > 1 ? Integer.parseInt(args[1]) : 25;
        Path dir = Files.createTempDirectory("millrace-mp4footprint");
        Path file = dir.resolve("movie-2h.mp4");
        try {
            long t0 = System.nanoTime();
            SyntheticMp4.Movie movie = SyntheticMp4.write(file, perChunk);
            System.out.printf(Locale.ROOT, "file: %s, %d bytes (sparse), moov %d bytes, %d video + %d audio chunks; written in %.0f ms%n",
                    file, movie.fileSize(), movie.moovSize(), movie.videoChunks(), movie.audioChunks(), (System.nanoTime() - t0) / 1e6);

            // Cold: the first build and the first frame in this JVM (Netty's allocator already initialised,
            // as it is in a running server; the MP4 classes are not loaded yet).
            PooledByteBufAllocator.DEFAULT.directBuffer(64).release();
            long b0 = System.nanoTime();
            MediaIndex first = Mp4Index.build(file);
            long b1 = System.nanoTime();
            long r = Mp4MoovBenchmark.firstVideoFrame(first, PooledByteBufAllocator.DEFAULT);
            long b2 = System.nanoTime();
            Mp4MoovBenchmark.check(first, movie);
            if (r < 0) {
                throw new IllegalStateException("no video frame");
            }
            System.out.printf(Locale.ROOT, "cold (first in this JVM): build %.1f ms, then first video frame %.1f ms, total %.1f ms%n",
                    (b1 - b0) / 1e6, (b2 - b1) / 1e6, (b2 - b0) / 1e6);
            System.out.println("index: " + first);
            first = null;

            MemoryMXBean mem = ManagementFactory.getMemoryMXBean();
            long before = usedAfterGc(mem);
            List<MediaIndex> kept = new ArrayList<>(n);
            long[] buildNanos = new long[n];
            for (int i = 0; i < n; i++) {
                long s = System.nanoTime();
                kept.add(Mp4Index.build(file));
                buildNanos[i] = System.nanoTime() - s;
            }
            long after = usedAfterGc(mem);
            double perIndex = (after - before) / (double) n;
            System.out.printf(Locale.ROOT, "heap used after GC: %d bytes before, %d bytes with %d indexes reachable%n", before, after, n);
            System.out.printf(Locale.ROOT, "retained per index: %.0f bytes (%.2f MiB)%n", perIndex, perIndex / (1 << 20));
            System.out.printf(Locale.ROOT, "per sample (517,500 samples): %.2f bytes%n", perIndex / 517_500.0);
            try {
                Object st = kept.get(0).getClass().getMethod("sampleTableBytes").invoke(kept.get(0));
                System.out.println("Mp4Index.sampleTableBytes() (the index's own estimate): " + st + " bytes");
            } catch (ReflectiveOperationException e) {
                System.out.println("Mp4Index.sampleTableBytes() not available");
            }
            long[] sorted = buildNanos.clone();
            Arrays.sort(sorted);
            System.out.printf(Locale.ROOT, "builds 2..%d (warming up): median %.1f ms, min %.1f ms, max %.1f ms%n", n + 1,
                    sorted[n / 2] / 1e6, sorted[0] / 1e6, sorted[n - 1] / 1e6);
            // keep them reachable until after the measurement
            if (kept.size() != n) {
                throw new AssertionError();
            }
            System.out.printf(Locale.ROOT, "RESULT n=%d retained_bytes_per_index=%.0f cold_build_ms=%.1f cold_first_frame_ms=%.1f%n",
                    n, perIndex, (b1 - b0) / 1e6, (b2 - b0) / 1e6);
        } finally {
            Files.deleteIfExists(file);
            Files.deleteIfExists(dir);
        }
    }

    private static long usedAfterGc(MemoryMXBean mem) throws InterruptedException {
        long used = Long.MAX_VALUE;
        for (int i = 0; i < 5; i++) {
            System.gc();
            Thread.sleep(50);
            used = Math.min(used, mem.getHeapMemoryUsage().getUsed());
        }
        return used;
    }
}
