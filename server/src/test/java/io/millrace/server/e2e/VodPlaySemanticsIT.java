package io.millrace.server.e2e;

import io.millrace.amf.AmfObject;
import io.millrace.rtmp.client.ClientEvent;
import io.millrace.rtmp.client.RtmpClient;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeoutException;
import java.util.function.Predicate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** play's start, len and reset as FMS defined them, playlists, several streams, receiveVideo, pacing. */
class VodPlaySemanticsIT {
    private static final Duration WAIT = Duration.ofSeconds(10);
    /** Frames in the sample, without sequence headers (ffprobe: 250 video, 432 audio). */
    private static final int VIDEO_FRAMES = 250;
    private static final int AUDIO_FRAMES = 432;

    private static TestServer server;
    private RtmpClient client;

    @BeforeAll
    static void startServer() throws Exception {
        server = TestServer.start();
    }

    @AfterAll
    static void stopServer() {
        if (server != null) {
            server.close();
        }
    }

    @BeforeEach
    void connect() throws Exception {
        client = RtmpClient.open("127.0.0.1", server.port(), RtmpClient.Options.plain());
        client.sendConnect("vod", server.url("vod"));
        client.await(e -> e instanceof ClientEvent.CommandEvent c && c.name().equals("onBWDone"), WAIT);
    }

    @AfterEach
    void disconnect() {
        client.close();
    }

    private int createStream() throws Exception {
        double tid = client.send("createStream", null);
        ClientEvent.CommandEvent r = (ClientEvent.CommandEvent) client.await(
                e -> e instanceof ClientEvent.CommandEvent c && c.command().transactionId() == tid, WAIT);
        return ((Number) r.command().arg(0)).intValue();
    }

    /** Media frames (no sequence headers) of one stream until its Play.Complete, and the Complete info. */
    private record Played(List<ClientEvent.Media> frames, AmfObject complete, List<String> codes) {
        long count(Predicate<ClientEvent.Media> p) {
            return frames.stream().filter(p).count();
        }
    }

