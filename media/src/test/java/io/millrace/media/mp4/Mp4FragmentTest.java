package io.millrace.media.mp4;

import io.millrace.media.MediaFormatException;
import io.millrace.media.MediaReader;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

import static io.millrace.media.mp4.BoxWriter.box;
import static io.millrace.media.mp4.BoxWriter.concat;
import static io.millrace.media.mp4.BoxWriter.full;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * A synthetic fragmented movie: empty sample tables in moov, defaults in trex (video: 40 ms, 100 bytes,
 * non-sync; audio: 960 at 48 kHz, 10 bytes), and two fragments written differently:
 * <ol>
 * <li>moof 1: default-base-is-moof, tfdt, truns with data offsets, the video one with first-sample-flags;</li>
 * <li>moof 2: no tfdt (times continue), explicit base-data-offset, per-sample sizes and flags for video,
 *     and two audio truns of which the second has no data offset (it follows the first).</li>
 * </ol>
 */
class Mp4FragmentTest {
    private static final int SYNC = 0x02000000;
    private static final int NON_SYNC = 0x01010000;

    @TempDir
    Path dir;

    static byte[] emptyStbl(byte[] entry) {
        return BoxWriter.stbl(BoxWriter.stsd(entry), BoxWriter.stts(), BoxWriter.stsc(),
                BoxWriter.stsz(new int[0]), BoxWriter.stco(new long[0]));
    }

    static byte[] trex(int id, long duration, long size, int flags) {
        return full("trex", 0, 0, new BoxWriter().u32(id).u32(1).u32(duration).u32(size).u32(flags).toBytes());
    }

    static byte[] moov() {
        return box("moov", BoxWriter.mvhd(1000, 0),
                BoxWriter.trak(1, "vide", 1000, 0, null, emptyStbl(BoxWriter.avc1(640, 360))),
                BoxWriter.trak(2, "soun", 48000, 0, null, emptyStbl(BoxWriter.mp4a(2, 48000))),
                box("mvex", trex(1, 40, 100, NON_SYNC), trex(2, 960, 10, 0)));
    }

    static byte[] mfhd(int sequence) {
        return full("mfhd", 0, 0, new BoxWriter().u32(sequence).toBytes());
    }

    static byte[] payload(int from, int videoSamples, int audioFrom, int audioSamples) {
        byte[] p = new byte[videoSamples * 100 + audioSamples * 10];
        for (int i = 0; i < videoSamples; i++) {
            Arrays.fill(p, i * 100, i * 100 + 100, (byte) (from + i));
        }
        for (int j = 0; j < audioSamples; j++) {
            Arrays.fill(p, videoSamples * 100 + j * 10, videoSamples * 100 + j * 10 + 10, (byte) (100 + audioFrom + j));
        }
        return p;
    }

    /** Fragment 1: samples 0-4 of video, 0-9 of audio. */
    static byte[] fragment1() {
        // moof = 8 + mfhd 16 + traf(8 + tfhd 16 + tfdt 20 + trun 24) + traf(8 + tfhd 16 + tfdt 16 + trun 20)
        int moofSize = 8 + 16 + (8 + 16 + 20 + 24) + (8 + 16 + 16 + 20);
        byte[] videoTraf = box("traf", full("tfhd", 0, 0x020000, new BoxWriter().u32(1).toBytes()),
                full("tfdt", 1, 0, new BoxWriter().u64(0).toBytes()),
                full("trun", 0, 0x000005, new BoxWriter().u32(5).u32(moofSize + 8).u32(SYNC).toBytes()));
        byte[] audioTraf = box("traf", full("tfhd", 0, 0x020000, new BoxWriter().u32(2).toBytes()),
                full("tfdt", 0, 0, new BoxWriter().u32(0).toBytes()),
                full("trun", 0, 0x000001, new BoxWriter().u32(10).u32(moofSize + 8 + 500).toBytes()));
        byte[] moof = box("moof", mfhd(1), videoTraf, audioTraf);
        assertThat(moof.length).isEqualTo(moofSize);
        return concat(moof, box("mdat", payload(0, 5, 0, 10)));
    }

    /** Fragment 2 at file offset {@code at}: samples 5-9 of video, 10-19 of audio. */
    static byte[] fragment2(long at) {
        // moof = 8 + mfhd 16 + traf(8 + tfhd 24 + trun (20 + 5 * 8)) + traf(8 + tfhd 24 + trun 20 + trun 16)
        int moofSize = 8 + 16 + (8 + 24 + 20 + 40) + (8 + 24 + 20 + 16);
        long data = at + moofSize + 8;
        BoxWriter samples = new BoxWriter();
        for (int i = 0; i < 5; i++) {
            samples.u32(100).u32(i == 0 ? SYNC : NON_SYNC);
        }
        byte[] videoTraf = box("traf", full("tfhd", 0, 0x000001, new BoxWriter().u32(1).u64(data).toBytes()),
                full("trun", 0, 0x000601, new BoxWriter().u32(5).u32(0).bytes(samples.toBytes()).toBytes()));
        byte[] audioTraf = box("traf", full("tfhd", 0, 0x000001, new BoxWriter().u32(2).u64(data + 500).toBytes()),
                full("trun", 0, 0x000001, new BoxWriter().u32(5).u32(0).toBytes()),
                full("trun", 0, 0, new BoxWriter().u32(5).toBytes()));
        byte[] moof = box("moof", mfhd(2), videoTraf, audioTraf);
        assertThat(moof.length).isEqualTo(moofSize);
        return concat(moof, box("mdat", payload(5, 5, 10, 10)));
    }

