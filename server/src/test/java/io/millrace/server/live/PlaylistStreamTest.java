package io.millrace.server.live;

import io.millrace.amf.AmfObject;
import io.millrace.api.ServerStream;
import io.millrace.media.MediaIndexCache;
import io.millrace.rtmp.chunk.SharedMessage;
import io.millrace.rtmp.command.Command;
import io.millrace.rtmp.command.DataMessage;
import io.millrace.rtmp.command.NetCommand;
import io.millrace.rtmp.message.MessageType;
import io.millrace.server.config.ConfigLoader;
import io.millrace.server.config.ServerConfig;
import io.millrace.server.e2e.RealClients;
import io.millrace.server.e2e.TestServer;
import io.millrace.server.session.Applications;
import io.millrace.server.session.RtmpSession;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.ChannelPromise;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.util.ReferenceCountUtil;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Server-side streams without sockets and without waiting: the playlist publishes into the live application
 * that a viewer on an {@link EmbeddedChannel} plays, and the pacing clock and the channel's event loop run
 * on virtual time. What the viewer receives is checked: frame counts, timestamps continuous across items,
 * sequence headers and metadata before each item, and the playlist notifications in order.
 */
class PlaylistStreamTest {
    /** sample.flv: 250 video frames (keyframes every 2 s), 432 AAC frames, 10.08 s. */
    private static final int SAMPLE_VIDEO = 250;
    private static final int SAMPLE_AUDIO = 432;
    private static final long STEP_MS = 5;

    @TempDir
    Path root;

    private Path media;
    private LiveApplication app;
    private EmbeddedChannel ch;
    private final List<Object> out = new ArrayList<>();
    private final List<String> heard = new ArrayList<>();
    private long nanos = 1_000_000_000L;
    private ServerStream stream;

    /** What a viewer's channel was given: a media or data message of the live stream, summarised. */
    record Msg(int streamId, int typeId, long timestamp, int size, int b0, int b1) {
        boolean video() {
            return typeId == MessageType.VIDEO;
        }

        boolean audio() {
            return typeId == MessageType.AUDIO;
        }

        boolean config() {
            return (video() && (b0 & 0x0F) == 7 && b1 == 0) || (audio() && (b0 >> 4) == 10 && b1 == 0);
        }

        boolean keyframe() {
            return video() && !config() && (b0 >> 4) == 1;
        }

        boolean frame() {
            return (video() || audio()) && !config();
        }
    }