    private Played collectUntilComplete(int streamId, Duration timeout) throws Exception {
        List<ClientEvent.Media> frames = new ArrayList<>();
        List<String> codes = new ArrayList<>();
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            ClientEvent e = client.next(WAIT);
            if (e instanceof ClientEvent.Media m && m.streamId() == streamId && m.isFrame()) {
                frames.add(m);
            } else if (e instanceof ClientEvent.CommandEvent c && c.command().streamId() == streamId && c.code() != null) {
                codes.add(c.code());
            } else if (e instanceof ClientEvent.Data d && d.data().streamId() == streamId && d.name().equals("onPlayStatus")) {
                AmfObject info = (AmfObject) d.data().value(0);
                codes.add(info.getString("code"));
                if ("NetStream.Play.Complete".equals(info.getString("code"))) {
                    return new Played(frames, info, codes);
                }
            }
        }
        throw new TimeoutException("no Play.Complete on stream " + streamId);
    }

    @Test
    void playlistAppendsWithResetFalseAndSwitchesOnOneTimeline() throws Exception {
        int id = createStream();
        client.setBufferLength(id, 60_000);
        client.notify(id, "play", "sample", 0.0, -1.0, true);
        client.notify(id, "play", "sample", 0.0, 2000.0, false); // appended: the first 2 s again
        Played p = collectUntilComplete(id, Duration.ofSeconds(30));
        assertThat(p.codes()).containsSubsequence("NetStream.Play.Reset", "NetStream.Play.Start",
                "NetStream.Play.Switch", "NetStream.Play.Start", "NetStream.Play.Complete");
        assertThat(p.codes()).filteredOn("NetStream.Play.Reset"::equals).hasSize(1);
        // The second item continues the timeline after the first one's last frame.
        List<ClientEvent.Media> video = p.frames().stream().filter(ClientEvent.Media::isVideo).toList();
        assertThat(video).hasSize(VIDEO_FRAMES + 51); // 0..2000 ms inclusive of the second item: 51 frames
        for (int i = 1; i < video.size(); i++) {
            assertThat(video.get(i).timestamp()).isGreaterThan(video.get(i - 1).timestamp());
        }
        assertThat(video.get(VIDEO_FRAMES).isKeyframe()).isTrue();
        assertThat(video.get(VIDEO_FRAMES).timestamp()).isEqualTo(video.get(VIDEO_FRAMES - 1).timestamp() + 40);
        assertThat(p.complete().getNumber("duration", 0)).isGreaterThan(11_900);
    }

    @Test
    void twoStreamsOnOneConnectionPlayIndependently() throws Exception {
        int a = createStream();
        int b = createStream();
        assertThat(b).isNotEqualTo(a);
        client.setBufferLength(a, 60_000);
        client.setBufferLength(b, 60_000);
        client.notify(a, "play", "sample");
        client.notify(b, "play", "sample", 6000.0);
        List<ClientEvent.Media> onA = new ArrayList<>();
        List<ClientEvent.Media> onB = new ArrayList<>();
        int completes = 0;
        while (completes < 2) {
            ClientEvent e = client.next(WAIT);
            if (e instanceof ClientEvent.Media m && m.isFrame()) {
                (m.streamId() == a ? onA : onB).add(m);
            } else if (e instanceof ClientEvent.Data d && d.name().equals("onPlayStatus")) {
                completes++;
            }
        }
        assertThat(onA.stream().filter(ClientEvent.Media::isVideo).count()).isEqualTo(VIDEO_FRAMES);
        assertThat(onA.stream().filter(ClientEvent.Media::isAudio).count()).isEqualTo(AUDIO_FRAMES);
        List<ClientEvent.Media> videoB = onB.stream().filter(ClientEvent.Media::isVideo).toList();
        assertThat(videoB.get(0).timestamp()).isEqualTo(6000);
        assertThat(videoB.get(0).isKeyframe()).isTrue();
        assertThat(videoB).hasSize(100); // 6000..9960 ms at 25 fps
    }

    @Test
    void seekAfterTheEndPlaysAgainFromThere() throws Exception {
        int id = createStream();
        client.setBufferLength(id, 60_000);
        client.notify(id, "play", "sample");
        collectUntilComplete(id, WAIT);
        client.await(e -> e instanceof ClientEvent.CommandEvent c && "NetStream.Play.Stop".equals(c.code()), WAIT);
        client.notify(id, "seek", 8000.0);
        Played again = collectUntilComplete(id, WAIT);
        assertThat(again.codes()).containsSubsequence("NetStream.Seek.Notify", "NetStream.Play.Start", "NetStream.Play.Complete");
        List<ClientEvent.Media> video = again.frames().stream().filter(ClientEvent.Media::isVideo).toList();
        assertThat(video.get(0).timestamp()).isEqualTo(8000);
        assertThat(video.get(0).isKeyframe()).isTrue();
        assertThat(video).hasSize(50);
    }

    @Test
    void seekInsideTheSecondPlaylistItemUsesTheStreamTimeline() throws Exception {
        int id = createStream();
        client.setBufferLength(id, 1000);
        client.notify(id, "play", "sample", 8000.0, -1.0, true);
        client.notify(id, "play", "sample", 0.0, -1.0, false);
        client.await(e -> e instanceof ClientEvent.Data d && d.name().equals("onPlayStatus"), WAIT); // Play.Switch
        // The second item starts at 10000 on the stream's timeline (after 9960 + one frame); its 4 s
        // keyframe is at 14000.
        client.notify(id, "seek", 14500.0);
        client.await(e -> e instanceof ClientEvent.CommandEvent c && "NetStream.Seek.Notify".equals(c.code()), WAIT);
        ClientEvent.Media first = (ClientEvent.Media) client.await(e -> e instanceof ClientEvent.Media m && m.isFrame() && m.isVideo(), WAIT);
        assertThat(first.isKeyframe()).isTrue();
        assertThat(first.timestamp()).isEqualTo(14000);
    }

    @Test
    void lengthZeroSendsOneFrame() throws Exception {
        int id = createStream();
        client.notify(id, "play", "sample", 4000.0, 0.0);
        Played p = collectUntilComplete(id, WAIT);
        assertThat(p.count(ClientEvent.Media::isVideo)).isEqualTo(1);
        assertThat(p.frames().stream().filter(ClientEvent.Media::isVideo).findFirst().orElseThrow().timestamp()).isEqualTo(4000);
    }

    @Test
    void positiveLengthStopsThere() throws Exception {
        int id = createStream();
        client.setBufferLength(id, 60_000);
        client.notify(id, "play", "sample", 2000.0, 1000.0);
        Played p = collectUntilComplete(id, WAIT);
        List<ClientEvent.Media> video = p.frames().stream().filter(ClientEvent.Media::isVideo).toList();
        assertThat(video.get(0).timestamp()).isEqualTo(2000);
        assertThat(video.get(video.size() - 1).timestamp()).isEqualTo(3000);
        assertThat(video).hasSize(26);
    }

    @Test
    void receiveVideoFalseStopsVideoAndTrueResumesAtAKeyframe() throws Exception {
        int id = createStream();
        client.setBufferLength(id, 500);
        client.notify(id, "receiveVideo", false);
        client.notify(id, "play", "sample");
        // Nothing but audio for the first part.
        List<ClientEvent.Media> first = new ArrayList<>();
        while (first.size() < 40) {
            if (client.next(WAIT) instanceof ClientEvent.Media m && m.isFrame()) {
                first.add(m);
            }
        }
        assertThat(first).allMatch(ClientEvent.Media::isAudio);
        client.notify(id, "receiveVideo", true);
        Played rest = collectUntilComplete(id, Duration.ofSeconds(20));
        ClientEvent.Media firstVideo = rest.frames().stream().filter(ClientEvent.Media::isVideo).findFirst().orElseThrow();
        assertThat(firstVideo.isKeyframe()).isTrue();
        assertThat(firstVideo.timestamp() % 2000).isZero();
    }

    @Test
    void liveOnlyStartWaitsWithoutMedia() throws Exception {
        int id = createStream();
        client.notify(id, "play", "sample", -1000.0);
        ClientEvent.CommandEvent start = (ClientEvent.CommandEvent) client.await(
                e -> e instanceof ClientEvent.CommandEvent c && "NetStream.Play.Start".equals(c.code()), WAIT);
        assertThat(start.command().streamId()).isEqualTo(id);
        assertThatThrownBy(() -> client.await(e -> e instanceof ClientEvent.Media, Duration.ofSeconds(1)))
                .isInstanceOf(TimeoutException.class);
        assertThat(client.isOpen()).isTrue();
    }

    /**
     * The server runs ahead by the client's buffer plus vod.bufferLeadMillis (1000 ms), not more: within
     * the first moments of a play with a 1000 ms buffer, nothing much past 2 s of media arrives, and
     * that much arrives at once. The bounds are generous; this checks the behaviour, not the speed.
     */
    @Test
    void pacingRunsAheadByTheBufferAndNoFurther() throws Exception {
        int id = createStream();
        client.setBufferLength(id, 1000);
        client.notify(id, "play", "sample");
        client.await(e -> e instanceof ClientEvent.CommandEvent c && "NetStream.Play.Start".equals(c.code()), WAIT);
        long started = System.nanoTime();
        long maxTs = 0;
        while (System.nanoTime() - started < 600_000_000L) {
            try {
                if (client.next(Duration.ofMillis(100)) instanceof ClientEvent.Media m) {
                    maxTs = Math.max(maxTs, m.timestamp());
                }
            } catch (TimeoutException e) {
                // keep waiting until the window ends
            }
        }
        long elapsedMs = (System.nanoTime() - started) / 1_000_000;
        assertThat(maxTs).as("buffer filled at once").isGreaterThanOrEqualTo(1800);
        assertThat(maxTs).as("not more than buffer + lead ahead of real time").isLessThanOrEqualTo(2000 + elapsedMs + 200);
    }

    @Test
    void deleteStreamStopsSendingAndTheConnectionStaysUsable() throws Exception {
        int id = createStream();
        client.setBufferLength(id, 500);
        client.notify(id, "play", "sample");
        client.await(e -> e instanceof ClientEvent.Media m && m.timestamp() > 500, WAIT);
        client.send("deleteStream", null, (double) id);
        Thread.sleep(300); // what was in flight arrives
        int before = client.history().size();
        Thread.sleep(1500);
        assertThat(client.history().subList(before, client.history().size()))
                .noneMatch(e -> e instanceof ClientEvent.Media);
        double tid = client.send("getStreamLength", null, "sample");
        ClientEvent.CommandEvent r = (ClientEvent.CommandEvent) client.await(
                e -> e instanceof ClientEvent.CommandEvent c && c.command().transactionId() == tid, WAIT);
        assertThat(((Number) r.command().arg(0)).doubleValue()).isBetween(9.9, 10.2);
        double missing = client.send("getStreamLength", null, "nothere");
        ClientEvent.CommandEvent r2 = (ClientEvent.CommandEvent) client.await(
                e -> e instanceof ClientEvent.CommandEvent c && c.command().transactionId() == missing, WAIT);
        assertThat(((Number) r2.command().arg(0)).doubleValue()).isZero();
    }
}
