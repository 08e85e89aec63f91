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
        assertThat(c.mediaDir()).isEqualTo(home.resolve("apps/vod/media").toAbsolutePath().normalize());
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

    @Test
    void swfVerificationIsOffByDefaultWithFmsLikeDefaults() {
        ServerConfig c = ConfigLoader.load(null, home);
        for (String app : new String[] {"vod", "live"}) {
            ServerConfig.SwfVerification s = c.applications().get(app).swfVerification();
            assertThat(s.enabled()).isFalse();
            assertThat(s.folders()).containsExactly(home.resolve("apps/" + app + "/SWFs").toAbsolutePath().normalize());
            assertThat(s.timeoutMillis()).isEqualTo(5000);
            assertThat(s.userAgentExceptions()).isEmpty();
            assertThat(c.swfVerificationEnabled(app)).isFalse();
        }
        assertThat(c.swfVerification()).isEqualTo(new ServerConfig.SwfVerificationSettings(false, 5000));
    }

    @Test
    void swfVerificationPerApplication() throws Exception {
        Path dir = Files.createDirectories(home.resolve("etc"));
        Path file = dir.resolve("my.yaml");
        Files.writeString(file, """
                applications:
                  films:
                    type: vod
                    swfVerification:
                      enabled: true
                      folders: [swfs, /srv/players]
                      timeoutMillis: 2500
                      userAgentExceptions:
                        - "WIN 9,0,0,0 .. WIN 9,0,115,0"
                        - FMLE/
                  vod:
                    swfVerification:
                      enabled: true
                      folders: /srv/vod-swfs
                """);
        ServerConfig c = ConfigLoader.load(file, home);
        ServerConfig.SwfVerification films = c.applications().get("films").swfVerification();
        assertThat(films.enabled()).isTrue();
        // Relative folders in the user's file are relative to that file's folder.
        assertThat(films.folders()).containsExactly(dir.resolve("swfs"), Path.of("/srv/players"));
        assertThat(films.timeoutMillis()).isEqualTo(2500);
        assertThat(films.userAgentExceptions()).containsExactly("WIN 9,0,0,0 .. WIN 9,0,115,0", "FMLE/");
        assertThat(c.applications().get("vod").swfVerification().folders()).containsExactly(Path.of("/srv/vod-swfs"));
        assertThat(c.applications().get("vod").type()).isEqualTo(ServerConfig.AppType.VOD);
        assertThat(c.swfVerificationEnabled("films")).isTrue();
        assertThat(c.swfVerificationEnabled("live")).isFalse();

        // The server-wide switch turns it off whatever the applications say.
        Files.writeString(file, "swfVerification:\n  disableAll: true\napplications:\n  vod:\n"
                + "    swfVerification:\n      enabled: true\n");
        ServerConfig off = ConfigLoader.load(file, home);
        assertThat(off.applications().get("vod").swfVerification().enabled()).isTrue();
        assertThat(off.swfVerificationEnabled("vod")).isFalse();
    }

    @Test
    void swfVerificationErrors() throws Exception {
        assertError("applications:\n  vod:\n    swfVerification:\n      enabled: maybe\n",
                "my.yaml line 4: applications.vod.swfVerification.enabled: expected true or false, got 'maybe'");
        assertError("applications:\n  vod:\n    swfVerification:\n      folder: x\n",
                "my.yaml line 4: applications.vod.swfVerification.folder: unknown key");
        assertError("applications:\n  vod:\n    swfVerification:\n      timeoutMillis: 5\n",
                "applications.vod.swfVerification.timeoutMillis: 5 is out of range (100..600000)");
        assertError("applications:\n  vod:\n    swfVerification:\n      userAgentExceptions: ['WIN 10 .. WIN 9']\n",
                "my.yaml line 4: applications.vod.swfVerification.userAgentExceptions: 'WIN 10 .. WIN 9': the range ends");
        assertError("applications:\n  vod:\n    swfVerification:\n      folders: []\n",
                "applications.vod.swfVerification.folders: name at least one folder");
        assertError("applications:\n  vod:\n    swfVerification:\n      enabled: [true]\n",
                "applications.vod.swfVerification.enabled: expected a single value, not a list");
        assertError("rtmp:\n  port: [1935]\n", "my.yaml line 2: rtmp.port: expected a single value, not a list");
        assertError("swfVerification:\n  rescanIntervalMillis: -1\n", "swfVerification.rescanIntervalMillis: -1 is out of range");
    }

    private void assertError(String yaml, String expected) throws Exception {
        Path file = home.resolve("my.yaml");
        Files.writeString(file, yaml);
        assertThatThrownBy(() -> ConfigLoader.load(file, home))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining(expected);
    }

    @Test
    void limitsAndRtmpsDefaults() {
        ServerConfig c = ConfigLoader.load(null, home);
        ServerConfig.Rtmp r = c.rtmp();
        assertThat(r.maxChunkSize()).isEqualTo(1 << 20);
        assertThat(r.maxStreamsPerConnection()).isEqualTo(64);
        assertThat(r.idleTimeoutMillis()).isEqualTo(600_000);
        assertThat(r.maxConnections()).isEqualTo(10_000);
        assertThat(r.maxConnectionsPerIp()).isEqualTo(100);
        assertThat(r.maxConnectionRatePerIp()).isEqualTo(50);
        assertThat(c.rtmps()).isEqualTo(new ServerConfig.Rtmps(false, "0.0.0.0", 1936, null, null));
        assertThat(c.withPorts(null, 0, null).rtmps().port()).isZero();
        assertThat(c.withPorts(1, 2, 3).rtmp().maxConnections()).isEqualTo(10_000);
    }

    @Test
    void limitErrorsNameTheKey() throws Exception {
        assertError("rtmp:\n  maxChunkSize: 64\n", "my.yaml line 2: rtmp.maxChunkSize: 64 is out of range (128..2147483647)");
        assertError("rtmp:\n  maxStreamsPerConnection: 0\n", "rtmp.maxStreamsPerConnection: 0 is out of range (1..65536)");
        assertError("rtmp:\n  maxConnectionsPerIp: -1\n", "rtmp.maxConnectionsPerIp: -1 is out of range");
        assertError("rtmp:\n  idleTimeoutMillis: soon\n", "rtmp.idleTimeoutMillis: expected a whole number, got 'soon'");
    }

    @Test
    void rtmpsNeedsAUsableCertificateAndKey() throws Exception {
        assertError("rtmps:\n  enabled: true\n", "my.yaml line 2: rtmps.certificate: a PEM certificate file is needed"
                + " when rtmps.enabled is true (for a development certificate run: millrace --generate-dev-certificate DIR)");
        assertError("rtmps:\n  enabled: true\n  certificate: nope.pem\n  privateKey: key.pem\n",
                "my.yaml line 3: rtmps.certificate: " + home.resolve("nope.pem") + ": no such file");
        Path certs = Files.createDirectories(home.resolve("certs"));
        io.millrace.server.tls.DevCertificate.write(certs);
        Path other = Files.createDirectories(home.resolve("other"));
        io.millrace.server.tls.DevCertificate.write(other);
        assertError("rtmps:\n  enabled: true\n  certificate: certs/cert.pem\n",
                "my.yaml line 2: rtmps.privateKey: a PEM private key file is needed");
        assertError("rtmps:\n  enabled: true\n  certificate: certs/key.pem\n  privateKey: certs/key.pem\n",
                "my.yaml line 3: rtmps.certificate: " + certs.resolve("key.pem") + ": no PEM certificate"
                        + " (-----BEGIN CERTIFICATE-----) in it; it holds a private key: is it the rtmps.privateKey file?");
        assertError("rtmps:\n  enabled: true\n  certificate: certs/cert.pem\n  privateKey: other/key.pem\n",
                "my.yaml line 4: rtmps.privateKey: the private key does not belong to the certificate (CN=localhost)");
        assertError("rtmp:\n  port: 2000\nrtmps:\n  enabled: true\n  port: 2000\n  certificate: certs/cert.pem\n"
                + "  privateKey: certs/key.pem\n", "my.yaml line 5: rtmps.port: 2000 is the RTMP port too (rtmp.port)");
        // Off, nothing is checked; on with a good pair, paths are relative to the file's folder.
        Path file = home.resolve("ok.yaml");
        Files.writeString(file, "rtmps:\n  enabled: true\n  port: 1443\n  certificate: certs/cert.pem\n"
                + "  privateKey: certs/key.pem\n");
        ServerConfig c = ConfigLoader.load(file, home);
        assertThat(c.rtmps()).isEqualTo(new ServerConfig.Rtmps(true, "0.0.0.0", 1443, certs.resolve("cert.pem"),
                certs.resolve("key.pem")));
    }

    @Test
    void missingFileIsAClearError() {
        assertThatThrownBy(() -> ConfigLoader.load(home.resolve("nope.yaml"), home))
                .isInstanceOf(ConfigException.class).hasMessageContaining("nope.yaml: cannot read");
    }

    @Test
    void applicationFoldersDefineApplicationsWithTheirCodeAndSettings() throws Exception {
        Path chat = Files.createDirectories(home.resolve("apps/chat"));
        Files.writeString(chat.resolve("app.yaml"), """
                class: com.example.Chat
                preload: [lobby, kitchen]
                settings:
                  maxUsers: 3
                  rooms: [{name: a, size: 2}]
                security:
                  publish:
                    keys: k1
                """);
        Files.createDirectories(home.resolve("apps/vod/media")); // no app.yaml: not an application folder
        Path user = home.resolve("my.yaml");
        Files.writeString(user, "applications:\n  chat:\n    instanceIdleMillis: 5000\n");
        ServerConfig c = ConfigLoader.load(user, home);
        assertThat(c.applications()).containsOnlyKeys("vod", "live", "chat");
        ServerConfig.ApplicationConfig app = c.applications().get("chat");
        assertThat(app.type()).as("a folder application streams live by default").isEqualTo(ServerConfig.AppType.LIVE);
        assertThat(app.hosting().folder()).isEqualTo(chat.toAbsolutePath().normalize());
        assertThat(app.hosting().className()).isEqualTo("com.example.Chat");
        assertThat(app.hosting().preload()).containsExactly("lobby", "kitchen");
        assertThat(app.hosting().instanceIdleMillis()).as("the server's file overrides app.yaml").isEqualTo(5000);
        assertThat(app.hosting().settings()).isEqualTo(java.util.Map.of("maxUsers", 3.0,
                "rooms", java.util.List.of(java.util.Map.of("name", "a", "size", 2.0))));
        assertThat(app.security().publish().keys()).isEqualTo("k1");
        assertThat(c.applications().get("vod").hosting().className()).isNull();
        assertThat(c.applications().get("vod").hosting().instanceIdleMillis()).isEqualTo(600_000);
    }

    @Test
    void mistakesInAnAppYamlNameTheFileAndLine() throws Exception {
        Path chat = Files.createDirectories(home.resolve("apps/chat"));
        Files.writeString(chat.resolve("app.yaml"), "class: com.example.Chat\nclas: typo\n");
        assertThatThrownBy(() -> ConfigLoader.load(null, home)).isInstanceOf(ConfigException.class)
                .hasMessageContaining(chat.resolve("app.yaml") + " line 2: applications.chat.clas: unknown key");
        Files.writeString(chat.resolve("app.yaml"), "class: 'not a class'\n");
        assertThatThrownBy(() -> ConfigLoader.load(null, home)).hasMessageContaining("'not a class' is not a class name");
        Files.writeString(chat.resolve("app.yaml"), "settings: 3\n");
        assertThatThrownBy(() -> ConfigLoader.load(null, home)).hasMessageContaining("settings: expected a mapping");
        Files.writeString(chat.resolve("app.yaml"), "preload: [../x]\n");
        assertThatThrownBy(() -> ConfigLoader.load(null, home)).hasMessageContaining("'../x' is not an instance name");
    }

    @Test
    void codeNeedsAFolder() throws Exception {
        Path user = home.resolve("my.yaml");
        Files.writeString(user, "applications:\n  x:\n    type: live\n    class: a.B\n");
        assertThatThrownBy(() -> ConfigLoader.load(user, home)).hasMessageContaining("an application with code lives in"
                + " its folder");
    }
}
