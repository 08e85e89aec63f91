package io.millrace.media.mp4;

import io.millrace.amf.AmfObject;
import io.millrace.media.MediaFormatException;
import io.millrace.media.MediaFrame;
import io.millrace.media.MediaReader;
import io.millrace.media.mp4.Ffmpeg.Packet;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static io.millrace.media.mp4.Ffmpeg.AUDIO_IN;
import static io.millrace.media.mp4.Ffmpeg.H264;
import static io.millrace.media.mp4.Ffmpeg.VIDEO_IN;
import static io.millrace.media.mp4.Ffmpeg.join;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

/**
 * Files written by ffmpeg (4 s of 320x240 25 fps H.264 with B-frames, 44.1 kHz mono AAC), read back and
 * compared packet by packet with what ffprobe lists for the same file.
 */
class Mp4FfmpegFilesTest {
    @TempDir
    static Path dir;
    static final List<String> made = new ArrayList<>();

    private static final String[] FOUR_SECONDS = {"-t", "4"};

    @BeforeAll
    static void makeFiles() throws Exception {
        Assumptions.assumeTrue(Ffmpeg.available(), "ffmpeg/ffprobe not installed");
        String[] av = join(VIDEO_IN, AUDIO_IN, FOUR_SECONDS, H264);
        make("moov-end.mp4", join(av, new String[] {"-c:a", "aac", "-metadata", "title=Test title",
            "-metadata", "artist=Millrace"}));
        make("faststart.mp4", join(av, new String[] {"-c:a", "aac", "-movflags", "+faststart"}));
        make("fragmented.mp4", join(av, new String[] {"-c:a", "aac", "-movflags",
            "frag_keyframe+empty_moov+default_base_moof"}));
        make("fragmented-plain.mp4", join(av, new String[] {"-c:a", "aac", "-movflags", "frag_keyframe+empty_moov"}));
        make("fragmented-separate.mp4", join(av, new String[] {"-c:a", "aac", "-movflags",
            "frag_keyframe+empty_moov+separate_moof+omit_tfhd_offset"}));
        make("sample.f4v", join(av, new String[] {"-c:a", "aac", "-f", "mp4"}));
        make("sample.mov", join(av, new String[] {"-c:a", "aac", "-metadata", "title=Movie title"}));
        make("audio.m4a", join(AUDIO_IN, FOUR_SECONDS, new String[] {"-c:a", "aac"}));
        make("video-only.mp4", join(VIDEO_IN, FOUR_SECONDS, H264));
        make("sample.3gp", join(av, new String[] {"-c:a", "aac", "-metadata", "title=Mobile title", "-metadata",
            "artist=Mobile artist", "-f", "3gp"}));
        make("negative-cts.mp4", join(av, new String[] {"-c:a", "aac", "-movflags", "+negative_cts_offsets"}));
        make("delayed-audio.mp4", join(VIDEO_IN, new String[] {"-itsoffset", "0.5"}, AUDIO_IN, FOUR_SECONDS, H264,
                new String[] {"-c:a", "aac", "-shortest"}));
        if (Ffmpeg.hasEncoder("libmp3lame")) {
            make("mp3.mp4", join(av, new String[] {"-c:a", "libmp3lame"}));
        }
        if (Ffmpeg.hasEncoder("libx265")) {
            make("hevc.mp4", join(VIDEO_IN, AUDIO_IN, FOUR_SECONDS, new String[] {"-c:v", "libx265", "-tag:v", "hvc1", "-x265-params",
                "log-level=error", "-c:a", "aac"}));
        }
        if (Ffmpeg.hasEncoder("libopus")) {
            make("opus.mp4", join(av, new String[] {"-c:a", "libopus"}));
        }
    }

    private static void make(String name, String[] args) throws Exception {
        if (Ffmpeg.make(dir.resolve(name), args)) {
            made.add(name);
        }
    }

    static Path file(String name) {
        Assumptions.assumeTrue(made.contains(name), name + " could not be made with this ffmpeg");
        return dir.resolve(name);
    }

