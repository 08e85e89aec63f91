package io.millrace.server.e2e;

import io.millrace.amf.AmfObject;
import io.millrace.rtmp.client.ClientEvent;
import io.millrace.rtmp.client.RtmpClient;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.offset;

/**
 * MP4, F4V, MOV, M4A and MP3 on demand, against rtmpdump, ffmpeg and ffprobe, on files made here with
 * ffmpeg: the packets rtmpdump records from Millrace match ffprobe's packets of the source in count,
 * order, size, and decode and presentation timestamps (B-frames included).
 *
 * <p>RTMP timestamps cannot be negative, but an MP4 with B-frames under an edit list starts its decode
 * times before zero (ffprobe: video DTS -80 ms) and AAC priming puts the first audio packet at -23 ms.
 * Millrace moves the whole file by one constant so that nothing is negative, as ffmpeg's FLV muxer does;
 * the comparison therefore allows one offset, the same for every packet of every track (A/V sync kept).
 */
class Mp4Mp3RealClientsIT {
    private static final Duration WAIT = Duration.ofSeconds(15);
    private static TestServer server;
    private static Path media;

    @TempDir
    Path tmp;

    @BeforeAll
    static void makeFilesAndStart() throws Exception {
        server = TestServer.start();
        media = server.media();
        String ff = RealClients.require("ffmpeg");
        List<String> av = List.of(ff, "-v", "error", "-y", "-f", "lavfi", "-i", "testsrc2=size=320x240:rate=25",
                "-f", "lavfi", "-i", "sine=frequency=440:sample_rate=44100", "-t", "6",
                "-c:v", "libx264", "-bf", "2", "-g", "25", "-keyint_min", "25", "-sc_threshold", "0", "-pix_fmt", "yuv420p",
                "-c:a", "aac", "-b:a", "64k", "-metadata", "title=Millrace test clip");
        make(av, "moovlast.mp4");
        make(av, "-movflags", "+faststart", "faststart.mp4");
        make(av, "-movflags", "frag_keyframe+empty_moov+default_base_moof", "fragmented.mp4");
        make(av, "-f", "mp4", "clip.f4v");
        make(av, "clip.mov");
        List<String> audio = List.of(ff, "-v", "error", "-y", "-f", "lavfi", "-i", "sine=frequency=440:sample_rate=44100", "-t", "6");
        make(audio, "-c:a", "aac", "-b:a", "96k", "song.m4a");
        make(audio, "-c:a", "libmp3lame", "-b:a", "128k", "-metadata", "title=Tone", "-metadata", "artist=Millrace", "cbr.mp3");
        make(audio, "-c:a", "libmp3lame", "-q:a", "4", "vbr.mp3");
    }

    private static void make(List<String> base, String... tail) throws Exception {
        List<String> cmd = new ArrayList<>(base);
        cmd.addAll(List.of(tail).subList(0, tail.length - 1));
        cmd.add(media.resolve(tail[tail.length - 1]).toString());
        RealClients.Result r = RealClients.run(120, cmd);
        assertThat(r.exitCode()).as("ffmpeg: %s", r).isZero();
    }

    @AfterAll
    static void stop() {
        if (server != null) {
            server.close();
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"mp4:moovlast.mp4", "mp4:faststart.mp4", "mp4:fragmented.mp4", "mp4:clip.f4v",
            "mp4:clip.mov", "mp4:song.m4a", "mp3:cbr", "mp3:vbr.mp3", "faststart.mp4", "cbr.mp3"})
    void rtmpdumpRecordsEveryPacketWithItsTimestamps(String name) throws Exception {
        String file = name.contains(":") ? name.substring(name.indexOf(':') + 1) : name;
        if (!file.contains(".")) {
            file = file + ".mp3";
        }
        List<Probe.Packet> source = Probe.packets(media.resolve(file).toString());
        Path out = tmp.resolve("out.flv");
        RealClients.Result r = RealClients.run(120, RealClients.require("rtmpdump"), "-r", server.url("vod/") + "",
                "-y", name, "-o", out.toString());
        assertThat(r.stderr()).as("rtmpdump: %s", r).doesNotContain("ERROR");
        assertThat(r.exitCode()).as("rtmpdump: %s", r).isIn(0, 2);
        List<Probe.Packet> got = Probe.packets(out.toString());
        comparePackets(source, got);
        assertThat(duration(out)).isCloseTo(duration(media.resolve(file)), offset(0.15));
    }