    /** Turns the shared messages the live viewers write into {@link Msg}s (and lets the frames go). */
    private static final class Summarise extends ChannelOutboundHandlerAdapter {
        @Override
        public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
            if (msg instanceof SharedMessage.Outbound o) {
                ByteBuf p = o.shared().payload();
                int n = p.readableBytes();
                Msg m = new Msg(o.streamId(), o.shared().typeId(), o.timestamp(), n,
                        n > 0 ? p.getUnsignedByte(p.readerIndex()) : -1, n > 1 ? p.getUnsignedByte(p.readerIndex() + 1) : -1);
                ReferenceCountUtil.release(o);
                ctx.write(m, promise);
                return;
            }
            ctx.write(msg, promise);
        }
    }

    @BeforeEach
    void setUp() throws Exception {
        media = Files.createDirectories(root.resolve("media"));
        Files.copy(TestServer.sampleFlv(), media.resolve("sample.flv"));
        start("");
    }

    private void start(String extraYaml) {
        ServerConfig cfg = ConfigLoader.loadText("rtmp:\n  pingIntervalMillis: 0\n" + extraYaml, "test", root)
                .withDirs(media, root.resolve("data"));
        app = new LiveApplication("live", cfg, new MediaIndexCache());
        ch = new EmbeddedChannel(new Summarise(), new RtmpSession(cfg, new Applications(Map.of("live", app))));
        ch.freezeTime();
        app.eventLoops(ch.eventLoop());
        stream = app.serverStream("_definst_", "show", Runnable::run, () -> nanos);
        stream.addListener(PlaylistEvents.recorder(heard));
        ch.writeInbound(new NetCommand.Connect(1, AmfObject.of("app", "live", "tcUrl", "rtmp://h/live",
                "flashVer", "WIN 11,1,102,55", "objectEncoding", 0.0), List.of()));
        for (int i = 0; i < 3; i++) {
            ch.writeInbound(new NetCommand.CreateStream(2 + i)); // streams 1, 2 and 3
        }
        drain();
        out.clear();
    }

    @AfterEach
    void tearDown() {
        app.closeServerStreams("_definst_");
        ch.runPendingTasks();
        ch.finishAndReleaseAll();
    }

    private void viewer(int streamId) {
        ch.writeInbound(new NetCommand.Play(4, streamId, "show", -1, -1, 0));
        drain();
    }

    /** Moves virtual time on by {@code ms}, running what the loop has to do at each step. */
    private void advance(long ms) {
        for (long t = 0; t < ms; t += STEP_MS) {
            nanos += TimeUnit.MILLISECONDS.toNanos(STEP_MS);
            ch.advanceTimeBy(STEP_MS, TimeUnit.MILLISECONDS);
            drain();
        }
    }

    /** Runs until the stream stops playing (at most {@code maxMs} of virtual time). */
    private void playOut(long maxMs) {
        for (long t = 0; t < maxMs && stream.isPlaying(); t += STEP_MS) {
            advance(STEP_MS);
        }
        advance(50);
        assertThat(stream.isPlaying()).as("the playlist ended").isFalse();
    }

    private void drain() {
        ch.runPendingTasks();
        ch.runScheduledPendingTasks();
        Object o;
        while ((o = ch.readOutbound()) != null) {
            out.add(o);
            ReferenceCountUtil.release(o);
        }
    }

    private List<Msg> media(int streamId) {
        return out.stream().filter(o -> o instanceof Msg m && m.streamId() == streamId).map(o -> (Msg) o).toList();
    }

    /** The status codes, onPlayStatus codes and message kinds the viewer on {@code streamId} got, in order. */
    private List<String> events(int streamId) {
        List<String> codes = new ArrayList<>();
        for (Object o : out) {
            if (o instanceof Command c && c.streamId() == streamId && c.arguments().stream()
                    .anyMatch(a -> a instanceof AmfObject info && info.get("code") != null)) {
                AmfObject info = (AmfObject) c.arguments().stream().filter(a -> a instanceof AmfObject).findFirst().get();
                codes.add((String) info.get("code"));
            } else if (o instanceof DataMessage d && d.streamId() == streamId && d.name().equals("onPlayStatus")) {
                codes.add("onPlayStatus " + ((AmfObject) d.value(0)).get("code"));
            } else if (o instanceof Msg m && m.streamId() == streamId) {
                if (m.typeId() == MessageType.DATA_AMF0) {
                    codes.add("data");
                } else if (m.config()) {
                    codes.add(m.video() ? "avc-config" : "aac-config");
                } else if (m.keyframe()) {
                    codes.add("keyframe");
                }
            }
        }
        return codes;
    }

    private static long count(List<Msg> msgs, boolean video) {
        return msgs.stream().filter(m -> m.frame() && m.video() == video).count();
    }

    /** Timestamps of one track's frames never go back, and no gap between two of them exceeds {@code maxGap}. */
    private static void assertContinuous(List<Msg> msgs, boolean video, long maxGap) {
        long prev = -1;
        for (Msg m : msgs) {
            if (!m.frame() || m.video() != video) {
                continue;
            }
            if (prev >= 0) {
                assertThat(m.timestamp()).as("%s at %d after %d", video ? "video" : "audio", m.timestamp(), prev)
                        .isGreaterThanOrEqualTo(prev).isLessThanOrEqualTo(prev + maxGap);
            }
            prev = m.timestamp();
        }
    }

    // ---- tests -----------------------------------------------------------------------------------------

    @Test
    void twoItemsPlayAsOneContinuousLiveStream() {
        viewer(1);
        stream.play("sample", 0, -1, true);
        stream.play("sample.flv", 0, -1, false);
        assertThat(stream.isPlaying()).isTrue();
        playOut(30_000);

        List<Msg> got = media(1);
        assertThat(count(got, true)).isEqualTo(2 * SAMPLE_VIDEO);
        assertThat(count(got, false)).isEqualTo(2 * SAMPLE_AUDIO);
        // One frame (40 ms) apart throughout, the boundary included; audio never goes back.
        assertContinuous(got, true, 40);
        assertContinuous(got, false, 60);
        List<Msg> video = got.stream().filter(m -> m.frame() && m.video()).toList();
        assertThat(video.get(0).timestamp()).isZero();
        assertThat(video.get(SAMPLE_VIDEO).timestamp() - video.get(SAMPLE_VIDEO - 1).timestamp()).isEqualTo(40);
        assertThat(video.get(2 * SAMPLE_VIDEO - 1).timestamp()).isEqualTo(2 * 9960 + 40);
        assertThat(video.get(SAMPLE_VIDEO).keyframe()).as("the second item starts at a keyframe").isTrue();

        assertThat(events(1)).containsExactly("NetStream.Play.Start", "NetStream.Play.PublishNotify",
                "data", "avc-config", "aac-config", "keyframe", "keyframe", "keyframe", "keyframe", "keyframe",
                "onPlayStatus NetStream.Play.Switch", "data", "avc-config", "aac-config",
                "keyframe", "keyframe", "keyframe", "keyframe", "keyframe", "NetStream.Play.UnpublishNotify");
        assertThat(heard).containsExactly("start sample", "start sample.flv", "end");
    }

    @Test
    void framesGoOutInRealTime() {
        viewer(1);
        stream.play("sample", 0, -1, true);
        advance(2_000);
        List<Msg> got = media(1);
        long last = got.stream().filter(Msg::frame).mapToLong(Msg::timestamp).max().orElse(-1);
        // Two seconds of virtual time: two seconds of media, give or take a step, not the whole file.
        assertThat(last).isBetween(1_950L, 2_000L);
        advance(1_000);
        last = media(1).stream().filter(Msg::frame).mapToLong(Msg::timestamp).max().orElse(-1);
        assertThat(last).isBetween(2_950L, 3_000L);
    }

    @Test
    void startAndLengthPlayFromTheKeyframeAtOrBeforeStart() {
        viewer(1);
        stream.play("sample", 5, 2, true); // the keyframe at 4 s, to 5 + 2 = 7 s
        stream.play("sample", 8.5, 1, false); // the keyframe at 8 s, to 9.5 s
        playOut(20_000);
        List<Msg> video = media(1).stream().filter(m -> m.frame() && m.video()).toList();
        // 4.00 .. 7.00 s (76 frames), then 8.00 .. 9.50 s (38 frames).
        assertThat(video).hasSize(76 + 38);
        assertThat(video.get(0).keyframe()).isTrue();
        assertThat(video.get(0).timestamp()).isZero();
        assertThat(video.get(76).keyframe()).isTrue();
        assertThat(video.get(76).timestamp()).isEqualTo(3_000 + 40);
        assertContinuous(media(1), true, 40);
    }

    @Test
    void anMp4FollowsAnFlv() throws Exception {
        String ffmpeg = RealClients.require("ffmpeg");
        RealClients.Result r = RealClients.run(60, ffmpeg, "-hide_banner", "-loglevel", "error", "-f", "lavfi", "-i",
                "testsrc2=size=160x120:rate=25", "-f", "lavfi", "-i", "sine=frequency=880:sample_rate=44100", "-t", "2",
                "-c:v", "libx264", "-g", "25", "-pix_fmt", "yuv420p", "-c:a", "aac", "-ac", "2",
                media.resolve("clip.mp4").toString());
        assertThat(r.exitCode()).as("ffmpeg: %s", r).isZero();
        viewer(1);
        stream.play("sample", 8, -1, true);
        stream.play("mp4:clip.mp4", 0, -1, false);
        playOut(20_000);
        List<Msg> got = media(1);
        assertThat(count(got, true)).isEqualTo(50 + 50);
        assertContinuous(got, true, 40);
        assertContinuous(got, false, 60);
        assertThat(events(1)).containsSubsequence("avc-config", "onPlayStatus NetStream.Play.Switch", "data",
                "avc-config", "aac-config", "keyframe", "NetStream.Play.UnpublishNotify");
        assertThat(heard).containsExactly("start sample", "start mp4:clip.mp4", "end");
    }

    @Test
    void aResetDropsWhatPlaysAndContinuesTheTimeline() {
        viewer(1);
        stream.play("sample", 0, -1, true);
        stream.play("sample", 0, -1, false); // dropped by the reset
        advance(3_000);
        long before = media(1).stream().filter(m -> m.frame() && m.video()).mapToLong(Msg::timestamp).max().orElseThrow();
        stream.play("sample", 6, -1, true);
        playOut(20_000);

        List<Msg> video = media(1).stream().filter(m -> m.frame() && m.video()).toList();
        int at = (int) video.stream().filter(m -> m.timestamp() <= before).count();
        assertThat(video.get(at).keyframe()).isTrue();
        assertThat(video.get(at).timestamp()).isEqualTo(before + 40);
        assertThat(video.size() - at).as("6 s .. 9.96 s").isEqualTo(100);
        assertContinuous(media(1), true, 40);
        assertThat(events(1)).containsSubsequence("NetStream.Play.PublishNotify", "keyframe", "keyframe",
                "NetStream.Play.Reset", "NetStream.Play.Start", "data", "avc-config", "aac-config", "keyframe",
                "NetStream.Play.UnpublishNotify");
        assertThat(events(1)).doesNotContain("onPlayStatus NetStream.Play.Switch");
        assertThat(heard).containsExactly("start sample", "start sample", "end");
    }

    @Test
    void aViewerWhoJoinsMidPlaylistStartsAtTheCachedKeyframe() {
        viewer(1);
        stream.play("sample", 0, -1, true);
        advance(3_000);
        viewer(3);
        stream.play("sample", 0, 1, false);
        playOut(20_000);
        List<String> late = events(3);
        assertThat(late).startsWith("NetStream.Play.Start", "data", "avc-config", "aac-config", "keyframe");
        assertThat(late).containsSubsequence("onPlayStatus NetStream.Play.Switch", "NetStream.Play.UnpublishNotify");
        assertThat(late).doesNotContain("NetStream.Play.PublishNotify");
        List<Msg> got = media(3);
        assertThat(got.stream().filter(Msg::frame).findFirst().orElseThrow().timestamp()).isZero();
        assertContinuous(got, true, 40);
    }

    @Test
    void stopUnpublishesAndPlayStartsAgainOnTheSameTimeline() {
        viewer(1);
        stream.play("sample", 0, -1, true);
        advance(1_000);
        stream.stop();
        assertThat(stream.isPlaying()).isFalse();
        advance(500);
        long last = media(1).stream().filter(Msg::frame).mapToLong(Msg::timestamp).max().orElseThrow();
        assertThat(last).isLessThan(1_100);
        assertThat(events(1)).endsWith("NetStream.Play.UnpublishNotify");
        int before = media(1).size();
        advance(1_000);
        assertThat(media(1)).hasSize(before);

        stream.play("sample", 0, 1, true);
        assertThat(stream.isPlaying()).isTrue();
        playOut(5_000);
        assertThat(events(1)).containsSubsequence("NetStream.Play.PublishNotify", "NetStream.Play.UnpublishNotify",
                "NetStream.Play.PublishNotify", "data", "avc-config", "aac-config", "keyframe",
                "NetStream.Play.UnpublishNotify");
        assertContinuous(media(1), true, 600);
        assertThat(heard).containsExactly("start sample", "start sample", "end");
    }

    @Test
    void theNameIsTakenByWhoeverPublishesFirst() {
        // An encoder publishes: the server-side stream may not play.
        ch.writeInbound(new NetCommand.Publish(5, 3, "show", "live"));
        drain();
        assertThat(events(3)).contains("NetStream.Publish.Start");
        assertThatThrownBy(() -> stream.play("sample", 0, -1, true)).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("published by a client");
        assertThat(stream.isPlaying()).isFalse();
        ch.writeInbound(new NetCommand.Publish(6, 3, null, "live"));
        drain();
        out.clear();

        // The server-side stream plays: an encoder gets BadName.
        stream.play("sample", 0, 1, true);
        ch.writeInbound(new NetCommand.Publish(7, 3, "show", "live"));
        drain();
        assertThat(events(3)).contains("NetStream.Publish.BadName");
        playOut(5_000);
        // ... and once it ended, the name is free again.
        ch.writeInbound(new NetCommand.Publish(8, 3, "show", "live"));
        drain();
        assertThat(events(3)).endsWith("NetStream.Publish.Start");
    }

    @Test
    void badCallsThrowAtOnce() {
        assertThatThrownBy(() -> stream.play("nosuch", 0, -1, true)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("nosuch").hasMessageContaining("no such file");
        assertThatThrownBy(() -> stream.play("../secret", 0, -1, true)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> stream.play("xyz:thing", 0, -1, true)).isInstanceOf(IllegalArgumentException.class);
        assertThat(stream.isPlaying()).isFalse();
        assertThatThrownBy(() -> app.serverStream("_definst_", "", Runnable::run)).isInstanceOf(IllegalArgumentException.class);
        assertThat(app.serverStream("_definst_", "show", Runnable::run)).isSameAs(stream);
        assertThat(app.serverStream("other", "show", Runnable::run)).isNotSameAs(stream);
    }

    @Test
    void thePlaylistIsBounded() {
        stream.play("sample", 0, -1, true);
        for (int i = 0; i < PlaylistStream.MAX_ITEMS - 1; i++) {
            stream.play("sample", 0, -1, false);
        }
        assertThatThrownBy(() -> stream.play("sample", 0, -1, false)).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("full");
        // A reset empties it.
        stream.play("sample", 0, 0.5, true);
        playOut(5_000);
        assertThat(heard).containsExactly("start sample", "end");
    }

    @Test
    void aServerSideStreamIsRecordedAsAnEncodersWouldBe() throws Exception {
        tearDown();
        heard.clear();
        start("live:\n  record: record\n");
        stream.play("sample", 0, 1, true);
        stream.play("sample", 4, 1, false);
        playOut(5_000);
        Path file = root.resolve("data/recordings/show.flv");
        assertThat(file).exists();
        io.millrace.media.MediaIndex index = io.millrace.media.flv.FlvMediaIndex.build(file);
        assertThat(index.hasVideo()).isTrue();
        assertThat(index.durationMs()).isBetween(1_900L, 2_200L);
    }

    @Test
    void closingTheInstanceStopsItsStreams() {
        viewer(1);
        stream.play("sample", 0, -1, true);
        advance(500);
        app.closeServerStreams("_definst_");
        advance(100);
        assertThat(stream.isPlaying()).isFalse();
        assertThat(events(1)).endsWith("NetStream.Play.UnpublishNotify");
        assertThatThrownBy(() -> stream.play("sample", 0, -1, true)).isInstanceOf(IllegalStateException.class);
        assertThat(app.serverStream("_definst_", "show", Runnable::run)).isNotSameAs(stream);
    }
}