    @ParameterizedTest
    @ValueSource(strings = {"moov-end.mp4", "faststart.mp4", "fragmented.mp4", "fragmented-plain.mp4",
        "fragmented-separate.mp4", "sample.f4v",
        "sample.mov", "audio.m4a", "video-only.mp4", "sample.3gp", "delayed-audio.mp4", "mp3.mp4"})
    void framesMatchFfprobe(String name) throws Exception {
        Path f = file(name);
        List<Packet> probe = Ffmpeg.probe(f);
        Mp4Index index = Mp4Index.build(f);
        assertThat(index.unsupportedReason()).isNull();
        List<Played> played;
        try (MediaReader reader = index.openReader()) {
            played = Played.drain(reader);
        }
        compare(name, probe, played, 0);
        for (int i = 1; i < played.size(); i++) {
            assertThat(played.get(i).ts()).as("merged by timestamp at frame %d", i)
                    .isGreaterThanOrEqualTo(played.get(i - 1).ts());
        }
        assertThat(index.durationMs()).isBetween(3900L, 4100L);
    }

    /**
     * The constant by which the index moves the whole file so that no decode time is negative: the most
     * negative DTS ffprobe shows (after {@code videoDtsShift} for video), or 0.
     */
    static double lead(List<Packet> probe, double videoDtsShift) {
        double earliest = probe.stream().mapToDouble(p -> p.dtsMs() + (p.video() ? videoDtsShift : 0)).min().orElse(0);
        return Math.max(0, Math.round(-earliest));
    }

    /**
     * Compares per type: count, order, DTS (plus {@code videoDtsShift} for video), PTS, size, keyframes,
     * every time moved by the file's one {@link #lead}.
     */
    static void compare(String name, List<Packet> probe, List<Played> played, double videoDtsShift) {
        double lead = lead(probe, videoDtsShift);
        for (String type : List.of("video", "audio")) {
            List<Packet> expected = probe.stream().filter(p -> p.type().equals(type)).toList();
            List<Played> got = played.stream().filter(p -> p.video() == type.equals("video")).toList();
            assertThat(got).as("%s %s frames", name, type).hasSameSizeAs(expected);
            for (int i = 0; i < got.size(); i++) {
                Packet e = expected.get(i);
                Played g = got.get(i);
                String what = name + " " + type + " #" + i;
                assertThat((double) g.ts()).as(what + " dts").isCloseTo(e.dtsMs() + (g.video() ? videoDtsShift : 0) + lead, within(1.0));
                assertThat(g.payload()).as(what + " size").isEqualTo(e.size());
                assertThat(g.config()).isFalse();
                if (g.video()) {
                    assertThat((double) g.pts()).as(what + " pts").isCloseTo(e.ptsMs() + lead, within(1.0));
                    assertThat(g.key()).as(what + " key").isEqualTo(e.key());
                    assertThat(g.first()).isEqualTo(e.key() ? 0x17 : 0x27);
                }
            }
        }
    }

    @Test
    void negativeCompositionOffsetsKeepPresentationTimes() throws Exception {
        Path f = file("negative-cts.mp4");
        List<Packet> probe = Ffmpeg.probe(f);
        List<Played> played;
        try (MediaReader reader = Mp4Index.build(f).openReader()) {
            played = Played.drain(reader);
        }
        // ffmpeg moves the decode times back by the largest negative offset (40 ms) so that pts >= dts;
        // the file's own decode times start at 0 and the composition time goes negative instead.
        compare("negative-cts.mp4", probe, played, 40);
        assertThat(played.stream().filter(Played::video).mapToInt(Played::cts).min().orElseThrow()).isNegative();
    }

    @Test
    void configFramesComeFromAvcCAndEsds() throws Exception {
        try (MediaReader reader = Mp4Index.build(file("moov-end.mp4")).openReader()) {
            List<MediaFrame> config = reader.configFrames(Played.ALLOC);
            try {
                assertThat(config).hasSize(2);
                MediaFrame v = config.get(0);
                assertThat(v.isVideo()).isTrue();
                assertThat(v.isConfig()).isTrue();
                assertThat(v.timestamp()).isZero();
                assertThat((int) v.content().getUnsignedByte(0)).isEqualTo(0x17);
                assertThat((int) v.content().getUnsignedByte(1)).isZero();
                assertThat((int) v.content().getUnsignedByte(5)).as("avcC version").isEqualTo(1);
                MediaFrame a = config.get(1);
                assertThat(a.isAudio()).isTrue();
                assertThat(a.isConfig()).isTrue();
                // AAC LC, 44.1 kHz, mono: 00010 0100 0001 000, then ffmpeg's explicit "no SBR" extension 56 E5 00
                assertThat(a.content().readableBytes()).isEqualTo(7);
                assertThat(a.content().getUnsignedShort(0)).isEqualTo(0xAF00);
                assertThat(a.content().getUnsignedShort(2)).isEqualTo(0x1208);
            } finally {
                config.forEach(MediaFrame::release);
            }
        }
    }

