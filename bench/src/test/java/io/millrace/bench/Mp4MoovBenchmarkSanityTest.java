package io.millrace.bench;

import io.millrace.media.MediaIndex;
import io.millrace.media.mp4.Mp4Index;
import io.netty.buffer.PooledByteBufAllocator;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The synthetic 2-hour movie is what {@link Mp4MoovBenchmark} says it is, in both layouts, and the
 * benchmark's operations read a video frame from it (buffers released: the build runs with paranoid leak
 * detection). No timing is checked.
 */
class Mp4MoovBenchmarkSanityTest {

    @Test
    void theMovieIndexesAsATwoHourMovieAndPlaysItsFirstFrame() throws Exception {
        for (int perChunk : new int[] {25, 1}) {
            Mp4MoovBenchmark b = new Mp4MoovBenchmark();
            b.samplesPerVideoChunk = perChunk;
            b.setUp();
            try {
                b.verify();
                MediaIndex index = b.buildIndex();
                assertThat(index.durationMs()).isBetween(SyntheticMp4.DURATION_MS - 1000, SyntheticMp4.DURATION_MS + 1000);
                assertThat(index.hasVideo()).isTrue();
                assertThat(index.hasAudio()).isTrue();
                assertThat(index.unsupportedReason()).isNull();
                // past the 4 GiB mark: co64 offsets
                assertThat(index.fileSize()).isGreaterThan(1L << 32);
                // the last keyframe: every 50th of 180,000 frames at 40 ms
                assertThat(index.seekPointAtOrBefore(Long.MAX_VALUE / 2)).isBetween(7_198_000L - 100, 7_198_000L + 100);
                for (int i = 0; i < 3; i++) {
                    assertThat(b.firstFrame()).isGreaterThanOrEqualTo(0);
                }
            } finally {
                b.tearDown();
            }
        }
    }

    @Test
    void theMoovDescribesEverySampleAndTheMdatIsSparse() throws Exception {
        var dir = Files.createTempDirectory("millrace-mp4sanity");
        var file = dir.resolve("movie.mp4");
        try {
            SyntheticMp4.Movie m = SyntheticMp4.write(file, 25);
            assertThat(m.videoChunks()).isEqualTo(7200);
            assertThat(m.audioChunks()).isEqualTo(7200);
            assertThat(Files.size(file)).isEqualTo(m.fileSize());
            assertThat(m.mediaBytes()).isGreaterThan(4L << 30);
            Mp4Index index = Mp4Index.build(file);
            assertThat(Mp4MoovBenchmark.firstVideoFrame(index, PooledByteBufAllocator.DEFAULT)).isGreaterThanOrEqualTo(0);
        } finally {
            Files.deleteIfExists(file);
            Files.deleteIfExists(dir);
        }
    }
}
