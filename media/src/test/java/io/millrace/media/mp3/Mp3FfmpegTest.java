package io.millrace.media.mp3;

import io.millrace.amf.AmfObject;
import io.millrace.media.MediaFrame;
import io.millrace.media.MediaIndexCache;
import io.millrace.media.MediaReader;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;

import static io.millrace.media.mp3.Mp3TestFiles.ffmpeg;
import static io.millrace.media.mp3.Mp3TestFiles.ffprobeDuration;
import static io.millrace.media.mp3.Mp3TestFiles.ffprobePackets;
import static io.millrace.media.mp3.Mp3TestFiles.readAll;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/** Files written by ffmpeg (libmp3lame, mp2), indexed and read, compared with what ffprobe reports. */
class Mp3FfmpegTest {
    private static final String SINE_44K = "sine=frequency=440:sample_rate=44100";

    @TempDir
    static Path dir;

    /** name, sample rate, channels, sound byte, ffmpeg arguments (before the output file). */
    private static final Object[][] CASES = {
        {"cbr.mp3", 44100, 1, 0x2E, new String[] {"-f", "lavfi", "-i", SINE_44K, "-t", "5", "-c:a", "libmp3lame", "-b:a", "128k"}},
        {"cbr-stereo.mp3", 44100, 2, 0x2F, new String[] {"-f", "lavfi", "-i", SINE_44K, "-t", "5", "-ac", "2", "-c:a", "libmp3lame", "-b:a", "128k"}},
        {"vbr.mp3", 44100, 2, 0x2F, new String[] {"-f", "lavfi", "-i", SINE_44K, "-t", "5", "-ac", "2", "-c:a", "libmp3lame", "-q:a", "4"}},
        {"mono22.mp3", 22050, 1, 0x2A, new String[] {"-f", "lavfi", "-i", "sine=frequency=440:sample_rate=22050", "-t", "5", "-c:a", "libmp3lame", "-b:a", "64k"}},
        {"s48.mp3", 48000, 2, 0x2F, new String[] {"-f", "lavfi", "-i", "sine=frequency=440:sample_rate=48000", "-t", "5", "-ac", "2", "-c:a", "libmp3lame", "-b:a", "192k"}},
        {"k11.mp3", 11025, 1, 0x26, new String[] {"-f", "lavfi", "-i", "sine=frequency=440:sample_rate=11025", "-t", "4", "-c:a", "libmp3lame", "-b:a", "32k"}},
        {"k8.mp3", 8000, 1, 0xE2, new String[] {"-f", "lavfi", "-i", "sine=frequency=440:sample_rate=8000", "-t", "4", "-c:a", "libmp3lame", "-b:a", "16k"}},
        {"noxing.mp3", 44100, 1, 0x2E, new String[] {"-f", "lavfi", "-i", SINE_44K, "-t", "3", "-c:a", "libmp3lame", "-b:a", "96k", "-write_xing", "0"}},
        {"id3v23.mp3", 44100, 1, 0x2E, new String[] {"-f", "lavfi", "-i", SINE_44K, "-t", "3", "-c:a", "libmp3lame", "-b:a", "128k",
            "-metadata", "title=Test Tïtle", "-metadata", "artist=Ärtist", "-metadata", "album=The Album",
            "-metadata", "date=2021", "-metadata", "genre=Rock", "-id3v2_version", "3"}},
        {"id3v24.mp3", 44100, 1, 0x2E, new String[] {"-f", "lavfi", "-i", SINE_44K, "-t", "3", "-c:a", "libmp3lame", "-b:a", "128k",
            "-metadata", "title=Test Tïtle", "-metadata", "artist=Ärtist", "-metadata", "date=2020", "-id3v2_version", "4"}},
        {"id3v1.mp3", 44100, 1, 0x2E, new String[] {"-f", "lavfi", "-i", SINE_44K, "-t", "3", "-c:a", "libmp3lame", "-b:a", "128k",
            "-metadata", "title=V1 Title", "-metadata", "artist=V1 Artist", "-write_id3v1", "1"}},
        {"layer2.mp2", 48000, 2, 0x2F, new String[] {"-f", "lavfi", "-i", "sine=frequency=440:sample_rate=48000", "-t", "3", "-ac", "2", "-c:a", "mp2", "-b:a", "192k"}},
    };

    @BeforeAll
    static void generate() throws Exception {
        Assumptions.assumeTrue(Mp3TestFiles.haveFfmpeg(), "ffmpeg/ffprobe not installed");
        for (Object[] c : CASES) {
            ffmpeg(dir.resolve((String) c[0]), (String[]) c[4]);
        }
    }