    /** Same packets per track, in order, same sizes and keyframes, timestamps equal up to one shared offset. */
    static void comparePackets(List<Probe.Packet> source, List<Probe.Packet> got) {
        Long shift = null;
        for (String type : List.of("video", "audio")) {
            List<Probe.Packet> s = source.stream().filter(p -> p.type().equals(type)).toList();
            List<Probe.Packet> g = got.stream().filter(p -> p.type().equals(type)).toList();
            assertThat(g).as(type + " packet count").hasSize(s.size());
            for (int i = 0; i < s.size(); i++) {
                Probe.Packet a = s.get(i);
                Probe.Packet b = g.get(i);
                if (shift == null) {
                    shift = b.ptsMs() - a.ptsMs();
                    assertThat(shift).as("constant shift").isBetween(0L, 200L);
                }
                assertThat(b.size()).as("%s %d size", type, i).isEqualTo(a.size());
                assertThat(b.ptsMs() - a.ptsMs()).as("%s %d pts %s vs %s", type, i, b, a).isBetween(shift - 1, shift + 1);
                assertThat(b.dtsMs() - a.dtsMs()).as("%s %d dts %s vs %s", type, i, b, a).isBetween(shift - 1, shift + 1);
                if (type.equals("video")) {
                    assertThat(b.key()).as("%s %d keyframe", type, i).isEqualTo(a.key());
                }
            }
        }
    }

    private static double duration(Path file) throws Exception {
        return Double.parseDouble(Probe.format(Probe.sections(file.toString())).get("duration"));
    }

    @Test
    void ffprobeOnTheUrlReportsTheTracksAndTheMetadata() throws Exception {
        List<Map<String, String>> s = Probe.sections(server.url("vod/mp4:moovlast.mp4"));
        assertThat(Probe.stream(s, "video").get("codec_name")).isEqualTo("h264");
        assertThat(Probe.stream(s, "video").get("width")).isEqualTo("320");
        assertThat(Probe.stream(s, "audio").get("codec_name")).isEqualTo("aac");
        assertThat(Double.parseDouble(Probe.format(s).get("duration"))).isCloseTo(6.0, offset(0.1));
        List<Map<String, String>> mp3 = Probe.sections(server.url("vod/mp3:cbr"));
        assertThat(Probe.stream(mp3, "audio").get("codec_name")).isEqualTo("mp3");
    }

    @ParameterizedTest
    @ValueSource(strings = {"mp4:moovlast.mp4", "mp4:faststart.mp4", "mp4:fragmented.mp4", "mp4:clip.f4v",
            "mp4:clip.mov", "mp4:song.m4a", "mp3:cbr", "mp3:vbr"})
    void seekGoesToTheKeyframeAtOrBefore(String name) throws Exception {
        boolean audioOnly = name.endsWith(".m4a") || name.startsWith("mp3:");
        try (RtmpClient c = connect()) {
            c.setBufferLength(1, 60_000);
            c.notify(1, "play", name);
            // The file's constant lead (if any) shows in its first frame of the leading kind.
            long zero = (audioOnly ? firstFrame(c) : firstVideoFrame(c)).timestamp();
            c.notify(1, "seek", 3500.0 + zero);
            c.await(e -> e instanceof ClientEvent.CommandEvent ce && "NetStream.Seek.Notify".equals(ce.code()), WAIT);
            c.await(e -> e instanceof ClientEvent.CommandEvent ce && "NetStream.Play.Start".equals(ce.code()), WAIT);
            List<ClientEvent.Media> after = new ArrayList<>();
            while (after.size() < 12) {
                if (c.next(WAIT) instanceof ClientEvent.Media m && m.isFrame()) {
                    after.add(m);
                }
            }
            ClientEvent.Media firstAudio = after.stream().filter(ClientEvent.Media::isAudio).findFirst().orElseThrow();
            if (audioOnly) {
                // Any audio frame is a seek point: the one at or before the target.
                assertThat(firstAudio.timestamp() - zero).isBetween(3400L, 3500L);
            } else {
                ClientEvent.Media firstVideo = after.stream().filter(ClientEvent.Media::isVideo).findFirst().orElseThrow();
                assertThat(firstVideo.isKeyframe()).isTrue();
                assertThat(firstVideo.timestamp() - zero).isEqualTo(3000); // keyframes every second
                assertThat(firstAudio.timestamp()).as("audio aligned with the keyframe")
                        .isBetween(firstVideo.timestamp() - 50, firstVideo.timestamp() + 50);
            }
            // ... and on to the end, completing as a file does.
            c.await(e -> e instanceof ClientEvent.Data d && d.name().equals("onPlayStatus"), Duration.ofSeconds(30));
        }
    }

