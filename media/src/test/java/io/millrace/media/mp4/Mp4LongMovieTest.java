package io.millrace.media.mp4;

import io.millrace.media.MediaReader;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;

import static io.millrace.media.mp4.BoxWriter.box;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * A synthetic two-hour movie: 180,000 video samples (25 fps, timescale 90000, a keyframe every 50, one
 * ctts entry per sample, a 2-frame edit shift, one chunk per sample) and 340,000 AAC samples (48 kHz,
 * chunks of 2, a 1024-sample priming edit), moov at the end of a sparse file. Checks that the index
 * answers seeks right; prints how long building took and how much the tables hold.
 */
class Mp4LongMovieTest {
    static final int VIDEO = 180_000;
    static final int AUDIO = 340_000;
    static final int KEY_INTERVAL = 50;

    @TempDir
    static Path dir;
    static Path file;

    static int videoSize(int i) {
        return i % KEY_INTERVAL == 0 ? 2000 : 100 + i * 7 % 300;
    }

    static int audioSize(int i) {
        return 8 + i % 16;
    }

    static int cto(int i) {
        return i % 3 == 0 ? 7200 : i % 3 == 1 ? 10800 : 3600;
    }

    /**
     * The edit lists move video 80 ms and audio 1024 samples (21 ms) before 0, so the whole file leads
     * by 80 ms: nothing negative, every relative time kept.
     */
    static final long LEAD = 80;

    /** Expected RTMP timestamp of video sample i: 40 i ms shifted back 80 ms, plus the lead. */
    static long videoTs(int i) {
        return 40L * i - 80 + LEAD;
    }

    static long audioTs(int i) {
        return Math.floorDiv((i - 1L) * 1024 * 1000 + 24000, 48000) + LEAD;
    }