    @Test
    void mp3InMp4HasOneHeaderByteAndNoConfig() throws Exception {
        Mp4Index index = Mp4Index.build(file("mp3.mp4"));
        assertThat(index.metadata().getNumber("audiocodecid", 0)).isEqualTo(2);
        try (MediaReader reader = index.openReader()) {
            List<Played> config = Played.config(reader);
            assertThat(config).hasSize(1);
            assertThat(config.get(0).video()).isTrue();
            Played audio = Played.drain(reader).stream().filter(p -> !p.video()).findFirst().orElseThrow();
            // MP3, 44 kHz, 16-bit, stereo: ffmpeg's MP4 sample entry says 2 channels (the ISO template value)
            // for this mono stream, and the header byte follows the sample entry as nginx-rtmp's does
            assertThat(audio.first()).isEqualTo(0x2F);
        }
    }

    @Test
    void metadataLikeFms() throws Exception {
        Path f = file("moov-end.mp4");
        Mp4Index index = Mp4Index.build(f);
        AmfObject m = index.metadata();
        assertThat(m.isEcmaArray()).isTrue();
        assertThat(new ArrayList<>(m.keySet())).startsWith("duration", "width", "height", "videocodecid",
                "audiocodecid", "framerate", "videoframerate", "audiosamplerate", "audiochannels", "avcprofile",
                "avclevel", "aacaot", "moovposition", "trackinfo");
        assertThat(m.getNumber("duration", 0)).isEqualTo(4.0);
        assertThat(m.getNumber("width", 0)).isEqualTo(320);
        assertThat(m.getNumber("height", 0)).isEqualTo(240);
        assertThat(m.getNumber("videocodecid", 0)).isEqualTo(7);
        assertThat(m.getNumber("audiocodecid", 0)).isEqualTo(10);
        assertThat(m.getNumber("framerate", 0)).isEqualTo(25);
        assertThat(m.getNumber("videoframerate", 0)).isEqualTo(25);
        assertThat(m.getNumber("audiosamplerate", 0)).isEqualTo(44100);
        assertThat(m.getNumber("audiochannels", 0)).isEqualTo(1);
        assertThat(m.getNumber("avcprofile", 0)).isEqualTo(100);
        assertThat(m.getNumber("avclevel", 0)).isPositive();
        assertThat(m.getNumber("aacaot", 0)).isEqualTo(2);
        assertThat(m.getNumber("moovposition", -1)).isEqualTo(index.moovPosition()).isGreaterThan(1000);
        assertThat(m.getString("title")).isEqualTo("Test title");
        assertThat(m.getString("artist")).isEqualTo("Millrace");
        assertThat(m.getString("encoder")).startsWith("Lavf");
        List<?> trackinfo = (List<?>) m.get("trackinfo");
        assertThat(trackinfo).hasSize(2);
        AmfObject v = (AmfObject) trackinfo.get(0);
        assertThat(v.getNumber("timescale", 0)).isEqualTo(12800);
        assertThat(v.getNumber("length", 0)).isEqualTo(51200);
        assertThat(v.getString("language")).isEqualTo("und");
        assertThat(((AmfObject) ((List<?>) v.get("sampledescription")).get(0)).getString("sampletype")).isEqualTo("avc1");
        AmfObject a = (AmfObject) trackinfo.get(1);
        assertThat(((AmfObject) ((List<?>) a.get("sampledescription")).get(0)).getString("sampletype")).isEqualTo("mp4a");

        // a fresh copy each call
        ((List<?>) m.get("trackinfo")).clear();
        assertThat((List<?>) index.metadata().get("trackinfo")).hasSize(2);
        assertThat(Mp4Index.build(file("faststart.mp4")).moovPosition()).isLessThan(100);
    }

    @Test
    void quickTimeAndThreeGppTags() throws Exception {
        assertThat(Mp4Index.build(file("sample.mov")).metadata().getString("title")).isEqualTo("Movie title");
        assertThat(Mp4Index.build(file("sample.mov")).metadata().getString("encoder")).startsWith("Lavf");
        AmfObject threeGpp = Mp4Index.build(file("sample.3gp")).metadata();
        assertThat(threeGpp.getString("title")).isEqualTo("Mobile title");
        assertThat(threeGpp.getString("artist")).isEqualTo("Mobile artist");
        AmfObject audioOnly = Mp4Index.build(file("audio.m4a")).metadata();
        assertThat(audioOnly).doesNotContainKeys("width", "videocodecid", "framerate", "avcprofile");
        assertThat(audioOnly.getNumber("audiocodecid", 0)).isEqualTo(10);
    }