    static Stream<Arguments> cases() {
        return Arrays.stream(CASES).map(c -> Arguments.of(c[0], c[1], c[2], c[3]));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void framesMatchFfprobe(String name, int sampleRate, int channels, int soundByte) throws Exception {
        Path file = dir.resolve(name);
        Mp3Index index = Mp3Index.build(file);
        List<Mp3TestFiles.Packet> packets = ffprobePackets(file);

        assertThat(index.sampleRate()).isEqualTo(sampleRate);
        assertThat(index.channels()).isEqualTo(channels);
        assertThat(index.soundByte()).isEqualTo(soundByte);
        assertThat(index.frameCount()).as("frames").isEqualTo(packets.size());
        assertThat(index.hasAudio()).isTrue();
        assertThat(index.hasVideo()).isFalse();
        assertThat(index.unsupportedReason()).isNull();
        assertThat(index.truncated()).isFalse();

        byte[] bytes = Files.readAllBytes(file);
        List<int[]> seen = new ArrayList<>(); // {size, timestamp}
        int read = readAll(index, -1, f -> {
            ByteBuf body = f.content();
            assertThat(f.type()).isEqualTo(MediaFrame.AUDIO);
            assertThat(f.isConfig()).isFalse();
            assertThat(f.isKeyframe()).isFalse();
            assertThat(body.getUnsignedByte(0)).isEqualTo((short) soundByte);
            int i = seen.size();
            long offset = index.frameOffset(i);
            byte[] frame = new byte[body.readableBytes() - 1];
            body.getBytes(1, frame);
            assertThat(frame).as("frame %d bytes", i)
                    .isEqualTo(Arrays.copyOfRange(bytes, (int) offset, (int) offset + frame.length));
            seen.add(new int[] {frame.length, (int) f.timestamp()});
        });
        assertThat(read).isEqualTo(packets.size());
        for (int i = 0; i < packets.size(); i++) {
            Mp3TestFiles.Packet p = packets.get(i);
            assertThat(seen.get(i)[0]).as("size of frame %d", i).isEqualTo(p.size());
            assertThat((double) seen.get(i)[1]).as("timestamp of frame %d", i).isCloseTo(p.ptsTime() * 1000, within(1.0));
            assertThat(index.frameTime(i)).isEqualTo(seen.get(i)[1]);
        }

        double frameMs = 1000.0 * index.samplesPerFrame() / sampleRate;
        assertThat(packets.get(0).durationTime() * 1000).isCloseTo(frameMs, within(0.01));
        assertThat((double) index.durationMs()).as("duration")
                .isCloseTo(ffprobeDuration(file) * 1000, within(frameMs));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void metadataDescribesTheStream(String name, int sampleRate, int channels, int soundByte) throws Exception {
        Mp3Index index = Mp3Index.build(dir.resolve(name));
        AmfObject m = index.metadata();
        assertThat(m.isEcmaArray()).isTrue();
        assertThat(new ArrayList<>(m.keySet()).subList(0, 6))
                .containsExactly("duration", "audiocodecid", "audiosamplerate", "audiochannels", "stereo", "audiodatarate");
        assertThat(m.getNumber("duration", 0) * 1000).isCloseTo(index.durationMs(), within(0.5));
        assertThat(m.getNumber("audiocodecid", 0)).isEqualTo(soundByte >>> 4);
        assertThat(m.getNumber("audiosamplerate", 0)).isEqualTo(sampleRate);
        assertThat(m.getNumber("audiochannels", 0)).isEqualTo(channels);
        assertThat(m.get("stereo")).isEqualTo(channels == 2);
        assertThat(m.getNumber("audiodatarate", 0)).isPositive();
        assertThat(m).isNotSameAs(index.metadata()).isEqualTo(index.metadata());
    }

    @Test
    void cbrBitrateAndInfoHeader() throws Exception {
        Mp3Index index = Mp3Index.build(dir.resolve("cbr.mp3"));
        assertThat(index.vbrHeaderType()).isEqualTo("Info");
        assertThat(index.vbrHeaderFrames()).isEqualTo(index.frameCount());
        assertThat(index.firstHeader().layer()).isEqualTo(3);
        assertThat(index.firstHeader().version()).isEqualTo(MpegAudioHeader.MPEG_1);
        assertThat(index.averageBitrate()).isCloseTo(128_000L, within(500L));
        assertThat(index.metadata().getNumber("audiodatarate", 0)).isCloseTo(128.0, within(0.5));
        // the Info frame is 417 bytes right after the ID3v2 tag and is not a frame of the index
        assertThat(index.frameOffset(0)).isEqualTo(index.audioStart() + 417);
    }

    @Test
    void vbrHasXingHeaderThatAgreesWithTheScan() throws Exception {
        Mp3Index index = Mp3Index.build(dir.resolve("vbr.mp3"));
        assertThat(index.vbrHeaderType()).isEqualTo("Xing");
        assertThat(index.vbrHeaderFrames()).isEqualTo(index.frameCount());
        Mp3Index noXing = Mp3Index.build(dir.resolve("noxing.mp3"));
        assertThat(noXing.vbrHeaderType()).isNull();
        assertThat(noXing.vbrHeaderFrames()).isEqualTo(-1);
        assertThat(noXing.frameOffset(0)).isEqualTo(noXing.audioStart());
    }

    @Test
    void lowSampleRates() throws Exception {
        Mp3Index k8 = Mp3Index.build(dir.resolve("k8.mp3"));
        assertThat(k8.firstHeader().version()).isEqualTo(MpegAudioHeader.MPEG_2_5);
        assertThat(k8.samplesPerFrame()).isEqualTo(576);
        assertThat(k8.metadata().getNumber("audiocodecid", 0)).isEqualTo(14);
        Mp3Index k22 = Mp3Index.build(dir.resolve("mono22.mp3"));
        assertThat(k22.firstHeader().version()).isEqualTo(MpegAudioHeader.MPEG_2);
        assertThat(k22.samplesPerFrame()).isEqualTo(576);
        assertThat(k22.frameTime(1)).isEqualTo(26); // 576 / 22050 s
        Mp3Index l2 = Mp3Index.build(dir.resolve("layer2.mp2"));
        assertThat(l2.firstHeader().layer()).isEqualTo(2);
        assertThat(l2.samplesPerFrame()).isEqualTo(1152);
    }

    @Test
    void id3v23Fields() throws Exception {
        Mp3Index index = Mp3Index.build(dir.resolve("id3v23.mp3"));
        assertThat(index.id3()).isEqualTo(new Id3Tags("Test Tïtle", "Ärtist", "The Album", "2021", "Rock", null));
        AmfObject m = index.metadata();
        assertThat(m.getString("title")).isEqualTo("Test Tïtle");
        assertThat(m.getString("artist")).isEqualTo("Ärtist");
        assertThat(m.getString("album")).isEqualTo("The Album");
        assertThat(m.getString("year")).isEqualTo("2021");
        assertThat(m.getString("genre")).isEqualTo("Rock");
        assertThat(new ArrayList<>(m.keySet()).subList(6, m.size())).containsExactly("title", "artist", "album", "year", "genre");
    }

    @Test
    void id3v24Fields() throws Exception {
        Mp3Index index = Mp3Index.build(dir.resolve("id3v24.mp3"));
        assertThat(index.id3().title()).isEqualTo("Test Tïtle");
        assertThat(index.id3().artist()).isEqualTo("Ärtist");
        assertThat(index.id3().year()).isEqualTo("2020"); // TDRC
        assertThat(index.metadata().getString("title")).isEqualTo("Test Tïtle");
        assertThat(index.metadata()).doesNotContainKey("album");
    }

    @Test
    void id3v1IsSkippedAndRead() throws Exception {
        Path file = dir.resolve("id3v1.mp3");
        Mp3Index index = Mp3Index.build(file);
        assertThat(index.audioEnd()).isEqualTo(Files.size(file) - 128);
        assertThat(index.id3().title()).isEqualTo("V1 Title");

        // without its ID3v2 tag, the fields come from the ID3v1 tag alone
        byte[] bytes = Files.readAllBytes(file);
        Path v1only = dir.resolve("v1only.mp3");
        Files.write(v1only, Arrays.copyOfRange(bytes, (int) index.audioStart(), bytes.length));
        Mp3Index v1 = Mp3Index.build(v1only);
        assertThat(v1.audioStart()).isZero();
        assertThat(v1.frameCount()).isEqualTo(index.frameCount());
        assertThat(v1.id3().title()).isEqualTo("V1 Title");
        assertThat(v1.id3().artist()).isEqualTo("V1 Artist");
        assertThat(v1.metadata().getString("title")).isEqualTo("V1 Title");
    }

    @Test
    void seekFindsTheFrameAtOrBefore() throws Exception {
        Mp3Index index = Mp3Index.build(dir.resolve("cbr.mp3"));
        int last = index.frameCount() - 1;
        assertThat(index.seekPointAtOrBefore(-100)).isZero();
        assertThat(index.seekPointAtOrBefore(0)).isZero();
        assertThat(index.seekPointAtOrBefore(25)).isZero();
        assertThat(index.seekPointAtOrBefore(26)).isEqualTo(26); // frame 1 at 26.12 ms rounds to 26
        assertThat(index.seekPointAtOrBefore(1000)).isEqualTo(993); // frame 38 at 992.65 ms
        assertThat(index.seekPointAtOrBefore(Long.MAX_VALUE)).isEqualTo(index.frameTime(last));
        for (long ms = 0; ms < index.durationMs() + 100; ms += 7) {
            int i = index.frameAtOrBefore(ms);
            assertThat(index.frameTime(i)).isLessThanOrEqualTo(Math.max(ms, 0));
            if (i < last) {
                assertThat(index.frameTime(i + 1)).isGreaterThan(ms);
            }
        }

        try (MediaReader reader = index.openReader()) {
            assertThat(reader.seek(1000)).isEqualTo(993);
            MediaFrame f = reader.next(ByteBufAllocator.DEFAULT);
            try {
                assertThat(f.timestamp()).isEqualTo(993);
                assertThat(f.content().readableBytes() - 1L)
                        .isEqualTo(index.frameOffset(39) - index.frameOffset(38));
            } finally {
                f.release();
            }
            assertThat(reader.seek(Long.MAX_VALUE)).isEqualTo(index.frameTime(last));
            MediaFrame lastFrame = reader.next(ByteBufAllocator.DEFAULT);
            assertThat(lastFrame).isNotNull();
            lastFrame.release();
            assertThat(reader.next(ByteBufAllocator.DEFAULT)).isNull();
            assertThat(reader.seek(0)).isZero();
            MediaFrame firstFrame = reader.next(ByteBufAllocator.DEFAULT);
            assertThat(firstFrame.timestamp()).isZero();
            firstFrame.release();
        }
        int fromTwoSeconds = readAll(index, 2000, f -> assertThat(f.timestamp()).isGreaterThanOrEqualTo(1985));
        assertThat(fromTwoSeconds).isEqualTo(index.frameCount() - index.frameAtOrBefore(2000));
    }

    @Test
    void worksThroughTheIndexCache() throws Exception {
        MediaIndexCache cache = new MediaIndexCache(4);
        Path file = dir.resolve("s48.mp3");
        var a = cache.get(file, Mp3Index::build);
        var b = cache.get(file, Mp3Index::build);
        assertThat(a).isSameAs(b).isInstanceOf(Mp3Index.class);
        assertThat(a.path()).isEqualTo(file.toRealPath());
        assertThat(a.fileSize()).isEqualTo(Files.size(file));
        assertThat(a.lastModifiedMillis()).isEqualTo(Files.getLastModifiedTime(file).toMillis());
    }

    @Test
    void truncatedInsideTheLastFramePlaysToTheLastCompleteFrame() throws Exception {
        Path file = dir.resolve("cbr.mp3");
        Mp3Index full = Mp3Index.build(file);
        byte[] bytes = Files.readAllBytes(file);
        int last = full.frameCount() - 1;
        Path cut = dir.resolve("cut.mp3");
        Files.write(cut, Arrays.copyOf(bytes, (int) full.frameOffset(last) + 100));
        Mp3Index index = Mp3Index.build(cut);
        assertThat(index.frameCount()).isEqualTo(last);
        assertThat(index.truncated()).isTrue();
        assertThat(index.durationMs()).isLessThan(full.durationMs());
        long[] lastSize = {0};
        int n = readAll(index, -1, f -> lastSize[0] = f.content().readableBytes() - 1);
        assertThat(n).isEqualTo(last);
        assertThat(lastSize[0]).isEqualTo(full.frameOffset(last) - full.frameOffset(last - 1));

        // cut in the middle of the file, inside a frame header
        Path half = dir.resolve("half.mp3");
        Files.write(half, Arrays.copyOf(bytes, (int) full.frameOffset(100) + 2));
        Mp3Index h = Mp3Index.build(half);
        assertThat(h.frameCount()).isEqualTo(100);
        assertThat(readAll(h, -1, f -> { })).isEqualTo(100);
    }

    @Test
    void truncatedId3TagIsAFormatError() throws IOException {
        byte[] bytes = Files.readAllBytes(dir.resolve("id3v23.mp3"));
        Path cut = dir.resolve("id3cut.mp3");
        Files.write(cut, Arrays.copyOf(bytes, 60));
        Mp3DamagedTest.assertFormatError(cut, "truncated ID3v2 tag");
    }
}