    static byte[] movie() {
        byte[] head = concat(BoxWriter.ftyp(), moov(), fragment1());
        return concat(head, fragment2(head.length));
    }

    @Test
    void fragmentsWithDefaultsFromTrexTfhdAndTrun() throws Exception {
        Path f = dir.resolve("fragmented.mp4");
        Files.write(f, movie());
        Mp4Index index = Mp4Index.build(f);
        assertThat(index.videoSampleCount()).isEqualTo(10);
        assertThat(index.audioSampleCount()).isEqualTo(20);
        assertThat(index.durationMs()).isEqualTo(400);
        assertThat(index.seekPointAtOrBefore(399)).isEqualTo(200);
        List<Played> frames;
        try (MediaReader reader = index.openReader()) {
            frames = Played.drain(reader);
        }
        List<Played> video = frames.stream().filter(Played::video).toList();
        List<Played> audio = frames.stream().filter(p -> !p.video()).toList();
        assertThat(video.stream().map(Played::ts).toList())
                .containsExactly(0L, 40L, 80L, 120L, 160L, 200L, 240L, 280L, 320L, 360L);
        assertThat(video.stream().map(Played::key).toList())
                .containsExactly(true, false, false, false, false, true, false, false, false, false);
        assertThat(audio).hasSize(20);
        for (int j = 0; j < 20; j++) {
            assertThat(audio.get(j).ts()).isEqualTo(20L * j);
        }
        // contents: read them again with their bytes
        try (MediaReader reader = index.openReader()) {
            for (int n = 0; n < 30; n++) {
                var frame = reader.next(Played.ALLOC);
                try {
                    int header = frame.isVideo() ? 5 : 2;
                    int b = frame.content().getByte(header) & 0xFF;
                    if (frame.isVideo()) {
                        assertThat(b).isEqualTo((int) (frame.timestamp() / 40));
                    } else {
                        assertThat(b).isEqualTo(100 + (int) (frame.timestamp() / 20));
                    }
                } finally {
                    frame.release();
                }
            }
        }
    }

    @Test
    void truncatedInsideTheSecondFragment() throws Exception {
        byte[] whole = movie();
        Path f = dir.resolve("cut.mp4");
        // the second mdat holds video 5-9 (500 bytes) then audio 10-19 (100 bytes): cut inside audio sample 15
        Files.write(f, Arrays.copyOf(whole, whole.length - 45));
        Mp4Index index = Mp4Index.build(f);
        assertThat(index.videoSampleCount()).isEqualTo(10);
        assertThat(index.audioSampleCount()).isEqualTo(15);
        assertThat(index.durationMs()).isEqualTo(400);

        Files.write(f, Arrays.copyOf(whole, whole.length - 700)); // inside the second moof
        index = Mp4Index.build(f);
        assertThat(index.videoSampleCount()).isEqualTo(5);
        assertThat(index.audioSampleCount()).isEqualTo(10);
        assertThat(index.durationMs()).isEqualTo(200);
    }

    @Test
    void trunCountsAreBounded() throws Exception {
        byte[] head = concat(BoxWriter.ftyp(), moov());
        byte[] moof = box("moof", mfhd(1), box("traf", full("tfhd", 0, 0x020000, new BoxWriter().u32(1).toBytes()),
                full("trun", 0, 0x000200, new BoxWriter().u32(0x7FFFFFFF).u32(100).toBytes())));
        Path f = dir.resolve("bad.mp4");
        Files.write(f, concat(head, moof));
        assertThatThrownBy(() -> Mp4Index.build(f)).isInstanceOf(MediaFormatException.class)
                .hasMessageContaining("'trun'").hasMessageContaining("declares 2147483647 samples");
        byte[] defaults = box("moof", mfhd(1), box("traf", full("tfhd", 0, 0x020000, new BoxWriter().u32(1).toBytes()),
                full("trun", 0, 0, new BoxWriter().u32(50_000_000).toBytes())));
        Files.write(f, concat(head, defaults));
        assertThatThrownBy(() -> Mp4Index.build(f)).isInstanceOf(MediaFormatException.class)
                .hasMessageContaining("more than the file holds");
    }

    @Test
    void decodeTimesOutOfRange() throws Exception {
        byte[] moof = box("moof", mfhd(1), box("traf", full("tfhd", 0, 0x020000, new BoxWriter().u32(1).toBytes()),
                full("tfdt", 1, 0, new BoxWriter().u64(1L << 60).toBytes()),
                full("trun", 0, 0, new BoxWriter().u32(1).toBytes())));
        Path f = dir.resolve("far.mp4");
        Files.write(f, concat(BoxWriter.ftyp(), moov(), moof, box("mdat", new byte[100])));
        assertThatThrownBy(() -> Mp4Index.build(f)).isInstanceOf(MediaFormatException.class)
                .hasMessage("far.mp4: track 1 (moof at offset " + (BoxWriter.ftyp().length + moov().length)
                        + "): decode time 1152921504606846976 at sample 1 is out of range");
    }

