package io.millrace.server.e2e;

import io.millrace.server.monitor.ClientStats;
import io.millrace.server.monitor.Monitoring;
import io.millrace.server.monitor.NetStreamStats;
import io.millrace.server.monitor.StreamStats;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What the server reports about real clients (the {@link Monitoring} the admin API and metrics read):
 * a playing rtmpdump's growing bytes_out and its RTT from PingRequest/PingResponse, its NetStream; a live
 * stream published by ffmpeg with its codecs, resolution, frame rate, bitrate, keyframe interval and
 * viewer; a kick that ends a client's connection.
 */
class MonitoringIT {
    private TestServer server;

    @TempDir
    Path tmp;

    @AfterEach
    void stop() {
        if (server != null) {
            server.close();
        }
    }

    private CompletableFuture<RealClients.Result> async(int timeout, String... cmd) {
        return RealClients.async(timeout, cmd);
    }

    private String http(String method, String path) throws Exception {
        return server.http(method, path);
    }

    private static <T> T await(String what, Supplier<Optional<T>> probe) throws InterruptedException {
        return Await.until(what, probe);
    }

    @Test
    void aPlayingRtmpdumpShowsGrowingBytesOutAnRttAndItsStream() throws Exception {
        server = TestServer.start("rtmp:\n  pingIntervalMillis: 300\n");
        Monitoring m = server.monitoring();
        // A 1 s buffer: the server paces the 10 s sample in real time, so the client stays a while.
        CompletableFuture<RealClients.Result> play = async(60, RealClients.require("rtmpdump"), "-r",
                server.url("vod/sample"), "-b", "1000", "-o", tmp.resolve("out.flv").toString());
        ClientStats first = await("the rtmpdump client", () -> m.clients("vod", null).stream()
                .filter(c -> c.bytesOut() > 0).findFirst());
        assertThat(first.app()).isEqualTo("vod");
        assertThat(first.instance()).isEqualTo("_definst_");
        assertThat(first.ip()).isEqualTo("127.0.0.1");
        assertThat(first.flashVer()).as("rtmpdump's flashVer").isNotBlank();
        ClientStats later = await("an RTT and more bytes", () -> m.client(first.clientId())
                .filter(c -> c.pingRttMillis() >= 0 && c.bytesOut() > first.bytesOut() + 100_000));
        assertThat(later.pingRttMillis()).as("loopback RTT").isBetween(0L, 1000L);
        assertThat(later.msgOut()).isGreaterThan(first.msgOut());
        assertThat(later.msgIn()).as("connect, createStream, play, ...").isGreaterThanOrEqualTo(3);
        ClientStats rated = await("a bandwidth figure", () -> m.client(first.clientId()).filter(c -> c.bwOut() > 0));
        assertThat(rated.bwOut()).as("bytes per second to a real-time 10 s sample of ~150 KB/s").isBetween(20_000L, 2_000_000L);
        List<NetStreamStats> ns = m.netStreams("vod", null);
        assertThat(ns).singleElement().satisfies(n -> {
            assertThat(n.clientId()).isEqualTo(first.clientId());
            assertThat(n.name()).isEqualTo("sample");
            assertThat(n.mode()).isEqualTo("play");
            assertThat(n.type()).isEqualTo("vod");
        });
        assertThat(m.server().connections()).isGreaterThanOrEqualTo(1);
        assertThat(m.application("vod")).hasValueSatisfying(a -> {
            assertThat(a.connections()).isEqualTo(1);
            assertThat(a.accepted()).isEqualTo(1);
            assertThat(a.bytesOut()).isGreaterThanOrEqualTo(later.bytesOut());
        });
        assertThat(play.get().exitCode()).as("rtmpdump %s", play.get()).isIn(0, 2);
        await("the client to be gone", () -> m.clients(null, null).isEmpty() ? Optional.of(true) : Optional.empty());
        assertThat(m.application("vod")).hasValueSatisfying(a -> {
            assertThat(a.disconnected()).isEqualTo(1);
            assertThat(a.bytesOut()).as("totals keep what departed clients received").isGreaterThan(later.bytesOut());
        });
    }

