package io.millrace.server.e2e;

import io.millrace.rtmp.client.ClientEvent;
import io.millrace.rtmp.client.RtmpClient;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The live application with real encoders and players: ffmpeg publishes the sample in real time while
 * ffmpeg, rtmpdump and GStreamer play it at once; GStreamer's rtmp2sink publishes; an encoder that goes away
 * and comes back; a recording played back through vod.
 */
class LiveRealClientsIT {
    private static List<Probe.Packet> source;
    private TestServer server;

    @TempDir
    Path tmp;

    @BeforeAll
    static void probeSource() throws Exception {
        source = Probe.packets(TestServer.sampleFlv().toString());
    }

    @AfterEach
    void stop() {
        if (server != null) {
            server.close();
        }
    }

    private CompletableFuture<RealClients.Result> async(int timeout, String... cmd) {
        return RealClients.async(timeout, cmd);
    }

    private RealClients.Result publishSample(String url) throws Exception {
        return RealClients.run(60, RealClients.require("ffmpeg"), "-hide_banner", "-loglevel", "error", "-re",
                "-i", TestServer.sampleFlv().toString(), "-c", "copy", "-f", "flv", url);
    }

    /** Gives players started in the background time to connect and start waiting. */
    private static void settle() throws InterruptedException {
        Thread.sleep(1500);
    }

    /** Decoded video frames of a file (ffprobe -count_frames decodes every frame). */
    private static long decodedVideoFrames(Path file) throws Exception {
        RealClients.Result r = RealClients.run(60, RealClients.require("ffprobe"), "-v", "error", "-count_frames",
                "-select_streams", "v", "-show_entries", "stream=nb_read_frames", "-of", "csv=p=0", file.toString());
        assertThat(r.exitCode()).as("ffprobe -count_frames: %s", r).isZero();
        return Long.parseLong(r.stdout().trim());
    }

    @Test
    void ffmpegPublishesWhileFfmpegRtmpdumpAndGstreamerPlayEveryFrame() throws Exception {
        // Pings every second: a PingRequest that ffmpeg's publisher leaves unread when it closes costs the
        // stream's last frames (RtmpSession.ping); the players are pinged, the publisher must not be.
        server = TestServer.start("rtmp:\n  pingIntervalMillis: 1000\n");
        String url = server.url("live/show");
        Path ff = tmp.resolve("ffmpeg.flv");
        Path rd = tmp.resolve("rtmpdump.flv");
        Path gst = tmp.resolve("gst.flv");
        // The players start first and wait for the publisher (ffmpeg plays start -2, rtmpdump -v sends -1000).
        CompletableFuture<RealClients.Result> ffPlay = async(90, RealClients.require("ffmpeg"), "-hide_banner",
                "-loglevel", "error", "-i", url, "-c", "copy", "-f", "flv", ff.toString());
        CompletableFuture<RealClients.Result> rdPlay = async(90, RealClients.require("rtmpdump"), "-v", "-r", url,
                "-o", rd.toString());
        // rtmp2src does not end on UnpublishNotify; its idle timeout ends it 3 s after the last packet.
        CompletableFuture<RealClients.Result> gstPlay = async(90, RealClients.require("gst-launch-1.0"), "-q", "-e",
                "rtmp2src", "location=" + url, "idle-timeout=3", "!", "filesink", "location=" + gst);
        settle();
        RealClients.Result pub = publishSample(url);
        assertThat(pub.exitCode()).as("ffmpeg publisher: %s", pub).isZero();

        RealClients.Result ffr = ffPlay.get(60, TimeUnit.SECONDS);
        assertThat(ffr.exitCode()).as("ffmpeg player ends on UnpublishNotify: %s", ffr).isZero();
        RealClients.Result rdr = rdPlay.get(60, TimeUnit.SECONDS);
        assertThat(rdr.exitCode()).as("rtmpdump: %s", rdr).isZero();
        gstPlay.get(60, TimeUnit.SECONDS);

        long video = Probe.count(source, "video");
        long audio = Probe.count(source, "audio");
        for (Path p : List.of(ff, rd, gst)) {
            List<Probe.Packet> got = Probe.packets(p.toString());
            assertThat(Probe.count(got, "video")).as("video frames %s", p.getFileName()).isEqualTo(video);
            assertThat(Probe.count(got, "audio")).as("audio frames %s", p.getFileName()).isEqualTo(audio);
            assertThat(decodedVideoFrames(p)).as("decodable video %s", p.getFileName()).isEqualTo(video);
            // The same spacing as the source: durations and order are kept, shifted to start near 0.
            List<Long> srcVideo = source.stream().filter(x -> x.type().equals("video")).map(Probe.Packet::dtsMs).toList();
            List<Long> gotVideo = got.stream().filter(x -> x.type().equals("video")).map(Probe.Packet::dtsMs).toList();
            long shift = gotVideo.get(0) - srcVideo.get(0);
            assertThat(shift).as("starts near zero").isBetween(-50L, 50L);
            for (int i = 0; i < srcVideo.size(); i++) {
                assertThat(gotVideo.get(i) - shift).as("%s video frame %d", p.getFileName(), i).isEqualTo(srcVideo.get(i));
            }
        }
    }

