package io.millrace.server.e2e;

import io.millrace.server.MillraceServer;
import io.millrace.server.config.ConfigLoader;
import io.millrace.server.config.ServerConfig;

import org.yaml.snakeyaml.DumperOptions;
import org.yaml.snakeyaml.Yaml;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The real server on a free loopback port, with a temporary media folder holding the bundled
 * sample.flv and a temporary data folder.
 */
public final class TestServer implements AutoCloseable {
    private final MillraceServer server;
    private final Path media;
    private final Path data;

    private TestServer(MillraceServer server, Path media, Path data) {
        this.server = server;
        this.media = media;
        this.data = data;
    }

    public static TestServer start() throws Exception {
        return start("");
    }

    /**
     * As {@link #start()}, with {@code extraYaml} (e.g. {@code "rtmp:\n  maxMessageSize: 65536\n"})
     * merged key by key over the test configuration.
     */
    public static TestServer start(String extraYaml) throws Exception {
        return startIn(Files.createTempDirectory("millrace-e2e"), extraYaml);
    }

    /**
     * A server whose media and data folders are in {@code root}: a second server started in the same root
     * finds what the first one left there (a restart).
     */
    public static TestServer startIn(Path root, String extraYaml) throws Exception {
        Path media = Files.createDirectories(root.resolve("media"));
        Path data = Files.createDirectories(root.resolve("data"));
        Files.copy(sampleFlv(), media.resolve("sample.flv"), StandardCopyOption.REPLACE_EXISTING);
        ServerConfig cfg = ConfigLoader.loadText(mergeYaml("rtmp:\n  port: 0\n  bind: 127.0.0.1\nhttp:\n  port: 0\n  adminPassword: test-secret\n", extraYaml), "test config", root)
                .withDirs(media, data);
        MillraceServer server = new MillraceServer(cfg);
        server.start();
        return new TestServer(server, media, data);
    }

    /** A request to the server's HTTP API as the admin (test-secret); fails unless it answers 200. Returns the body. */
    public String http(String method, String path) throws Exception {
        java.net.http.HttpClient c = java.net.http.HttpClient.newHttpClient();
        java.net.http.HttpRequest.Builder b = java.net.http.HttpRequest.newBuilder(
                java.net.URI.create("http://127.0.0.1:" + httpPort() + path))
                .header("Authorization", "Basic " + java.util.Base64.getEncoder().encodeToString("admin:test-secret".getBytes()));
        b = method.equals("POST") ? b.POST(java.net.http.HttpRequest.BodyPublishers.noBody()) : b.GET();
        java.net.http.HttpResponse<String> r = c.send(b.build(), java.net.http.HttpResponse.BodyHandlers.ofString());
        org.assertj.core.api.Assertions.assertThat(r.statusCode()).as("%s %s: %s", method, path, r.body()).isEqualTo(200);
        return r.body();
    }

    /** The server itself (its application hosts, for tests that look inside). */
    public MillraceServer server() {
        return server;
    }

    /** {@code base} with every key of {@code extra} added or replacing its own, nested sections merged. */
    static String mergeYaml(String base, String extra) {
        Yaml yaml = new Yaml();
        Map<String, Object> merged = asMap(yaml.load(base));
        deepMerge(merged, asMap(yaml.load(extra)));
        DumperOptions options = new DumperOptions();
        options.setDefaultFlowStyle(DumperOptions.FlowStyle.BLOCK);
        return new Yaml(options).dump(merged);
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> asMap(Object o) {
        return o == null ? new LinkedHashMap<>() : new LinkedHashMap<>((Map<String, Object>) o);
    }

    private static void deepMerge(Map<String, Object> into, Map<String, Object> from) {
        from.forEach((k, v) -> {
            if (v instanceof Map<?, ?> && into.get(k) instanceof Map<?, ?>) {
                Map<String, Object> child = asMap(into.get(k));
                deepMerge(child, asMap(v));
                into.put(k, child);
            } else {
                into.put(k, v);
            }
        });
    }

    /** The bundled sample video (apps/vod/media/sample.flv at the repository root). */
    public static Path sampleFlv() throws IOException {
        Path dir = Path.of("").toAbsolutePath();
        for (int i = 0; i < 4 && dir != null; i++, dir = dir.getParent()) {
            Path p = dir.resolve("apps/vod/media/sample.flv");
            if (Files.isRegularFile(p)) {
                return p;
            }
        }
        throw new IOException("apps/vod/media/sample.flv not found above " + Path.of("").toAbsolutePath());
    }

    public int port() {
        return server.rtmpPort();
    }

    /** The RTMPS port (rtmps.enabled with port 0 in the extra YAML), or -1. */
    public int rtmpsPort() {
        return server.rtmpsPort();
    }

    public String rtmpsUrl(String appAndStream) {
        return "rtmps://127.0.0.1:" + rtmpsPort() + "/" + appAndStream;
    }

    /** The server's connection limits and their refusal counts. */
    public io.millrace.server.net.ConnectionLimiter connectionLimiter() {
        return server.connectionLimiter();
    }

    public String url(String appAndStream) {
        return "rtmp://127.0.0.1:" + port() + "/" + appAndStream;
    }

    public Path media() {
        return media;
    }

    public Path data() {
        return data;
    }

    public int httpPort() {
        return server.httpPort();
    }

    /** The server's application of this name (e.g. the live application, for its server-side streams), or null. */
    public io.millrace.server.session.Application application(String name) {
        return server.application(name);
    }

    public io.millrace.server.monitor.Monitoring monitoring() {
        return server.monitoring();
    }

    @Override
    public void close() {
        server.stop();
    }
}