    /** A video-only fragmented file whose trex gives samples of {@code size} bytes, with these truns. */
    private Path videoFragments(String name, long size, byte[]... truns) throws Exception {
        byte[] moov = box("moov", BoxWriter.mvhd(1000, 0),
                BoxWriter.trak(1, "vide", 1000, 0, null, emptyStbl(BoxWriter.avc1(640, 360))),
                box("mvex", trex(1, 40, size, 0)));
        byte[] traf = box("traf", concat(full("tfhd", 0, 0x020000, new BoxWriter().u32(1).toBytes()), concat(truns)));
        Path f = dir.resolve(name);
        Files.write(f, concat(BoxWriter.ftyp(), moov, box("moof", mfhd(1), traf), box("mdat", new byte[16])));
        return f;
    }

    private static byte[] trunWithoutSampleFields(long count) {
        return full("trun", 0, 0, new BoxWriter().u32(count).toBytes());
    }

    @Test
    void emptySamplesCannotOutnumberTheFileBytes() throws Exception {
        // Found by fuzzing: one 16-byte trun announcing 2^24 - 1 empty samples made a 654-byte file an
        // index of 16.7 million samples (136 MB kept, 835 MB allocated while building it).
        Path f = videoFragments("empty.mp4", 0, trunWithoutSampleFields(0xFFFFFF));
        assertThatThrownBy(() -> Mp4Index.build(f)).isInstanceOf(MediaFormatException.class)
                .hasMessageContaining("16777215 samples of 0 bytes, more than the file holds");
    }

    @Test
    void runsTogetherCannotOutnumberTheFileBytes() throws Exception {
        // Ten truns of 400 one-byte samples: each fits in the file (overlapping), all together do not.
        byte[][] truns = new byte[10][];
        Arrays.fill(truns, trunWithoutSampleFields(400));
        Path f = videoFragments("runs.mp4", 1, truns);
        assertThat(Files.size(f)).isBetween(400L, 3999L);
        assertThatThrownBy(() -> Mp4Index.build(f)).isInstanceOf(MediaFormatException.class)
                .hasMessageContaining("samples, more than the file's " + Files.size(f) + " bytes");
    }

    /** {@link #fragment2} whose video traf carries a version-1 tfdt of {@code tfdt}. */
    static byte[] fragment2WithVideoTfdt(long at, long tfdt) {
        int moofSize = 8 + 16 + (8 + 24 + 20 + 20 + 40) + (8 + 24 + 20 + 16);
        long data = at + moofSize + 8;
        BoxWriter samples = new BoxWriter();
        for (int i = 0; i < 5; i++) {
            samples.u32(100).u32(i == 0 ? SYNC : NON_SYNC);
        }
        byte[] videoTraf = box("traf", full("tfhd", 0, 0x000001, new BoxWriter().u32(1).u64(data).toBytes()),
                full("tfdt", 1, 0, new BoxWriter().u64(tfdt).toBytes()),
                full("trun", 0, 0x000601, new BoxWriter().u32(5).u32(0).bytes(samples.toBytes()).toBytes()));
        byte[] audioTraf = box("traf", full("tfhd", 0, 0x000001, new BoxWriter().u32(2).u64(data + 500).toBytes()),
                full("trun", 0, 0x000001, new BoxWriter().u32(5).u32(0).toBytes()),
                full("trun", 0, 0, new BoxWriter().u32(5).toBytes()));
        byte[] moof = box("moof", mfhd(2), videoTraf, audioTraf);
        assertThat(moof.length).isEqualTo(moofSize);
        return concat(moof, box("mdat", payload(5, 5, 10, 10)));
    }

    @ParameterizedTest
    @ValueSource(longs = {0, 40, -(1L << 40)}) // back to the start, back a little, 2^64 - 2^40 (reads as negative)
    void tfdtGoingBackContinuesWhereTheTrackWas(long tfdt) throws Exception {
        // Found by fuzzing: a later fragment's tfdt below the track's end gave frames negative timestamps
        // (the lead that keeps the first sample at 0 cannot help the ones after it).
        byte[] head = concat(BoxWriter.ftyp(), moov(), fragment1());
        Path f = dir.resolve("back.mp4");
        Files.write(f, concat(head, fragment2WithVideoTfdt(head.length, tfdt)));
        Mp4Index index = Mp4Index.build(f);
        List<Played> frames;
        try (MediaReader reader = index.openReader()) {
            frames = Played.drain(reader);
        }
        assertThat(frames.stream().filter(Played::video).map(Played::ts).toList())
                .containsExactly(0L, 40L, 80L, 120L, 160L, 200L, 240L, 280L, 320L, 360L);
        assertThat(frames).allSatisfy(p -> assertThat(p.ts()).isNotNegative());
    }
}
