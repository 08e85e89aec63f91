package io.millrace.server.e2e;

import io.millrace.amf.AmfObject;
import io.millrace.api.ServerStream;
import io.millrace.rtmp.client.ClientEvent;
import io.millrace.rtmp.client.RtmpClient;
import io.millrace.server.live.LiveApplication;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Server-side streams end to end: a playlist of two files that the live application publishes in real time,
 * played by ffmpeg as one live stream (every frame, timestamps continuous across the items), and by an RTMP
 * client that hears NetStream.Play.Switch between items and NetStream.Play.Reset and Play.Start after a reset.
 */
class ServerStreamIT {
    private TestServer server;
    private final ExecutorService instanceExecutor = Executors.newSingleThreadExecutor();
    private ServerStream stream;

    @TempDir
    Path tmp;

    @AfterEach
    void stop() {
        if (stream != null) {
            stream.stop();
        }
        if (server != null) {
            server.close();
        }
        instanceExecutor.shutdownNow();
    }

    private LiveApplication live() {
        return (LiveApplication) server.application("live");
    }

    /** A second item, made now: 3 s of another pattern, coded as the sample is (640x360, 25 fps, AAC). */
    private static Path makeSecond(Path media) throws Exception {
        Path second = media.resolve("second.flv");
        RealClients.Result made = RealClients.run(60, RealClients.require("ffmpeg"), "-hide_banner", "-loglevel", "error",
                "-f", "lavfi", "-i", "testsrc=size=640x360:rate=25", "-f", "lavfi", "-i", "sine=frequency=660:sample_rate=44100",
                "-t", "3", "-c:v", "libx264", "-profile:v", "main", "-preset", "veryfast", "-g", "50", "-keyint_min", "50",
                "-sc_threshold", "0", "-pix_fmt", "yuv420p", "-c:a", "aac", "-b:a", "64k", "-ar", "44100", "-ac", "2",
                "-f", "flv", second.toString());
        assertThat(made.exitCode()).as("ffmpeg making the second item: %s", made).isZero();
        return second;
    }

    @Test
    void ffmpegPlaysAPlaylistOfTwoFilesAsOneLiveStream() throws Exception {
        server = TestServer.start();
        Path second = makeSecond(server.media());
        List<Probe.Packet> first = Probe.packets(TestServer.sampleFlv().toString());
        List<Probe.Packet> next = Probe.packets(second.toString());
        long expectedVideo = Probe.count(first, "video") + Probe.count(next, "video");
        long expectedAudio = Probe.count(first, "audio") + Probe.count(next, "audio");

        LinkedBlockingQueue<String> heard = new LinkedBlockingQueue<>();
        stream = live().serverStream("_definst_", "playlist", instanceExecutor);
        stream.addListener(io.millrace.server.live.PlaylistEvents.recorder(heard));

        Path out = tmp.resolve("played.flv");
        CompletableFuture<RealClients.Result> play = RealClients.async(90, RealClients.require("ffmpeg"), "-hide_banner",
                "-loglevel", "error", "-i", server.url("live/playlist"), "-c", "copy", "-f", "flv", out.toString());
        Thread.sleep(1500); // the player connects and waits for the stream
        stream.play("sample", 0, -1, true);
        stream.play("second", 0, -1, false);
        assertThat(stream.isPlaying()).isTrue();

        // ffmpeg ends on UnpublishNotify, when the playlist runs out.
        RealClients.Result r = play.get(60, TimeUnit.SECONDS);
        assertThat(r.exitCode()).as("ffmpeg player: %s", r).isZero();
        assertThat(heard.poll(10, TimeUnit.SECONDS)).isEqualTo("start sample");
        assertThat(heard.poll(10, TimeUnit.SECONDS)).isEqualTo("start second");
        assertThat(heard.poll(10, TimeUnit.SECONDS)).isEqualTo("end");
        assertThat(stream.isPlaying()).isFalse();

        assertOneStream(Probe.packets(out.toString()), first, expectedVideo, expectedAudio);
    }

