package io.millrace.bench;

import io.millrace.media.flv.FlvIndex;
import org.junit.jupiter.api.Test;
import org.openjdk.jmh.infra.Blackhole;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Each benchmark's setup, a few operations and teardown, outside JMH: the benchmarks compute what they
 * claim and release every buffer (the build runs with paranoid leak detection). No timing is checked.
 */
class BenchmarksSanityTest {
    private static final int OPS = 50;

    @Test
    void chunkWriterWritesWholeMessagesAndReleasesItsBuffers() {
        for (String kind : List.of("video", "audio")) {
            for (int chunkSize : new int[] {128, 4096}) {
                ChunkWriterBenchmark b = new ChunkWriterBenchmark();
                b.kind = kind;
                b.chunkSize = chunkSize;
                b.setUp();
                try {
                    int payload = kind.equals("video") ? Payloads.VIDEO_SIZE : Payloads.AUDIO_SIZE;
                    int chunks = (payload + chunkSize - 1) / chunkSize;
                    for (int i = 0; i < OPS; i++) {
                        int written = b.write();
                        // One 1-byte basic header per chunk plus 0..11 bytes of message header.
                        assertThat(written).as("%s at chunk size %d", kind, chunkSize)
                                .isBetween(payload + chunks, payload + chunks + 11);
                    }
                } finally {
                    b.tearDown();
                }
            }
        }
    }

    @Test
    void chunkWriterZeroCopyWritesAsManyBytesAsCopyingAndReleasesItsBuffers() {
        for (String kind : List.of("video", "audio")) {
            for (int chunkSize : new int[] {128, 4096}) {
                ChunkWriterBenchmark copying = new ChunkWriterBenchmark();
                ChunkWriterBenchmark zeroCopy = new ChunkWriterBenchmark();
                for (ChunkWriterBenchmark b : List.of(copying, zeroCopy)) {
                    b.kind = kind;
                    b.chunkSize = chunkSize;
                    b.setUp();
                }
                try {
                    for (int i = 0; i < OPS; i++) {
                        assertThat(zeroCopy.writeZeroCopy()).as("%s at chunk size %d", kind, chunkSize)
                                .isEqualTo(copying.write());
                    }
                } finally {
                    copying.tearDown();
                    zeroCopy.tearDown();
                }
            }
        }
    }

    @Test
    void chunkReaderReadsEveryMessageBack() {
        Blackhole bh = new Blackhole("Today's password is swordfish. I understand instantiating Blackholes directly is dangerous.");
        for (int chunkSize : new int[] {128, 4096}) {
            ChunkReaderBenchmark b = new ChunkReaderBenchmark();
            b.chunkSize = chunkSize;
            b.setUp();
            try {
                for (int i = 0; i < 5; i++) {
                    assertThat(b.read(bh)).isEqualTo(ChunkReaderBenchmark.MESSAGES);
                }
            } finally {
                b.tearDown();
            }
        }
    }

    @Test
    void amfBenchmarksDecodeAndEncode() {
        AmfBenchmark b = new AmfBenchmark();
        b.setUp();
        try {
            for (int i = 0; i < OPS; i++) {
                assertThat(b.decodeConnect()).hasSize(3).first().isEqualTo("connect");
                assertThat(b.decodeConnectFlashPlayer()).hasSize(3).first().isEqualTo("connect");
                assertThat(b.encodeOnStatusInfo()).isGreaterThan(100);
                assertThat(b.encodeOnStatusCommand()).isGreaterThan(b.encodeOnStatusInfo());
            }
        } finally {
            b.tearDown();
        }
    }

    @Test
    void flvIndexScansTheSample() throws Exception {
        FlvIndexBenchmark b = new FlvIndexBenchmark();
        b.setUp();
        FlvIndex index = b.buildByScan();
        assertThat(index.fromKeyframesTable()).isFalse();
        assertThat(index.keyframeCount()).isEqualTo(5);
        assertThat(index.videoTagCount()).isPositive();
    }
}