    @Test
    void aStreamPublishedByFfmpegShowsItsCodecsResolutionRatesAndViewerAndAKickEndsTheViewer() throws Exception {
        server = TestServer.start("rtmp:\n  pingIntervalMillis: 300\n");
        Monitoring m = server.monitoring();
        String url = server.url("live/show");
        CompletableFuture<RealClients.Result> publish = async(60, RealClients.require("ffmpeg"), "-hide_banner",
                "-loglevel", "error", "-re", "-i", TestServer.sampleFlv().toString(), "-c", "copy", "-f", "flv", url);
        CompletableFuture<RealClients.Result> view = async(60, RealClients.require("ffmpeg"), "-hide_banner",
                "-loglevel", "error", "-i", url, "-c", "copy", "-f", "flv", tmp.resolve("view.flv").toString());
        StreamStats s = await("the stream with a viewer and 4 s of rates", () -> m.liveStream("live", "_definst_", "show")
                .filter(x -> x.publisherClientId() != null && x.viewers() == 1 && x.uptimeSeconds() >= 4));
        assertThat(s.videoCodec()).isEqualTo("H.264");
        assertThat(s.audioCodec()).isEqualTo("AAC");
        assertThat(s.width()).isEqualTo(640);
        assertThat(s.height()).isEqualTo(360);
        assertThat(s.frameRate()).as("the sample is 25 fps, sent in real time").isBetween(20.0, 30.0);
        assertThat(s.bitrateIn()).isGreaterThan(50_000L);
        assertThat(s.keyframeIntervalMillis()).isPositive();
        assertThat(s.publishType()).isEqualTo("live");
        assertThat(s.framesIn()).isPositive();
        assertThat(s.bytesOut()).as("what the viewer was sent").isPositive();
        assertThat(m.netStreams("live", null)).extracting(NetStreamStats::mode).containsExactlyInAnyOrder("publish", "play");
        String viewer = s.viewerClientIds().get(0);
        assertThat(viewer).isNotEqualTo(s.publisherClientId());
        // The publisher is not pinged (see LiveRealClientsIT); its RTT is the kernel's TCP RTT, the viewer's a ping's.
        await("both RTTs", () -> Optional.of(List.of(m.client(viewer).orElseThrow(), m.client(s.publisherClientId()).orElseThrow()))
                .filter(l -> l.stream().allMatch(c -> c.pingRttMillis() >= 0)))
                .forEach(c -> assertThat(c.pingRttMillis()).as("loopback RTT of %s", c.flashVer()).isBetween(0L, 1000L));

        // The same through HTTP: FMS's admin API, the JSON API and Prometheus metrics.
        String fms = http("GET", "/admin/getLiveStreams?appInst=live/_definst_");
        assertThat(fms).contains("\"code\":\"NetConnection.Call.Success\"").contains("show");
        String stats = http("GET", "/admin/getLiveStreamStats?appInst=live&stream=show&format=xml");
        assertThat(stats).startsWith("<?xml").contains("<code>NetConnection.Call.Success</code>").contains("H.264");
        String json = http("GET", "/api/streams/live/_definst_/show");
        assertThat(json).contains("\"videoCodec\":\"H.264\"").contains("\"width\":640").contains("\"viewers\":1");
        String user = http("GET", "/admin/getUserStats?appInst=live&userid=" + viewer);
        assertThat(user).contains("\"bytes_out\"");
        String metrics = http("GET", "/metrics");
        assertThat(metrics).containsPattern("(?m)^millrace_connections(\\{[^}]*\\})? 2\\.0$")
                .containsPattern("(?m)^millrace_live_stream_viewers\\{.*stream=\"show\".*\\} 1\\.0$");

        http("POST", "/api/clients/" + viewer + "/kick");
        RealClients.Result v = view.get();
        assertThat(v.exitCode()).as("the kicked ffmpeg viewer ends before the 10 s stream does: %s", v).isNotNull();
        await("the viewer gone", () -> m.client(viewer).isEmpty() ? Optional.of(true) : Optional.empty());
        assertThat(publish.isDone()).as("the publisher keeps publishing").isFalse();
        assertThat(m.kick("no-such-client")).isFalse();
        assertThat(m.liveStream("live", "_definst_", "show").orElseThrow().viewers()).isZero();
        publish.get();
    }
}
