package io.millrace.bench.live;

import io.millrace.server.MillraceServer;
import io.millrace.server.config.ConfigLoader;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The load generator end to end at a tiny size against an in-process Millrace server, and its option
 * checks. Checks outcomes and figures that do not depend on timing (every frame arrives at 3 viewers),
 * never timings. Skipped (not failed) while the server's build has no live application.
 */
class LiveLoadTest {
    @TempDir
    static Path dir;
    private static MillraceServer server;

    @BeforeAll
    static void startServer() throws Exception {
        Path media = Files.createDirectories(dir.resolve("media"));
        Path data = Files.createDirectories(dir.resolve("data"));
        var cfg = ConfigLoader.loadText("rtmp:\n  port: 0\n  bind: 127.0.0.1\n  maxConnections: 0\n  maxConnectionsPerIp: 0\n  maxConnectionRatePerIp: 0\n  idleTimeoutMillis: 0\nhttp:\n  port: 0\n", "liveload-test", dir).withDirs(media, data);
        server = new MillraceServer(cfg);
        server.start();
    }

    @AfterAll
    static void stopServer() {
        if (server != null) {
            server.stop();
        }
    }

    private static String port() {
        return String.valueOf(server.rtmpPort());
    }

    @Test
    void threeViewersReceiveEveryFrame() throws Exception {
        Path json = dir.resolve("live.json");
        List<String> lines = new ArrayList<>();
        int code = run(lines, "--port", port(), "--viewers", "3", "--lead-in-seconds", "1", "--window-seconds", "2",
                "--bitrate-kbps", "500", "--json", json.toString(), "--timeout-seconds", "60");
        assumeTrue(code != LiveLoad.EXIT_REFUSED, "the server has no live application yet");
        assertThat(code).as(String.join("\n", lines)).isZero();
        String result = lines.stream().filter(l -> l.startsWith("RESULT ")).findFirst().orElseThrow();
        assertThat(result).contains(" ok=1 ", " viewers=3 ", " playing=3 ", " failed=0 ", " viewers_all_frames=3 ",
                " frames_missing=0 ");
        assertThat(Files.readString(json)).contains("\"viewersWithEveryFrame\": 3", "\"ok\": true");
    }

    @Test
    void twoPublishersFromTheSampleFile() throws Exception {
        List<String> lines = new ArrayList<>();
        int code = run(lines, "--port", port(), "--viewers", "4", "--publishers", "2", "--stream", "file",
                "--source", SourcesTest.sample().toString(), "--lead-in-seconds", "1", "--window-seconds", "2",
                "--timeout-seconds", "60");
        assumeTrue(code != LiveLoad.EXIT_REFUSED, "the server has no live application yet");
        assertThat(code).as(String.join("\n", lines)).isZero();
        assertThat(lines).anyMatch(l -> l.startsWith("publishing: 2 stream(s) [file-1, file-2]"));
        assertThat(lines).anyMatch(l -> l.startsWith("RESULT ") && l.contains(" playing=4 ") && l.contains(" frames_missing=0 "));
    }

    @Test
    void idleConnectionsAreHeld() throws Exception {
        List<String> lines = new ArrayList<>();
        int code = run(lines, "--port", port(), "--idle", "20", "--app", "vod", "--window-seconds", "1",
                "--server-pid", String.valueOf(ProcessHandle.current().pid()), "--timeout-seconds", "60");
        assertThat(code).as(String.join("\n", lines)).isZero();
        assertThat(lines).anyMatch(l -> l.startsWith("IDLE READY connections=20 failed=0"));
        assertThat(lines).anyMatch(l -> l.startsWith("RESULT ok=1 mode=idle") && l.contains(" established=20 "));
    }

    @Test
    void anUnknownApplicationIsRefusedAtOnce() throws Exception {
        List<String> lines = new ArrayList<>();
        long start = System.nanoTime();
        int code = run(lines, "--port", port(), "--app", "nosuchapp", "--viewers", "1", "--timeout-seconds", "60");
        assertThat(code).as(String.join("\n", lines)).isEqualTo(LiveLoad.EXIT_REFUSED);
        assertThat(lines).anyMatch(l -> l.contains("NetConnection.Connect.InvalidApp"));
        assertThat(System.nanoTime() - start).isLessThan(20_000_000_000L);
    }

    @Test
    void refusesNonLoopbackTargetsAndBadOptions() throws Exception {
        assertThat(LiveLoad.run(new String[] {"--host", "192.0.2.1"})).isEqualTo(LiveLoad.EXIT_USAGE);
        assertThat(LiveLoad.run(new String[] {"--viewers", "0"})).isEqualTo(LiveLoad.EXIT_USAGE);
        assertThat(LiveLoad.run(new String[] {"--no-such-option", "1"})).isEqualTo(LiveLoad.EXIT_USAGE);
        assertThat(LiveLoad.run(new String[] {"--source", "/no/such/file.flv"})).isEqualTo(LiveLoad.EXIT_USAGE);
        assertThat(LiveLoad.run(new String[] {"--port"})).isEqualTo(LiveLoad.EXIT_USAGE);
        assertThat(LiveLoad.Options.parse(new String[] {"--publishers", "3", "--stream", "s"}).streamName(2)).isEqualTo("s-3");
        assertThat(LiveLoad.Options.parse(new String[] {"--server-pid", "1,2", "--server-pid", "3"}).serverPids)
                .containsExactly(1L, 2L, 3L);
    }

    /** Runs LiveLoad with its report captured into {@code lines}. */
    private static int run(List<String> lines, String... args) throws Exception {
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        int code;
        synchronized (LiveLoadTest.class) {
            PrintStream old = System.out;
            System.setOut(new PrintStream(buf, true, StandardCharsets.UTF_8));
            try {
                code = LiveLoad.run(args);
            } finally {
                System.setOut(old);
            }
        }
        lines.addAll(buf.toString(StandardCharsets.UTF_8).lines().toList());
        System.out.print(buf.toString(StandardCharsets.UTF_8));
        return code;
    }
}