    @BeforeAll
    static void write() throws IOException {
        file = dir.resolve("two-hours.mp4");
        byte[] ftyp = BoxWriter.ftyp();
        long payload = ftyp.length + 16;
        long[] videoOffsets = new long[VIDEO];
        long[] audioChunks = new long[AUDIO / 2];
        long pos = payload;
        int v = 0;
        int a = 0;
        while (v < VIDEO || a < AUDIO) {
            if (v < VIDEO && (a >= AUDIO || v * 3600L * 48000 <= a * 1024L * 90000)) {
                videoOffsets[v] = pos;
                pos += videoSize(v++);
            } else {
                audioChunks[a / 2] = pos;
                pos += audioSize(a) + audioSize(a + 1);
                a += 2;
            }
        }
        int[] vSizes = new int[VIDEO];
        int[] ctts = new int[VIDEO];
        for (int i = 0; i < VIDEO; i++) {
            vSizes[i] = videoSize(i);
            ctts[i] = cto(i);
        }
        int[] keys = new int[VIDEO / KEY_INTERVAL];
        for (int k = 0; k < keys.length; k++) {
            keys[k] = k * KEY_INTERVAL + 1;
        }
        int[] aSizes = new int[AUDIO];
        for (int i = 0; i < AUDIO; i++) {
            aSizes[i] = audioSize(i);
        }
        byte[] videoTrak = BoxWriter.trak(1, "vide", 90000, VIDEO * 3600L, BoxWriter.elst(new long[] {7_200_000, 7200}),
                BoxWriter.stbl(BoxWriter.stsd(BoxWriter.avc1(1920, 1080)), BoxWriter.stts(new long[] {VIDEO, 3600}),
                        BoxWriter.ctts(0, ctts), BoxWriter.stss(keys), BoxWriter.stsc(new long[] {1, 1}),
                        BoxWriter.stsz(vSizes), BoxWriter.stco(videoOffsets)));
        byte[] audioTrak = BoxWriter.trak(2, "soun", 48000, AUDIO * 1024L, BoxWriter.elst(new long[] {7_200_000, 1024}),
                BoxWriter.stbl(BoxWriter.stsd(BoxWriter.mp4a(2, 48000)), BoxWriter.stts(new long[] {AUDIO, 1024}),
                        BoxWriter.stsc(new long[] {1, 2}), BoxWriter.stsz(aSizes), BoxWriter.stco(audioChunks)));
        byte[] moov = box("moov", BoxWriter.mvhd(1000, 7_200_000), videoTrak, audioTrak);
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE)) {
            ch.write(ByteBuffer.wrap(ftyp), 0);
            // mdat with a 64-bit size
            ch.write(ByteBuffer.wrap(new BoxWriter().u32(1).fourcc("mdat").u64(pos - ftyp.length).toBytes()), ftyp.length);
            ch.write(ByteBuffer.wrap(moov), pos); // the media data in between stays a hole
        }
        System.out.printf("two-hour synthetic movie: moov %d bytes, file %d bytes%n", moov.length, pos + moov.length);
    }

    @Test
    void buildsCompactTablesAndAnswersSeeks() throws Exception {
        Mp4Index index = null;
        long micros = Long.MAX_VALUE;
        for (int run = 0; run < 4; run++) { // the first runs warm up the JIT; report the fastest
            long t0 = System.nanoTime();
            index = Mp4Index.build(file);
            micros = Math.min(micros, (System.nanoTime() - t0) / 1000);
        }
        System.out.printf("two-hour synthetic movie: index built in %.1f ms, sample tables ~%.2f MiB (%d + %d samples)%n",
                micros / 1000.0, index.sampleTableBytes() / 1048576.0, index.videoSampleCount(), index.audioSampleCount());

        assertThat(index.videoSampleCount()).isEqualTo(VIDEO);
        assertThat(index.audioSampleCount()).isEqualTo(AUDIO);
        assertThat(index.durationMs()).isEqualTo(7_200_000);
        assertThat(index.metadata().getNumber("framerate", 0)).isEqualTo(25);
        assertThat(index.sampleTableBytes()).isLessThan(12L << 20);

        for (long ms : new long[] {0, 1, 1919, 1920, 1921, 3_600_000, 3_601_999, 3_601_920, 5_432_109, 7_199_999,
            9_999_999}) {
            int k = 0;
            for (int i = 0; i < VIDEO; i += KEY_INTERVAL) {
                if (videoTs(i) <= ms) {
                    k = i;
                }
            }
            assertThat(index.seekPointAtOrBefore(ms)).as("seek point for %d", ms).isEqualTo(videoTs(k));
        }

        try (MediaReader reader = index.openReader()) {
            long t = reader.seek(3_600_000);
            assertThat(t).isEqualTo(3_600_000);
            List<Played> next = Played.drain(reader, 8);
            Played video = next.stream().filter(Played::video).findFirst().orElseThrow();
            assertThat(video.key()).isTrue();
            assertThat(video.ts()).isEqualTo(t);
            assertThat(video.payload()).isEqualTo(2000);
            // sample 90000: cto 7200 = 80 ms
            assertThat(video.cts()).isEqualTo(80);
            Played audio = next.stream().filter(p -> !p.video()).findFirst().orElseThrow();
            assertThat(audio.ts()).isBetween(t - 21, t);
            int a = (int) (((audio.ts() - LEAD) * 48000L + 512) / 1024_000L) + 1;
            assertThat(audioTs(a)).isEqualTo(audio.ts());
            assertThat(audio.payload()).isEqualTo(audioSize(a));

            long last = reader.seek(Long.MAX_VALUE / 4);
            assertThat(last).isEqualTo(videoTs(VIDEO - KEY_INTERVAL));
            List<Played> rest = Played.drain(reader);
            assertThat(rest.stream().filter(Played::video).count()).isEqualTo(KEY_INTERVAL);
            assertThat(rest.get(rest.size() - 1).ts()).isGreaterThan(7_199_000);
        }
    }
}
