package io.millrace.bench;

import io.millrace.media.flv.FlvIndex;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * Indexing the bundled sample (372,055 bytes, 687 tags, 10 s) by one scan of its tag headers:
 * {@code FlvIndex.build(sample, false)}, i.e. what a cache miss costs for a file without a usable
 * keyframes table (the sample has none). The file is in the page cache after the first iteration, so
 * this is the CPU and system-call cost, not disk time. Open, scan and close happen in every operation.
 *
 * <p>The sample comes from {@code -Dmillrace.sample=FILE} or is found by walking up from the working
 * directory to {@code apps/vod/media/sample.flv}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class FlvIndexBenchmark {
    private Path sample;

    @Setup(Level.Trial)
    public void setUp() throws IOException {
        sample = Payloads.sampleFlv();
        FlvIndex index = FlvIndex.build(sample, false);
        if (index.fromKeyframesTable() || index.videoTagCount() <= 0 || index.keyframeCount() <= 0) {
            throw new IllegalStateException("unexpected index of " + sample + ": " + index);
        }
    }

    @Benchmark
    public FlvIndex buildByScan() throws IOException {
        return FlvIndex.build(sample, false);
    }
}