    /**
     * The example chat application's channel (settings.channel: a playlist of two files, started by the room's
     * onAppStart) played by ffmpeg, which joins the room as a user: one live stream, every frame, continuous.
     */
    @Test
    void theChatExamplesChannelPlaysThroughFfmpegAsOneLiveStream() throws Exception {
        Path media = java.nio.file.Files.createDirectories(tmp.resolve("media"));
        Path second = makeSecond(media);
        Path apps = ChatApp.deploy(tmp, """
                class: io.millrace.examples.chat.ChatRoom
                settings:
                  channel:
                    stream: tv
                    files: [sample, second]
                """, "1");
        server = TestServer.startIn(tmp, "apps:\n  folder: " + apps + "\n");
        List<Probe.Packet> first = Probe.packets(TestServer.sampleFlv().toString());
        List<Probe.Packet> next = Probe.packets(second.toString());
        Path out = tmp.resolve("tv.flv");
        // ffmpeg's connect opens the room: onAppStart starts the channel, then ffmpeg plays it from its first
        // keyframe (the live application's GOP cache) and ends on UnpublishNotify when the playlist runs out.
        RealClients.Result r = RealClients.run(90, RealClients.require("ffmpeg"), "-hide_banner", "-loglevel", "error",
                "-rtmp_app", "chat/lobby", "-rtmp_conn", "S:viewer", "-rtmp_playpath", "tv", "-rtmp_live", "live",
                "-i", server.url("chat/lobby/tv"), "-c", "copy", "-f", "flv", out.toString());
        assertThat(r.exitCode()).as("ffmpeg player: %s", r).isZero();
        assertOneStream(Probe.packets(out.toString()), first, Probe.count(first, "video") + Probe.count(next, "video"),
                Probe.count(first, "audio") + Probe.count(next, "audio"));
    }

    /** The chat example's channel on a schedule: 1 s of the sample every 2 s, each airing a new publication. */
    @Test
    void theChannelAirsAgainOnItsSchedule() throws Exception {
        Path apps = ChatApp.deploy(tmp, """
                class: io.millrace.examples.chat.ChatRoom
                settings:
                  channel:
                    stream: tv
                    files: [sample]
                    seconds: 1
                    everySeconds: 2
                """, "1");
        server = TestServer.startIn(tmp, "apps:\n  folder: " + apps + "\n");
        try (ChatApp.Connected viewer = ChatApp.connect(server, "chat/lobby", 3, "viewer")) {
            RtmpClient c = viewer.client();
            double tid = c.send("createStream", null);
            c.await(e -> e instanceof ClientEvent.CommandEvent ce && ce.command().transactionId() == tid, LivePeer.WAIT);
            c.sendOnStream(1, "play", null, "tv", -1.0);
            java.time.Duration airing = java.time.Duration.ofSeconds(5);
            c.await(e -> code(e, "NetStream.Play.UnpublishNotify"), airing);
            c.await(e -> code(e, "NetStream.Play.PublishNotify"), airing);
            c.await(e -> code(e, "NetStream.Play.UnpublishNotify"), airing);
            c.await(e -> code(e, "NetStream.Play.PublishNotify"), airing);
            long keyframes = c.history().stream().filter(e -> e instanceof ClientEvent.Media m && m.isVideo()
                    && m.isFrame() && (m.head()[0] & 0xF0) == 0x10).count();
            assertThat(keyframes).as("each airing starts on a keyframe").isGreaterThanOrEqualTo(2);
        }
    }

    /** Every frame of both items, video timestamps growing by at most 2 frames, the second item on a keyframe. */
    private static void assertOneStream(List<Probe.Packet> got, List<Probe.Packet> first, long expectedVideo,
                                        long expectedAudio) {
        assertThat(Probe.count(got, "video")).as("video frames").isEqualTo(expectedVideo);
        assertThat(Probe.count(got, "audio")).as("audio frames").isBetween(expectedAudio - 2, expectedAudio);
        List<Long> video = got.stream().filter(p -> p.type().equals("video")).map(Probe.Packet::dtsMs).toList();
        long maxGap = 0;
        for (int i = 1; i < video.size(); i++) {
            long gap = video.get(i) - video.get(i - 1);
            assertThat(gap).as("video dts %d after %d", video.get(i), video.get(i - 1)).isPositive();
            maxGap = Math.max(maxGap, gap);
        }
        assertThat(maxGap).as("largest step between video frames, the item boundary included").isLessThanOrEqualTo(80);
        // The second item's video begins one frame after the first's.
        int boundary = (int) Probe.count(first, "video");
        assertThat(video.get(boundary) - video.get(boundary - 1)).isEqualTo(40);
        assertThat(got.stream().filter(p -> p.type().equals("video")).skip(boundary).findFirst().orElseThrow().key())
                .as("the second item starts at a keyframe").isTrue();
        double duration = (video.get(video.size() - 1) - video.get(0)) / 1000.0;
        assertThat(duration).as("video duration, s").isCloseTo(10.0 + 3.0 - 0.04, org.assertj.core.data.Offset.offset(0.2));
    }