    @Test
    void gstreamerRtmp2sinkPublishes() throws Exception {
        server = TestServer.start();
        String url = server.url("live/gst");
        Path out = tmp.resolve("from-gst.flv");
        CompletableFuture<RealClients.Result> play = async(90, RealClients.require("ffmpeg"), "-hide_banner",
                "-loglevel", "error", "-i", url, "-c", "copy", "-f", "flv", out.toString());
        settle();
        RealClients.Result pub = RealClients.run(60, RealClients.require("gst-launch-1.0"), "-q", "filesrc",
                "location=" + TestServer.sampleFlv(), "!", "flvdemux", "name=d", "flvmux", "name=m", "streamable=true",
                "!", "rtmp2sink", "location=" + url, "d.video", "!", "queue", "!", "h264parse", "!", "m.",
                "d.audio", "!", "queue", "!", "aacparse", "!", "m.");
        assertThat(pub.exitCode()).as("gst-launch rtmp2sink: %s", pub).isZero();
        RealClients.Result r = play.get(60, TimeUnit.SECONDS);
        assertThat(r.exitCode()).as("ffmpeg player: %s", r).isZero();
        List<Probe.Packet> got = Probe.packets(out.toString());
        assertThat(Probe.count(got, "video")).isEqualTo(Probe.count(source, "video"));
        assertThat(Probe.count(got, "audio")).isEqualTo(Probe.count(source, "audio"));
    }

    @Test
    void anEncoderThatGoesAwayAndComesBackKeepsItsViewer() throws Exception {
        server = TestServer.start();
        String url = server.url("live/again");
        RtmpClient viewer = RtmpClient.open("127.0.0.1", server.port(), RtmpClient.Options.flashPlayer());
        try {
            viewer.sendConnect("live", server.url("live"));
            viewer.send("createStream", null);
            viewer.await(e -> e instanceof ClientEvent.CommandEvent c && "_result".equals(c.name())
                    && c.command().transactionId() == 2, LivePeer.WAIT);
            viewer.sendOnStream(1, "play", null, "again", -2.0);
            for (int round = 0; round < 2; round++) {
                RealClients.Result pub = publishSample(url);
                assertThat(pub.exitCode()).as("ffmpeg publisher %d: %s", round, pub).isZero();
                viewer.await(e -> e instanceof ClientEvent.CommandEvent c
                        && "NetStream.Play.UnpublishNotify".equals(c.code()), LivePeer.WAIT);
            }
            List<ClientEvent> history = viewer.history();
            List<String> codes = history.stream().filter(e -> e instanceof ClientEvent.CommandEvent c && c.code() != null)
                    .map(e -> ((ClientEvent.CommandEvent) e).code()).toList();
            assertThat(codes).containsSubsequence("NetStream.Play.Start", "NetStream.Play.PublishNotify",
                    "NetStream.Play.UnpublishNotify", "NetStream.Play.PublishNotify", "NetStream.Play.UnpublishNotify");
            List<ClientEvent.Media> video = history.stream().filter(e -> e instanceof ClientEvent.Media m && m.isVideo()
                    && m.isFrame()).map(e -> (ClientEvent.Media) e).toList();
            long perRound = Probe.count(source, "video");
            assertThat(video).hasSize((int) (2 * perRound));
            long last = -1;
            for (ClientEvent.Media m : video) {
                assertThat(m.timestamp()).isGreaterThanOrEqualTo(last);
                last = m.timestamp();
            }
            // The second publication follows the first on the viewer's timeline.
            assertThat(video.get((int) perRound).timestamp()).isGreaterThan(video.get((int) perRound - 1).timestamp());
            assertThat(video.get((int) perRound).isKeyframe()).isTrue();
        } finally {
            viewer.close();
        }
    }

    @Test
    void aRecordingPlaysThroughVodWithItsDuration() throws Exception {
        server = TestServer.start("live:\n  record: record\nrtmp:\n  pingIntervalMillis: 1000\n");
        RealClients.Result pub = publishSample(server.url("live/rec"));
        assertThat(pub.exitCode()).as("ffmpeg publisher: %s", pub).isZero();
        Thread.sleep(500);
        Path out = tmp.resolve("vod.flv");
        RealClients.Result r = RealClients.run(60, RealClients.require("rtmpdump"), "-r", server.url("vod/rec"),
                "-o", out.toString());
        assertThat(r.exitCode()).as("rtmpdump from vod: %s", r).isIn(0, 2);
        List<Probe.Packet> got = Probe.packets(out.toString());
        assertThat(Probe.count(got, "video")).isEqualTo(Probe.count(source, "video"));
        assertThat(Probe.count(got, "audio")).isEqualTo(Probe.count(source, "audio"));
        Map<String, String> format = Probe.format(Probe.sections(server.data().resolve("recordings/rec.flv").toString()));
        assertThat(Double.parseDouble(format.get("duration"))).isBetween(9.8, 10.2);
    }
}
