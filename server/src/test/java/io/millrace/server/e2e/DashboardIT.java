package io.millrace.server.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.millrace.server.monitor.Monitoring;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The web dashboard in a real browser: headless Chromium (Debian's), driven by playwright-core through
 * {@code src/test/dashboard/dashboard-test.mjs}, against the real server with a live stream published by
 * ffmpeg and played by rtmpdump and by a second ffmpeg. The page must load without a console error, list
 * the stream (its name, with HTML characters, shown as text) and the clients, draw its charts, and its
 * Kick button must really disconnect the rtmpdump player. The screenshot lands in
 * {@code server/target/dashboard.png}.
 *
 * <p>Needs node, {@code npm ci --prefix server/src/test/dashboard} and Debian's chromium, besides ffmpeg and
 * rtmpdump: as with the other real-client tests, a missing one fails the test in CI and skips it elsewhere.
 */
class DashboardIT {
    /** A name that HTML would swallow: the page must show it as text. */
    private static final String STREAM = "show<b>&amp;1";
    private static final String RTMPDUMP_FLASHVER = "LNX 10,0,32,18 DashboardIT";
    private static final String PASSWORD = "test-secret";
    private static final ObjectMapper JSON = new ObjectMapper();

    private TestServer server;

    @TempDir
    Path tmp;

    @AfterEach
    void stop() {
        if (server != null) {
            // Closing the server ends the clients' connections, so ffmpeg and rtmpdump exit too.
            server.close();
        }
    }

    @Test
    void theDashboardShowsTheLiveStreamAndClientsDrawsChartsAndKicksAClient() throws Exception {
        Path dir = dashboardDir();
        String node = requireBrowserTools(dir);
        String ffmpeg = RealClients.require("ffmpeg");
        String rtmpdump = RealClients.require("rtmpdump");

        server = TestServer.start("rtmp:\n  pingIntervalMillis: 1000\n");
        Monitoring m = server.monitoring();
        String url = server.url("live/" + STREAM);
        // The 10 s sample looped, in real time, for at most two minutes.
        CompletableFuture<RealClients.Result> publish = RealClients.async(150, ffmpeg, "-hide_banner", "-loglevel",
                "error", "-re", "-stream_loop", "-1", "-i", TestServer.sampleFlv().toString(), "-t", "120", "-c", "copy",
                "-f", "flv", url);
        await("the stream to be live", () -> m.liveStream("live", "_definst_", STREAM)
                .filter(s -> s.publisherClientId() != null));
        CompletableFuture<RealClients.Result> player = RealClients.async(150, rtmpdump, "-q", "-v", "-f",
                RTMPDUMP_FLASHVER, "-r", url, "-o", tmp.resolve("rtmpdump.flv").toString());
        CompletableFuture<RealClients.Result> viewer = RealClients.async(150, ffmpeg, "-hide_banner", "-loglevel",
                "error", "-i", url, "-c", "copy", "-f", "null", "-");

        // Wait, through the JSON API the page reads, for both viewers, rates and a few seconds of history.
        await("the stream with two viewers and a bitrate", () -> m.liveStream("live", "_definst_", STREAM)
                .filter(s -> s.viewers() == 2 && s.uptimeSeconds() >= 3 && s.bitrateIn() > 0));
        String kickId = await("the rtmpdump client", () -> {
            for (JsonNode c : api("GET", "/api/clients").path("body")) {
                if (c.path("flashVer").asText().equals(RTMPDUMP_FLASHVER) && c.path("bwOut").asLong() > 0) {
                    return Optional.of(c.path("clientId").asText());
                }
            }
            return Optional.empty();
        });
        await("three samples of history with the stream", () -> {
            JsonNode samples = api("GET", "/api/history").path("body").path("samples");
            int withStream = 0;
            for (JsonNode s : samples) {
                withStream += s.path("liveStreams").asInt() > 0 ? 1 : 0;
            }
            return withStream >= 3 ? Optional.of(true) : Optional.empty();
        });

        Path screenshot = dir.resolve("../../../target/dashboard.png").normalize();
        Files.deleteIfExists(screenshot);
        Map<String, String> env = Map.of(
                "DASHBOARD_URL", "http://127.0.0.1:" + server.httpPort() + "/dashboard/",
                "DASHBOARD_USER", "admin",
                "DASHBOARD_PASSWORD", PASSWORD,
                "DASHBOARD_STREAM", STREAM,
                "DASHBOARD_KICK_CLIENT", kickId,
                "DASHBOARD_MIN_CLIENTS", "3",
                "DASHBOARD_SCREENSHOT", screenshot.toString(),
                "CHROMIUM", chromium());
        RealClients.Result browser = RealClients.run(90, env, List.of(node, dir.resolve("dashboard-test.mjs").toString()));
        assertThat(browser.exitCode()).as("dashboard-test.mjs: %s", browser).isZero();
        JsonNode result = lastJsonLine(browser.stdout());
        assertThat(result.path("ok").asBoolean()).as("%s", result).isTrue();
        assertThat(result.path("stream").path("name").asText()).as("the name shown as text").isEqualTo(STREAM);
        assertThat(result.path("stream").path("codecs").asText()).isEqualTo("H.264 / AAC");
        assertThat(result.path("stream").path("resolution").asText()).isEqualTo("640×360");
        assertThat(result.path("stream").path("viewers").asText()).isEqualTo("2");
        assertThat(result.path("clientRows").asInt()).as("publisher and two viewers").isGreaterThanOrEqualTo(3);
        List<String> charts = new ArrayList<>();
        result.path("charts").fieldNames().forEachRemaining(charts::add);
        assertThat(charts).containsExactlyInAnyOrder("chart-bwOut", "chart-bwIn", "chart-connections",
                "chart-liveBitrateIn");
        assertThat(result.path("kicked").asText()).isEqualTo(kickId);
        assertPng(screenshot);

        // The kick was real: the rtmpdump process ended long before the stream, and the server forgot it.
        RealClients.Result kicked;
        try {
            kicked = player.get(20, TimeUnit.SECONDS);
        } catch (TimeoutException e) {
            throw new AssertionError("rtmpdump still runs 20 s after the dashboard's kick of client " + kickId);
        }
        assertThat(kicked.exitCode()).as("rtmpdump after the kick: %s", kicked).isNotNull();
        assertThat(api("GET", "/api/clients/" + kickId).path("status").asInt()).isEqualTo(404);
        assertThat(m.client(kickId)).isEmpty();
        assertThat(publish.isDone()).as("the publisher keeps publishing").isFalse();
        assertThat(viewer.isDone()).as("the other viewer keeps playing").isFalse();
        assertThat(m.liveStream("live", "_definst_", STREAM).orElseThrow().viewers()).isEqualTo(1);
    }

    // ---- tools -------------------------------------------------------------------------------------

    /** server/src/test/dashboard, wherever the tests run from. */
    private static Path dashboardDir() {
        Path here = Path.of("").toAbsolutePath();
        for (Path d = here; d != null; d = d.getParent()) {
            for (String rel : List.of("src/test/dashboard", "server/src/test/dashboard")) {
                if (Files.isRegularFile(d.resolve(rel).resolve("dashboard-test.mjs"))) {
                    return d.resolve(rel);
                }
            }
        }
        throw new AssertionError("server/src/test/dashboard/dashboard-test.mjs not found above " + here);
    }

    private static String chromium() {
        return System.getenv().getOrDefault("CHROMIUM", "/usr/bin/chromium");
    }

    /** node's path, once node, playwright-core and Chromium are all there; else fails (CI) or skips. */
    private static String requireBrowserTools(Path dir) {
        List<String> missing = new ArrayList<>();
        String node = RealClients.find("node");
        if (node == null) {
            missing.add("node (apt-get install nodejs npm)");
        }
        if (!Files.isRegularFile(dir.resolve("node_modules/playwright-core/package.json"))) {
            missing.add("playwright-core (npm ci --prefix server/src/test/dashboard)");
        }
        if (!Files.isExecutable(Path.of(chromium()))) {
            missing.add(chromium() + " (apt-get install chromium)");
        }
        if (!missing.isEmpty()) {
            String msg = "*** DashboardIT " + (RealClients.required() ? "FAILS (required in CI)" : "SKIPPED")
                    + ": missing " + String.join(", ", missing) + ". Install with: apt-get install chromium nodejs npm"
                    + " && npm ci --prefix server/src/test/dashboard ***";
            System.err.println(msg);
            if (RealClients.required()) {
                throw new AssertionError(msg);
            }
            Assumptions.abort(msg);
        }
        return node;
    }

    /** A JSON API call with the admin credentials: {"status": code, "body": parsed body}. */
    private JsonNode api(String method, String path) {
        try {
            HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.httpPort() + path))
                    .header("Authorization", "Basic " + Base64.getEncoder().encodeToString(
                            ("admin:" + PASSWORD).getBytes(StandardCharsets.UTF_8)));
            b = method.equals("POST") ? b.POST(HttpRequest.BodyPublishers.noBody()) : b.GET();
            HttpResponse<String> r = HttpClient.newHttpClient().send(b.build(), HttpResponse.BodyHandlers.ofString());
            return JSON.createObjectNode().put("status", r.statusCode()).set("body", JSON.readTree(r.body()));
        } catch (IOException e) {
            throw new AssertionError(method + " " + path + " failed", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    private static <T> T await(String what, Supplier<Optional<T>> probe) throws InterruptedException {
        return Await.until(what, probe);
    }

    private static JsonNode lastJsonLine(String stdout) throws IOException {
        String[] lines = stdout.strip().split("\n");
        return JSON.readTree(lines[lines.length - 1]);
    }

    /** A PNG of the 1280-pixel-wide page, at least the 800-pixel viewport tall. */
    private static void assertPng(Path png) throws IOException {
        assertThat(png).isRegularFile();
        try (InputStream in = Files.newInputStream(png); DataInputStream data = new DataInputStream(in)) {
            byte[] signature = data.readNBytes(8);
            assertThat(signature).containsExactly(0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n');
            data.readInt(); // IHDR length
            assertThat(new String(data.readNBytes(4), StandardCharsets.US_ASCII)).isEqualTo("IHDR");
            assertThat(data.readInt()).as("width").isEqualTo(1280);
            assertThat(data.readInt()).as("height").isGreaterThanOrEqualTo(800);
        }
        assertThat(Files.size(png)).as("a page with content, not a blank image").isGreaterThan(20_000);
    }
}