    @Test
    void fragmentedMetadataComputesDuration() throws Exception {
        Mp4Index index = Mp4Index.build(file("fragmented.mp4"));
        AmfObject m = index.metadata();
        assertThat(m.getNumber("duration", 0)).isBetween(3.9, 4.1);
        assertThat(m.getNumber("framerate", 0)).isEqualTo(25);
        assertThat(((AmfObject) ((List<?>) m.get("trackinfo")).get(0)).getNumber("length", 0)).isEqualTo(51200);
    }

    @ParameterizedTest
    @ValueSource(strings = {"moov-end.mp4", "fragmented.mp4", "sample.mov"})
    void seekGoesToKeyframeAtOrBeforeWithAudioAligned(String name) throws Exception {
        Path f = file(name);
        List<Packet> probe = Ffmpeg.probe(f);
        double lead = lead(probe, 0);
        List<Long> keyTimes = probe.stream().filter(p -> p.video() && p.key())
                .map(p -> Math.round(p.dtsMs() + lead)).toList();
        assertThat(keyTimes).hasSize(4);
        long firstAudioOfFile = Math.round(probe.stream().filter(p -> !p.video()).mapToDouble(Packet::dtsMs).min().orElseThrow() + lead);
        Mp4Index index = Mp4Index.build(f);
        try (MediaReader reader = index.openReader()) {
            for (long ms : new long[] {0, 500, 919, 920, 921, 1999, 2500, 3999, 10_000, 2000, 0}) {
                long expected = keyTimes.get(0);
                for (long k : keyTimes) {
                    if (k <= ms) {
                        expected = k;
                    }
                }
                assertThat(index.seekPointAtOrBefore(ms)).as("seek point at or before %d", ms).isEqualTo(expected);
                assertThat(reader.seek(ms)).as("seek(%d)", ms).isEqualTo(expected);
                List<Played> next = Played.drain(reader, 12);
                Played firstVideo = next.stream().filter(Played::video).findFirst().orElseThrow();
                assertThat(firstVideo.key()).isTrue();
                assertThat(firstVideo.ts()).isEqualTo(expected);
                Played firstAudio = next.stream().filter(p -> !p.video()).findFirst().orElseThrow();
                assertThat(firstAudio.ts()).as("audio starts at or just before the keyframe (or where the file's audio starts)")
                        .isBetween(expected - 24, Math.max(expected, firstAudioOfFile));
                assertThat(next.get(0).ts()).isLessThanOrEqualTo(expected);
            }
        }
    }

    @Test
    void audioOnlySeekGoesToTheSampleAtOrBefore() throws Exception {
        Mp4Index index = Mp4Index.build(file("audio.m4a"));
        assertThat(index.hasVideo()).isFalse();
        assertThat(index.hasAudio()).isTrue();
        try (MediaReader reader = index.openReader()) {
            long t = reader.seek(1000);
            assertThat(t).isBetween(977L, 1000L);
            assertThat(index.seekPointAtOrBefore(1000)).isEqualTo(t);
            List<Played> next = Played.drain(reader, 2);
            assertThat(next.get(0).ts()).isEqualTo(t);
            assertThat(next.get(1).ts()).isGreaterThan(1000);
        }
    }

    @Test
    void fileTruncatedInsideMdatPlaysItsCompleteSamples() throws Exception {
        Path full = file("faststart.mp4");
        List<Packet> probe = Ffmpeg.probe(full);
        long cut = Files.size(full) * 3 / 5;
        Path truncated = dir.resolve("truncated.mp4");
        Files.write(truncated, java.util.Arrays.copyOf(Files.readAllBytes(full), (int) cut));
        Mp4Index index = Mp4Index.build(truncated);
        List<Played> played;
        try (MediaReader reader = index.openReader()) {
            played = Played.drain(reader);
        }
        List<Packet> complete = probe.stream().filter(p -> p.pos() + p.size() <= cut).toList();
        assertThat(complete.size()).isLessThan(probe.size());
        compare("truncated.mp4", complete, played, 0);
        assertThat(index.durationMs()).isLessThan(3500);
    }

