package io.millrace.media.mp4;

import io.millrace.amf.AmfObject;
import io.millrace.media.MediaFrame;
import io.millrace.media.MediaReader;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;

import static io.millrace.media.mp4.BoxWriter.box;
import static org.assertj.core.api.Assertions.assertThat;

/** Sample table variants on a small synthetic movie ({@link SmallMovie}). */
class Mp4SyntheticTest {
    @TempDir
    Path dir;

    private List<Played> play(SmallMovie movie) throws Exception {
        Mp4Index index = Mp4Index.build(movie.write(dir.resolve("movie.mp4")));
        assertThat(index.unsupportedReason()).isNull();
        try (MediaReader reader = index.openReader()) {
            return Played.drain(reader);
        }
    }

    private static List<Played> video(List<Played> frames) {
        return frames.stream().filter(Played::video).toList();
    }

    private static List<Played> audio(List<Played> frames) {
        return frames.stream().filter(p -> !p.video()).toList();
    }

    @Test
    void readsEverySampleInTimestampOrderWithItsBytes() throws Exception {
        SmallMovie movie = new SmallMovie();
        Mp4Index index = Mp4Index.build(movie.write(dir.resolve("movie.mp4")));
        assertThat(index.durationMs()).isEqualTo(400);
        assertThat(index.videoSampleCount()).isEqualTo(10);
        assertThat(index.audioSampleCount()).isEqualTo(20);
        AmfObject m = index.metadata();
        assertThat(m.getNumber("width", 0)).isEqualTo(640);
        assertThat(m.getNumber("avcprofile", 0)).isEqualTo(100);
        assertThat(m.getNumber("avclevel", 0)).isEqualTo(31);
        assertThat(m.getNumber("audiosamplerate", 0)).isEqualTo(48000);
        assertThat(m.getNumber("audiochannels", 0)).isEqualTo(2);
        assertThat(((AmfObject) ((List<?>) m.get("trackinfo")).get(0)).getString("language")).isEqualTo("und");
        try (MediaReader reader = index.openReader()) {
            MediaFrame f;
            int v = 0;
            int a = 0;
            long last = -1;
            while ((f = reader.next(Played.ALLOC)) != null) {
                try {
                    assertThat(f.timestamp()).isGreaterThanOrEqualTo(last);
                    last = f.timestamp();
                    if (f.isVideo()) {
                        assertThat(f.timestamp()).isEqualTo(40L * v);
                        assertThat(f.isKeyframe()).isEqualTo(v == 0 || v == 5);
                        assertThat(f.content().readableBytes()).isEqualTo(5 + SmallMovie.VIDEO_SIZE);
                        assertThat(f.content().getByte(5)).isEqualTo((byte) v);
                        assertThat(f.content().getByte(5 + SmallMovie.VIDEO_SIZE - 1)).isEqualTo((byte) v);
                        v++;
                    } else {
                        assertThat(f.timestamp()).isEqualTo(20L * a);
                        assertThat(f.content().readableBytes()).isEqualTo(2 + SmallMovie.AUDIO_SIZE);
                        assertThat(f.content().getUnsignedShort(0)).isEqualTo(0xAF01);
                        assertThat(f.content().getByte(2)).isEqualTo((byte) (100 + a));
                        a++;
                    }
                } finally {
                    f.release();
                }
            }
            assertThat(v).isEqualTo(10);
            assertThat(a).isEqualTo(20);
            assertThat(reader.next(Played.ALLOC)).isNull();
        }
    }

    @Test
    void compactAndConstantSizesAnd64BitChunkOffsets() throws Exception {
        SmallMovie movie = new SmallMovie();
        movie.videoStsz = BoxWriter.stz2(16, SmallMovie.fill(10, 100));
        movie.audioStsz = BoxWriter.stz2(4, SmallMovie.fill(20, 10));
        movie.videoStco = BoxWriter.co64(new long[] {SmallMovie.PAYLOAD, SmallMovie.PAYLOAD + 500});
        List<Played> frames = play(movie);
        assertThat(video(frames)).hasSize(10).allMatch(p -> p.payload() == 100);
        assertThat(audio(frames)).hasSize(20).allMatch(p -> p.payload() == 10);

        movie.videoStsz = BoxWriter.stz2(8, SmallMovie.fill(10, 100));
        movie.audioStsz = BoxWriter.full("stsz", 0, 0, new BoxWriter().u32(10).u32(20).toBytes());
        frames = play(movie);
        assertThat(video(frames)).hasSize(10).allMatch(p -> p.payload() == 100);
        assertThat(audio(frames)).hasSize(20).allMatch(p -> p.payload() == 10);
    }