    @Test
    void aViewerHearsSwitchBetweenItemsAndResetAndStartAfterAReset() throws Exception {
        server = TestServer.start();
        LinkedBlockingQueue<String> heard = new LinkedBlockingQueue<>();
        stream = live().serverStream("_definst_", "news", instanceExecutor);
        assertThat(live().serverStream("_definst_", "news", instanceExecutor)).isSameAs(stream);
        stream.addListener(io.millrace.server.live.PlaylistEvents.recorder(heard));
        LivePeer peer = LivePeer.connect(server, RtmpClient.Options.flashPlayer());
        RtmpClient viewer = peer.client;
        try {
            peer.play("news", -2.0);
            viewer.await(e -> code(e, "NetStream.Play.Start"), LivePeer.WAIT);

            stream.play("sample", 0, 2, true);
            stream.play("sample", 0, -1, false);
            viewer.await(e -> code(e, "NetStream.Play.PublishNotify"), LivePeer.WAIT);
            viewer.await(ServerStreamIT::isSwitch, LivePeer.WAIT);
            assertThat(heard.poll(10, TimeUnit.SECONDS)).isEqualTo("start sample");
            assertThat(heard.poll(10, TimeUnit.SECONDS)).isEqualTo("start sample");

            stream.play("sample", 8, -1, true);
            viewer.await(e -> code(e, "NetStream.Play.UnpublishNotify"), java.time.Duration.ofSeconds(30));
            assertThat(heard.poll(10, TimeUnit.SECONDS)).isEqualTo("start sample");
            assertThat(heard.poll(10, TimeUnit.SECONDS)).isEqualTo("end");

            List<String> seen = viewer.history().stream().map(ServerStreamIT::describe).filter(s -> s != null).toList();
            assertThat(seen).containsSubsequence("NetStream.Play.Start", "NetStream.Play.PublishNotify", "keyframe",
                    "onPlayStatus NetStream.Play.Switch", "avc-config", "keyframe",
                    "NetStream.Play.Reset", "NetStream.Play.Start", "avc-config", "keyframe",
                    "NetStream.Play.UnpublishNotify");
            assertThat(seen.stream().filter(s -> s.equals("onPlayStatus NetStream.Play.Switch"))).hasSize(1);
            // Timestamps only grow, across the switch and the reset.
            long previous = -1;
            for (ClientEvent e : viewer.history()) {
                if (e instanceof ClientEvent.Media m && m.isVideo() && m.isFrame()) {
                    assertThat(m.timestamp()).isGreaterThan(previous);
                    previous = m.timestamp();
                }
            }

            // A playlist that ended plays again when asked (as an application's schedule would).
            stream.play("sample", 0, 1, true);
            viewer.await(e -> code(e, "NetStream.Play.PublishNotify"), LivePeer.WAIT);
            assertThat(heard.poll(10, TimeUnit.SECONDS)).isEqualTo("start sample");
            assertThat(heard.poll(10, TimeUnit.SECONDS)).isEqualTo("end");
        } finally {
            viewer.close();
        }
    }

    @Test
    void aServerThatStopsMidPlaylistLetsGoOfItsFiles() throws Exception {
        server = TestServer.start();
        ServerStream s = live().serverStream("_definst_", "late", instanceExecutor);
        s.play("sample", 0, -1, true);
        s.play("sample", 0, -1, false);
        Thread.sleep(1500);
        assertThat(s.isPlaying()).isTrue();
        server.close(); // the event loop's shutdown frees what the playlist read ahead (the leak check would say)
        server = null;
        assertThat(s.isPlaying()).isFalse();
    }

    private static boolean code(ClientEvent e, String code) {
        return e instanceof ClientEvent.CommandEvent c && code.equals(c.code());
    }

    private static boolean isSwitch(ClientEvent e) {
        return e instanceof ClientEvent.Data d && "onPlayStatus".equals(d.name())
                && d.data().value(0) instanceof AmfObject info && "NetStream.Play.Switch".equals(info.get("code"));
    }

    private static String describe(ClientEvent e) {
        if (e instanceof ClientEvent.CommandEvent c && c.code() != null) {
            return c.code();
        }
        if (e instanceof ClientEvent.Data d && "onPlayStatus".equals(d.name()) && d.data().value(0) instanceof AmfObject info) {
            return "onPlayStatus " + info.get("code");
        }
        if (e instanceof ClientEvent.Media m) {
            if (m.isVideo() && m.isSequenceHeader()) {
                return "avc-config";
            }
            if (m.isKeyframe() && m.isFrame()) {
                return "keyframe";
            }
        }
        return null;
    }
}