    @Test
    void seekToTheLastSecondAndPastTheEndOfAMoovAtEndFile() throws Exception {
        try (RtmpClient c = connect()) {
            c.setBufferLength(1, 60_000);
            c.notify(1, "play", "mp4:moovlast.mp4");
            long zero = firstVideoFrame(c).timestamp();
            c.notify(1, "seek", 5500.0 + zero);
            c.await(e -> e instanceof ClientEvent.CommandEvent ce && "NetStream.Seek.Notify".equals(ce.code()), WAIT);
            ClientEvent.Media last = firstVideoFrame(c);
            assertThat(last.isKeyframe()).isTrue();
            assertThat(last.timestamp() - zero).isEqualTo(5000);
            c.await(e -> e instanceof ClientEvent.Data d && d.name().equals("onPlayStatus"), WAIT);
            // Past the end: as with FLV, the last keyframe and what follows it, then Play.Complete.
            c.notify(1, "seek", 60_000.0);
            c.await(e -> e instanceof ClientEvent.CommandEvent ce && "NetStream.Seek.Notify".equals(ce.code()), WAIT);
            ClientEvent.Media pastEnd = firstVideoFrame(c);
            assertThat(pastEnd.timestamp() - zero).isEqualTo(5000);
            c.await(e -> e instanceof ClientEvent.Data d && d.name().equals("onPlayStatus"), WAIT);
        }
    }

    @Test
    void metadataAsFmsSendsItForMp4() throws Exception {
        try (RtmpClient c = connect()) {
            c.notify(1, "play", "mp4:moovlast.mp4");
            ClientEvent.Data meta = (ClientEvent.Data) c.await(e -> e instanceof ClientEvent.Data d && d.name().equals("onMetaData"), WAIT);
            AmfObject m = (AmfObject) meta.data().value(0);
            assertThat(m.getNumber("duration", 0)).isCloseTo(6.0, offset(0.1));
            assertThat(m.getNumber("width", 0)).isEqualTo(320);
            assertThat(m.getNumber("height", 0)).isEqualTo(240);
            assertThat(m.getNumber("framerate", 0)).isCloseTo(25.0, offset(0.1));
            assertThat(m.getNumber("audiosamplerate", 0)).isEqualTo(44100);
            assertThat(m.getNumber("audiochannels", 0)).isEqualTo(1);
            assertThat(m).containsKeys("videocodecid", "audiocodecid", "moovposition", "trackinfo");
            assertThat(m.getNumber("moovposition", 0)).isGreaterThan(10_000); // moov after mdat
            assertThat(m.get("title")).isEqualTo("Millrace test clip");
        }
        try (RtmpClient c = connect()) {
            c.notify(1, "play", "mp3:cbr");
            ClientEvent.Data meta = (ClientEvent.Data) c.await(e -> e instanceof ClientEvent.Data d && d.name().equals("onMetaData"), WAIT);
            AmfObject m = (AmfObject) meta.data().value(0);
            assertThat(m.getNumber("duration", 0)).isCloseTo(6.0, offset(0.1));
            assertThat(m.get("title")).isEqualTo("Tone");
            assertThat(m.get("artist")).isEqualTo("Millrace");
        }
    }

    @Test
    void damagedFilesGetAClearStatusAndTruncatedMediaPlaysWhatIsThere() throws Exception {
        byte[] faststart = Files.readAllBytes(media.resolve("faststart.mp4"));
        byte[] moovlast = Files.readAllBytes(media.resolve("moovlast.mp4"));
        Files.write(media.resolve("cutmoov.mp4"), java.util.Arrays.copyOf(faststart, 2000)); // inside moov
        Files.write(media.resolve("cutmdat.mp4"), java.util.Arrays.copyOf(faststart, faststart.length * 6 / 10));
        byte[] garbage = new byte[50_000];
        new java.util.Random(7).nextBytes(garbage);
        Files.write(media.resolve("garbage.mp4"), garbage);
        Files.write(media.resolve("garbage.mp3"), garbage);
        Files.write(media.resolve("empty.mp4"), new byte[0]);
        Files.write(media.resolve("nomoov.mp4"), java.util.Arrays.copyOf(moovlast, moovlast.length / 2));
        for (String bad : List.of("mp4:cutmoov.mp4", "mp4:garbage.mp4", "mp3:garbage", "mp4:empty.mp4", "mp4:nomoov.mp4")) {
            try (RtmpClient c = connect()) {
                c.notify(1, "play", bad);
                ClientEvent.CommandEvent status = (ClientEvent.CommandEvent) c.await(
                        e -> e instanceof ClientEvent.CommandEvent ce && ce.code() != null && ce.code().startsWith("NetStream.Play."), WAIT);
                assertThat(status.code()).as(bad).isIn("NetStream.Play.FileStructureInvalid", "NetStream.Play.Failed");
                assertThat(status.info().getString("level")).isEqualTo("error");
                assertThat(status.info().getString("description")).as(bad).isNotBlank();
                assertThat(c.isOpen()).isTrue();
            }
        }
        try (RtmpClient c = connect()) {
            c.setBufferLength(1, 60_000);
            c.notify(1, "play", "mp4:cutmdat.mp4");
            List<ClientEvent.Media> frames = new ArrayList<>();
            ClientEvent e;
            while (!((e = c.next(WAIT)) instanceof ClientEvent.Data d && d.name().equals("onPlayStatus"))) {
                if (e instanceof ClientEvent.Media m && m.isFrame()) {
                    frames.add(m);
                }
            }
            assertThat(frames.stream().filter(ClientEvent.Media::isVideo).count()).isBetween(30L, 149L);
        }
    }