    @Test
    void stscRunsWithVaryingChunkSizes() throws Exception {
        SmallMovie movie = new SmallMovie();
        // chunks of 3, 3, 4 video samples
        movie.videoStsc = BoxWriter.stsc(new long[] {1, 3}, new long[] {3, 4});
        movie.videoStco = BoxWriter.stco(new long[] {32, 332, 632});
        List<Played> frames = play(movie);
        assertThat(video(frames)).hasSize(10);
    }

    @Test
    void signedCompositionOffsetsOfCttsVersion1() throws Exception {
        SmallMovie movie = new SmallMovie();
        movie.videoCtts = BoxWriter.ctts(1, new int[] {0, 80, -40, -40, 80, 0, 80, -40, -40, 0});
        List<Played> v = video(play(movie));
        assertThat(v.stream().map(Played::cts).toList()).containsExactly(0, 80, -40, -40, 80, 0, 80, -40, -40, 0);
        assertThat(v.get(2).pts()).isEqualTo(40);
    }

    @Test
    void singleEditShiftsAndTheWholeFileLeadsFromZero() throws Exception {
        SmallMovie movie = new SmallMovie();
        movie.videoCtts = BoxWriter.ctts(0, new int[] {80, 160, 40, 40, 160, 80, 160, 40, 40, 80});
        movie.videoEdts = BoxWriter.elst(new long[] {400, 80});
        movie.audioEdts = BoxWriter.elst(new long[] {400, 960});
        List<Played> frames = play(movie);
        List<Played> v = video(frames);
        // The edits move video 80 ms and audio 20 ms before 0; the whole file then leads by 80 ms, so
        // decode times stay distinct and A/V sync exact (video dts 40 i - 80 + 80, pts 40 i + cto - 80 + 80).
        assertThat(v.stream().map(Played::ts).toList()).containsExactly(0L, 40L, 80L, 120L, 160L, 200L, 240L, 280L, 320L, 360L);
        assertThat(v.stream().map(Played::pts).toList()).containsExactly(80L, 200L, 120L, 160L, 320L, 280L, 400L, 320L,
                360L, 440L);
        assertThat(audio(frames).stream().map(Played::ts).limit(3).toList()).containsExactly(60L, 80L, 100L);
    }

    @Test
    void leadingEmptyEditDelaysTheTrack() throws Exception {
        SmallMovie movie = new SmallMovie();
        movie.audioEdts = BoxWriter.elst(new long[] {500, 0xFFFFFFFFL}, new long[] {400, 0});
        List<Played> a = audio(play(movie));
        assertThat(a.get(0).ts()).isEqualTo(500);
        assertThat(a.get(19).ts()).isEqualTo(880);
    }

    @Test
    void complexEditListsAreIgnored() throws Exception {
        SmallMovie movie = new SmallMovie();
        movie.videoEdts = BoxWriter.elst(new long[] {100, 40}, new long[] {100, 200});
        movie.audioEdts = BoxWriter.elst(new long[] {400, 960, 0x20000});
        List<Played> frames = play(movie);
        assertThat(video(frames).get(1).ts()).isEqualTo(40);
        assertThat(audio(frames).get(1).ts()).isEqualTo(20);
    }

    @Test
    void samplesPastTheEndOfTheFileAreLeftOut() throws Exception {
        SmallMovie movie = new SmallMovie();
        movie.videoStco = BoxWriter.stco(new long[] {SmallMovie.PAYLOAD, 1_000_000});
        Mp4Index index = Mp4Index.build(movie.write(dir.resolve("movie.mp4")));
        assertThat(index.videoSampleCount()).isEqualTo(5);
        assertThat(index.audioSampleCount()).isEqualTo(20);
        assertThat(index.durationMs()).isEqualTo(400);
        assertThat(index.seekPointAtOrBefore(390)).isEqualTo(0);
    }

