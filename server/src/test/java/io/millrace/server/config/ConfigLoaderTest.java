package io.millrace.server.config;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ConfigLoaderTest {
    @TempDir
    Path home;

    @Test
    void embeddedDefaults() {
        ServerConfig c = ConfigLoader.load(null, home);
        assertThat(c.rtmp().port()).isEqualTo(1935);
        assertThat(c.http().port()).isEqualTo(8086);
        assertThat(c.http().bind()).isEqualTo("127.0.0.1");
        assertThat(c.rtmp().chunkSize()).isEqualTo(4096);
        assertThat(c.mediaDir()).isEqualTo(home.resolve("applications/vod/media").toAbsolutePath().normalize());
        assertThat(c.dataDir()).isEqualTo(home.resolve("data").toAbsolutePath().normalize());
        assertThat(c.applications()).containsOnlyKeys("vod", "live");
        assertThat(c.applications().get("vod").type()).isEqualTo(ServerConfig.AppType.VOD);
        assertThat(c.applications().get("live").type()).isEqualTo(ServerConfig.AppType.LIVE);
        assertThat(c.live()).isEqualTo(new ServerConfig.Live(true, 10_000, 3_000, 10, 30_000, "off"));
        assertThat(c.vod()).isEqualTo(new ServerConfig.Vod(1000, 1000, 256, 128));
        assertThat(c.recordingsDir()).isEqualTo(home.resolve("data/recordings").toAbsolutePath().normalize());
    }

    @Test
    void userFileOverridesOnlyTheKeysItNames() throws Exception {
        Path dir = Files.createDirectories(home.resolve("etc"));
        Path file = dir.resolve("my.yaml");
        Files.writeString(file, "rtmp:\n  port: 1936\nmedia: videos\napplications:\n  films:\n    type: vod\n");
        ServerConfig c = ConfigLoader.load(file, home);
        assertThat(c.rtmp().port()).isEqualTo(1936);
        assertThat(c.rtmp().chunkSize()).isEqualTo(4096);
        // A relative path in the user's file is relative to that file's folder.
        assertThat(c.mediaDir()).isEqualTo(dir.resolve("videos"));
        assertThat(c.dataDir()).isEqualTo(home.resolve("data"));
        assertThat(c.applications()).containsOnlyKeys("vod", "live", "films");
    }

    @Test
    void liveSettingsAreChecked() throws Exception {
        assertError("live:\n  record: sometimes\n", "my.yaml line 2: live.record: 'sometimes' is not one of off, record, append");
        assertError("live:\n  gopCache: maybe\n", "my.yaml line 2: live.gopCache: expected true or false, got 'maybe'");
        assertError("live:\n  writeMergeMillis: 20000\n", "my.yaml line 2: live.writeMergeMillis: 20000 is out of range (0..10000)");
        assertError("vod:\n  indexCacheMegabytes: 0\n", "my.yaml line 2: vod.indexCacheMegabytes: 0 is out of range (1..1073741824)");
    }

    @Test
    void errorsNameTheKeyTheFileAndTheLine() throws Exception {
        assertError("rtmp:\n  port: 99999\n", "my.yaml line 2: rtmp.port: 99999 is out of range (0..65535)");
        assertError("rtmp:\n  chunkSize: big\n", "my.yaml line 2: rtmp.chunkSize: expected a whole number, got 'big'");
        assertError("\n\nrtmp:\n  prot: 1\n", "my.yaml line 4: rtmp.prot: unknown key");
        assertError("applications:\n  live:\n    type: streaming\n",
                "my.yaml line 3: applications.live.type: unknown application type 'streaming'");
        assertError("applications:\n  x:\n    kind: vod\n", "my.yaml line 3: applications.x.kind: unknown key");
        assertError("rtmp: [1, 2\n", "my.yaml line 2: not valid YAML");
        assertError("media: ''\n", "my.yaml line 1: media: must not be empty");
    }

    private void assertError(String yaml, String expected) throws Exception {
        Path file = home.resolve("my.yaml");
        Files.writeString(file, yaml);
        assertThatThrownBy(() -> ConfigLoader.load(file, home))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining(expected);
    }

    @Test
    void missingFileIsAClearError() {
        assertThatThrownBy(() -> ConfigLoader.load(home.resolve("nope.yaml"), home))
                .isInstanceOf(ConfigException.class).hasMessageContaining("nope.yaml: cannot read");
    }
}