    @Test
    void aReplacedFileIsSeenByTheNextPlay() throws Exception {
        Path f = media.resolve("changing.mp4");
        Files.copy(media.resolve("faststart.mp4"), f);
        assertThat(streamLength("mp4:changing.mp4")).isCloseTo(6.0, offset(0.1));
        RealClients.Result r = RealClients.run(60, RealClients.require("ffmpeg"), "-v", "error", "-y", "-i",
                media.resolve("faststart.mp4").toString(), "-t", "2", "-c", "copy", tmp.resolve("short.mp4").toString());
        assertThat(r.exitCode()).isZero();
        Files.write(f, Files.readAllBytes(tmp.resolve("short.mp4")), StandardOpenOption.TRUNCATE_EXISTING);
        Files.setLastModifiedTime(f, FileTime.fromMillis(System.currentTimeMillis() + 5000));
        assertThat(streamLength("mp4:changing.mp4")).isCloseTo(2.0, offset(0.2));
    }

    @Test
    void hevcIsRefusedWithAClearStatusUntilEnhancedRtmp() throws Exception {
        RealClients.Result r = RealClients.run(120, RealClients.require("ffmpeg"), "-v", "error", "-y", "-f", "lavfi",
                "-i", "testsrc2=size=320x240:rate=25", "-t", "1", "-c:v", "libx265", "-tag:v", "hvc1",
                media.resolve("hevc.mp4").toString());
        assertThat(r.exitCode()).as("ffmpeg libx265: %s", r).isZero();
        try (RtmpClient c = connect()) {
            c.notify(1, "play", "mp4:hevc.mp4");
            ClientEvent.CommandEvent status = (ClientEvent.CommandEvent) c.await(
                    e -> e instanceof ClientEvent.CommandEvent ce && ce.code() != null && ce.code().startsWith("NetStream.Play."), WAIT);
            assertThat(status.code()).isEqualTo("NetStream.Play.NoSupportedTrackFound");
            assertThat(status.info().getString("description")).containsIgnoringCase("hevc");
        }
    }

    private double streamLength(String name) throws Exception {
        try (RtmpClient c = RtmpClient.open("127.0.0.1", server.port(), RtmpClient.Options.plain())) {
            c.sendConnect("vod", server.url("vod"));
            c.await(e -> e instanceof ClientEvent.CommandEvent ce && ce.name().equals("onBWDone"), WAIT);
            double tid = c.send("getStreamLength", null, name);
            ClientEvent.CommandEvent r = (ClientEvent.CommandEvent) c.await(
                    e -> e instanceof ClientEvent.CommandEvent ce && ce.command().transactionId() == tid, WAIT);
            return ((Number) r.command().arg(0)).doubleValue();
        }
    }

    private RtmpClient connect() throws Exception {
        RtmpClient c = RtmpClient.open("127.0.0.1", server.port(), RtmpClient.Options.plain());
        c.sendConnect("vod", server.url("vod"));
        c.await(e -> e instanceof ClientEvent.CommandEvent ce && ce.name().equals("onBWDone"), WAIT);
        c.send("createStream", null);
        c.await(e -> e instanceof ClientEvent.CommandEvent ce && ce.name().equals("_result"), WAIT);
        return c;
    }

    private static ClientEvent.Media firstFrame(RtmpClient c) throws Exception {
        return (ClientEvent.Media) c.await(e -> e instanceof ClientEvent.Media m && m.isFrame(), WAIT);
    }

    private static ClientEvent.Media firstVideoFrame(RtmpClient c) throws Exception {
        return (ClientEvent.Media) c.await(e -> e instanceof ClientEvent.Media m && m.isFrame() && m.isVideo(), WAIT);
    }
}