    @Test
    void fileCutAfterIndexingEndsTheStreamAtTheLastCompleteSample() throws Exception {
        Path copy = dir.resolve("shrinking.mp4");
        Files.copy(file("faststart.mp4"), copy, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        Mp4Index index = Mp4Index.build(copy);
        try (FileChannel ch = FileChannel.open(copy, StandardOpenOption.WRITE)) {
            ch.truncate(Files.size(copy) / 2);
        }
        try (MediaReader reader = index.openReader()) {
            List<Played> played = Played.drain(reader);
            assertThat(played).isNotEmpty();
            assertThat(played.size()).isLessThan(index.videoSampleCount() + index.audioSampleCount());
            assertThat(reader.next(Played.ALLOC)).isNull();
        }
    }

    @Test
    void hevcIsRefusedWithAReason() throws Exception {
        Mp4Index index = Mp4Index.build(file("hevc.mp4"));
        assertThat(index.unsupportedReason())
                .isEqualTo("HEVC (hvc1) video needs an Enhanced RTMP client; this server does not send it yet");
        assertThat(index.hasVideo()).isTrue();
        assertThat(index.hasAudio()).isTrue();
        AmfObject m = index.metadata();
        assertThat(m.getNumber("videocodecid", 0)).isEqualTo(1752589105.0);
        assertThat(m.getNumber("audiocodecid", 0)).isEqualTo(10);
        assertThat(m.getNumber("width", 0)).isEqualTo(320);
        assertThat(m.getNumber("duration", 0)).isEqualTo(4.0);
        assertThat(m.getNumber("framerate", 0)).isEqualTo(25);
        assertThatThrownBy(index::openReader).isInstanceOf(MediaFormatException.class).hasMessageContaining("HEVC");
    }

    @Test
    void unsupportedAudioNextToH264IsRefusedToo() throws Exception {
        Mp4Index index = Mp4Index.build(file("opus.mp4"));
        assertThat(index.unsupportedReason()).isEqualTo(
                "Opus (Opus) audio needs an Enhanced RTMP client; this server does not send it yet");
        assertThat(index.metadata().getNumber("audiocodecid", 0)).isEqualTo(1332770163.0);
        assertThat(index.metadata().getNumber("videocodecid", 0)).isEqualTo(7);
    }

    /** Damages bytes of the boxes that are read (moov; for the fragmented file also the moofs between). */
    @ParameterizedTest
    @ValueSource(strings = {"faststart.mp4", "fragmented.mp4"})
    void randomlyDamagedMoovNeverThrowsAnythingButMediaFormatException(String name) throws Exception {
        Path source = file(name);
        byte[] original = Files.readAllBytes(source);
        Mp4Index clean = Mp4Index.build(source);
        int moovEnd = name.startsWith("fragmented") ? original.length : (int) (clean.moovPosition() + 5000);
        java.util.Random random = new java.util.Random(42);
        Path damaged = dir.resolve("damaged.mp4");
        int built = 0;
        for (int round = 0; round < 400; round++) {
            byte[] bytes = original.clone();
            for (int k = 0; k < 1 + random.nextInt(4); k++) {
                int at = (int) clean.moovPosition() + random.nextInt(Math.min(moovEnd, bytes.length) - (int) clean.moovPosition());
                bytes[at] = (byte) (random.nextInt(4) == 0 ? 0xFF : random.nextInt(256));
            }
            Files.write(damaged, bytes);
            try {
                Mp4Index index = Mp4Index.build(damaged);
                built++;
                if (index.unsupportedReason() == null) {
                    try (MediaReader reader = index.openReader()) {
                        reader.configFrames(Played.ALLOC).forEach(MediaFrame::release);
                        Played.drain(reader, 50);
                        reader.seek(2000);
                        Played.drain(reader, 10);
                    }
                }
            } catch (MediaFormatException expected) {
                assertThat(expected.getMessage()).startsWith("damaged.mp4: ").doesNotContain("\n");
            }
        }
        System.out.println(name + " randomly damaged: " + built + " of 400 still indexed");
    }

    @Test
    void formatsOfTheFamilyReportTheirTracks() throws Exception {
        for (String name : List.of("sample.f4v", "sample.3gp", "sample.mov", "fragmented.mp4")) {
            Mp4Index index = Mp4Index.build(file(name));
            assertThat(index.hasVideo()).as(name).isTrue();
            assertThat(index.hasAudio()).as(name).isTrue();
            assertThat(index.videoSampleCount()).as(name).isEqualTo(100);
            assertThat(index.sampleTableBytes()).as(name).isPositive();
            assertThat(index.metadata()).containsKeys("width", "audiosamplerate");
        }
        Map<String, Object> videoOnly = Mp4Index.build(file("video-only.mp4")).metadata();
        assertThat(videoOnly).doesNotContainKeys("audiocodecid", "audiosamplerate", "aacaot");
    }
}
