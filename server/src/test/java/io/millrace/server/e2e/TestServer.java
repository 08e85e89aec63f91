package io.millrace.server.e2e;

import io.millrace.server.MillraceServer;
import io.millrace.server.config.ConfigLoader;
import io.millrace.server.config.ServerConfig;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

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
        Path root = Files.createTempDirectory("millrace-e2e");
        Path media = Files.createDirectories(root.resolve("media"));
        Path data = Files.createDirectories(root.resolve("data"));
        Files.copy(sampleFlv(), media.resolve("sample.flv"), StandardCopyOption.REPLACE_EXISTING);
        ServerConfig cfg = ConfigLoader.loadText("rtmp:\n  port: 0\n  bind: 127.0.0.1\n", "test config", root)
                .withDirs(media, data);
        MillraceServer server = new MillraceServer(cfg);
        server.start();
        return new TestServer(server, media, data);
    }

    /** The bundled sample video (applications/vod/media/sample.flv at the repository root). */
    public static Path sampleFlv() throws IOException {
        Path dir = Path.of("").toAbsolutePath();
        for (int i = 0; i < 4 && dir != null; i++, dir = dir.getParent()) {
            Path p = dir.resolve("applications/vod/media/sample.flv");
            if (Files.isRegularFile(p)) {
                return p;
            }
        }
        throw new IOException("applications/vod/media/sample.flv not found above " + Path.of("").toAbsolutePath());
    }

    public int port() {
        return server.rtmpPort();
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

    @Override
    public void close() {
        server.stop();
    }
}