    @Test
    void seekingWithoutStssTreatsEverySampleAsSync() throws Exception {
        SmallMovie movie = new SmallMovie();
        movie.videoStss = null;
        Mp4Index index = Mp4Index.build(movie.write(dir.resolve("movie.mp4")));
        assertThat(index.seekPointAtOrBefore(130)).isEqualTo(120);
        try (MediaReader reader = index.openReader()) {
            assertThat(reader.seek(130)).isEqualTo(120);
            List<Played> next = Played.drain(reader, 3);
            assertThat(next.get(0).video()).isTrue();
            assertThat(next.get(0).ts()).isEqualTo(120);
            assertThat(next.get(1).ts()).isEqualTo(120);
            assertThat(next.get(0).key()).isTrue();
        }
    }

    @Test
    void stssMakesOtherSamplesInterFramesAndSeekUsesIt() throws Exception {
        Mp4Index index = Mp4Index.build(new SmallMovie().write(dir.resolve("movie.mp4")));
        assertThat(index.seekPointAtOrBefore(199)).isEqualTo(0);
        assertThat(index.seekPointAtOrBefore(200)).isEqualTo(200);
        assertThat(index.seekPointAtOrBefore(-5)).isEqualTo(0);
        assertThat(index.seekPointAtOrBefore(100_000)).isEqualTo(200);
        try (MediaReader reader = index.openReader()) {
            assertThat(reader.seek(250)).isEqualTo(200);
            List<Played> rest = Played.drain(reader);
            assertThat(video(rest)).hasSize(5);
            assertThat(audio(rest)).hasSize(10);
            assertThat(rest.get(0).video()).isTrue();
        }
    }

    @Test
    void unsupportedCodecsAreReportedNotPlayed() throws Exception {
        SmallMovie movie = new SmallMovie();
        movie.videoEntry = BoxWriter.visualEntry("vp09", 640, 360, box("vpcC", new byte[12]));
        Mp4Index index = Mp4Index.build(movie.write(dir.resolve("vp9.mp4")));
        assertThat(index.unsupportedReason())
                .isEqualTo("VP9 (vp09) video needs an Enhanced RTMP client; this server does not send it yet");
        assertThat(index.metadata().getNumber("videocodecid", 0)).isEqualTo(1987063865.0);
        assertThat(index.metadata().getNumber("width", 0)).isEqualTo(640);

        movie.videoEntry = BoxWriter.visualEntry("mp4v", 640, 360);
        assertThat(Mp4Index.build(movie.write(dir.resolve("mp4v.mp4"))).unsupportedReason())
                .isEqualTo("MPEG-4 Visual (mp4v) video cannot be played over RTMP by this server");

        movie = new SmallMovie();
        movie.audioEntry = BoxWriter.audioEntry("ac-3", 6, 48000, box("dac3", new byte[3]));
        assertThat(Mp4Index.build(movie.write(dir.resolve("ac3.mp4"))).unsupportedReason())
                .isEqualTo("AC-3 (ac-3) audio needs an Enhanced RTMP client; this server does not send it yet");

        movie.audioEntry = BoxWriter.audioEntry("mp4a", 2, 48000, BoxWriter.esds(0xDD, new byte[4]));
        assertThat(Mp4Index.build(movie.write(dir.resolve("vorbis.mp4"))).unsupportedReason())
                .isEqualTo("Vorbis audio (mp4a) cannot be played over RTMP by this server");

        movie.videoEntry = BoxWriter.visualEntry("xyz1", 640, 360);
        assertThat(Mp4Index.build(movie.write(dir.resolve("xyz1.mp4"))).unsupportedReason())
                .isEqualTo("The video codec 'xyz1' cannot be played over RTMP by this server");

        movie = new SmallMovie();
        movie.withVideo = false;
        movie.withAudio = false;
        assertThat(Mp4Index.build(movie.write(dir.resolve("empty.mp4"))).unsupportedReason())
                .isEqualTo("the file has no audio or video track");
    }

    @Test
    void mp3SampleEntryGivesTheAudioHeaderByte() throws Exception {
        SmallMovie movie = new SmallMovie();
        movie.audioEntry = BoxWriter.audioEntry(".mp3", 1, 22050);
        List<Played> a = audio(play(movie));
        assertThat(a).hasSize(20);
        // MP3, 22 kHz, 16-bit, mono
        assertThat(a.get(0).first()).isEqualTo(0x2A);
        assertThat(a.get(0).payload()).isEqualTo(10);
        // QuickTime's "ms\0U", stereo 11 kHz
        movie.audioEntry = BoxWriter.audioEntry("ms\0U", 2, 11025);
        assertThat(audio(play(movie)).get(0).first()).isEqualTo(0x27);
    }
}
