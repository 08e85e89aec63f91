package io.millrace.server.e2e;

import io.millrace.rtmp.client.ClientEvent;
import io.millrace.rtmp.client.RtmpClient;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** The W3C access log as real clients leave it: rtmpdump playing, ffmpeg publishing and recording, a wrong app. */
class AccessLogIT {
    private TestServer server;

    @AfterEach
    void stop() {
        if (server != null) {
            server.close();
        }
    }

    /** Every event line of the access logs, as field name to value. */
    private List<Map<String, String>> events() throws Exception {
        return AccessLogFiles.events(server.data().resolve("logs"));
    }

    private List<Map<String, String>> awaitEvents(java.util.function.Predicate<List<Map<String, String>>> done)
            throws Exception {
        long deadline = System.nanoTime() + 10_000_000_000L;
        List<Map<String, String>> e = List.of();
        while (System.nanoTime() < deadline) {
            if (Files.isDirectory(server.data().resolve("logs"))) {
                e = events();
                if (done.test(e)) {
                    return e;
                }
            }
            Thread.sleep(50);
        }
        throw new AssertionError("the access log never had what was expected: " + e);
    }

    private static List<Map<String, String>> of(List<Map<String, String>> all, String clientId) {
        return all.stream().filter(m -> clientId.equals(m.get("c-client-id"))).toList();
    }

    private static long number(Map<String, String> m, String field) {
        return Long.parseLong(m.get(field));
    }

    @Test
    void playsPublishesRecordingsAndRefusalsAreLoggedWithStatusBytesAndDurations() throws Exception {
        server = TestServer.start("live:\n  record: record\n");
        String rtmpdump = RealClients.require("rtmpdump");
        RealClients.Result play = RealClients.run(60, rtmpdump, "-q", "-r", server.url("vod/sample"), "-o",
                server.data().resolve("out.flv").toString());
        assertThat(play.exitCode()).as("rtmpdump: %s", play).isIn(0, 2);
        RealClients.Result missing = RealClients.run(60, rtmpdump, "-q", "-r", server.url("vod/nothere"), "-o",
                server.data().resolve("none.flv").toString());
        assertThat(missing.exitCode()).isNotZero();
        RealClients.Result pub = RealClients.run(60, RealClients.require("ffmpeg"), "-hide_banner", "-loglevel", "error",
                "-i", TestServer.sampleFlv().toString(), "-c", "copy", "-f", "flv", server.url("live/rec"));
        assertThat(pub.exitCode()).as("ffmpeg: %s", pub).isZero();
        try (RtmpClient c = RtmpClient.open("127.0.0.1", server.port(), RtmpClient.Options.flashPlayer())) {
            c.sendConnect("nosuchapp", server.url("nosuchapp"));
            c.await(e -> e instanceof ClientEvent.Closed, Duration.ofSeconds(10));
        }

        List<Map<String, String>> all = awaitEvents(e -> e.stream().filter(m -> m.get("x-event").equals("disconnect")).count() >= 3
                && e.stream().anyMatch(m -> m.get("x-app").equals("nosuchapp")));

        // rtmpdump played the sample to its end.
        Map<String, String> firstPlay = all.stream().filter(m -> m.get("x-event").equals("play")
                && m.get("x-sname").equals("sample")).findFirst().orElseThrow();
        List<Map<String, String>> player = of(all, firstPlay.get("c-client-id"));
        assertThat(player).extracting(m -> m.get("x-event") + " " + m.get("x-status"))
                .containsExactly("connect 200", "play 200", "stop 200", "disconnect 200");
        Map<String, String> connect = player.get(0);
        assertThat(connect).containsEntry("x-category", "session").containsEntry("x-app", "vod")
                .containsEntry("x-appinst", "_definst_").containsEntry("c-ip", "127.0.0.1").containsEntry("c-proto", "rtmp")
                .containsEntry("s-uri", server.url("vod")).containsEntry("x-vhost", "_defaultVHost_");
        assertThat(connect.get("c-user-agent")).startsWith("LNX"); // rtmpdump's flashVer
        assertThat(connect.get("date")).matches("\\d{4}-\\d\\d-\\d\\d");
        assertThat(connect.get("time")).matches("\\d\\d:\\d\\d:\\d\\d");
        Map<String, String> started = player.get(1);
        assertThat(started).containsEntry("x-category", "stream").containsEntry("x-file-ext", "flv")
                .containsEntry("x-file-size", Long.toString(Files.size(TestServer.sampleFlv())));
        assertThat(started.get("x-file-name")).endsWith("sample.flv");
        assertThat(Double.parseDouble(started.get("x-file-length"))).isBetween(9.9, 10.2);
        Map<String, String> stopped = player.get(2);
        assertThat(stopped).containsEntry("x-ctx", "complete");
        assertThat(number(stopped, "sc-stream-bytes")).as("payload sent").isGreaterThan(300_000);
        assertThat(Double.parseDouble(stopped.get("x-spos"))).isBetween(9.9, 10.2);
        Map<String, String> gone = player.get(3);
        assertThat(number(gone, "sc-bytes")).isGreaterThan(number(stopped, "sc-stream-bytes"));
        assertThat(number(gone, "cs-bytes")).as("its commands (RTMP messages; the handshake is not counted)").isGreaterThan(200);
        assertThat(number(gone, "x-duration")).isBetween(0L, 15L);

        // The missing file.
        assertThat(all).anySatisfy(m -> assertThat(m).containsEntry("x-event", "play").containsEntry("x-sname", "nothere")
                .containsEntry("x-status", "404"));

        // ffmpeg published and the server recorded.
        Map<String, String> published = all.stream().filter(m -> m.get("x-event").equals("publish")).findFirst().orElseThrow();
        List<Map<String, String>> encoder = of(all, published.get("c-client-id"));
        assertThat(encoder).extracting(m -> m.get("x-event") + " " + m.get("x-status"))
                .containsExactly("connect 200", "publish 200", "record 200", "recordstop 200", "unpublish 200",
                        "disconnect 200");
        assertThat(published).containsEntry("x-sname", "rec").containsEntry("x-comment", "live").containsEntry("x-app", "live");
        assertThat(encoder.get(2).get("x-file-name")).endsWith("recordings/rec.flv");
        Map<String, String> recordstop = encoder.get(3);
        assertThat(number(recordstop, "x-file-size")).isEqualTo(Files.size(server.data().resolve("recordings/rec.flv")));
        assertThat(Double.parseDouble(recordstop.get("x-file-length"))).isBetween(9.8, 10.2);
        Map<String, String> unpublished = encoder.get(4);
        assertThat(unpublished).containsEntry("x-ctx", "FCUnpublish");
        assertThat(number(unpublished, "cs-stream-bytes")).isGreaterThan(350_000);

        // A connect to an application that does not exist.
        assertThat(all).anySatisfy(m -> assertThat(m).containsEntry("x-event", "connect").containsEntry("x-app", "nosuchapp")
                .containsEntry("x-status", "404"));
        assertThat(all.get(0)).containsEntry("x-event", "server-start").containsEntry("x-category", "server");
    }
}
