package io.millrace.server;

import io.millrace.server.e2e.TestServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/** The command line in a real JVM: --help, a configuration error, and a clean stop on SIGTERM. */
class MainIT {
    @TempDir
    Path tmp;

    private Process start(String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), "-Dmillrace.home=" + tmp, Main.class.getName()));
        cmd.addAll(List.of(args));
        return new ProcessBuilder(cmd).redirectErrorStream(true).start();
    }

    private static String output(Process p) throws Exception {
        return new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    }

    @Test
    void helpListsTheFlags() throws Exception {
        Process p = start("--help");
        String out = output(p);
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).isZero();
        assertThat(out).contains("--rtmp-port", "--rtmps-port", "--http-port", "--media", "--data", "--config",
                "--generate-dev-certificate", "--help");
    }

    @Test
    void generatesADevelopmentCertificateInOneCommand() throws Exception {
        Path dir = tmp.resolve("tls");
        Process p = start("--generate-dev-certificate", dir.toString());
        String out = output(p);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(out).isZero();
        assertThat(out).contains("cert.pem", "key.pem", "CN=localhost", "rtmps:", "enabled: true");
        java.security.cert.X509Certificate cert = io.millrace.server.tls.PemFiles.readCertificates(dir.resolve("cert.pem"))[0];
        io.millrace.server.tls.PemFiles.checkKeyMatches(
                io.millrace.server.tls.PemFiles.readPrivateKey(dir.resolve("key.pem")), cert);
        // A second run does not overwrite the pair.
        Process again = start("--generate-dev-certificate", dir.toString());
        String out2 = output(again);
        assertThat(again.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(again.exitValue()).isEqualTo(1);
        assertThat(out2).contains("exists");
        assertThat(io.millrace.server.tls.PemFiles.readCertificates(dir.resolve("cert.pem"))[0]).isEqualTo(cert);
    }

    @Test
    void configurationErrorNamesKeyAndLineAndExitsNonZero() throws Exception {
        Path cfg = tmp.resolve("bad.yaml");
        Files.writeString(cfg, "rtmp:\n  chunkSize: 4096\n  port: lots\n");
        Process p = start("--config", cfg.toString());
        String out = output(p);
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).isEqualTo(2);
        assertThat(out).contains("bad.yaml line 3: rtmp.port: expected a whole number, got 'lots'");
    }

    @Test
    void servesAndStopsCleanlyOnSigterm() throws Exception {
        Path media = Files.createDirectories(tmp.resolve("media"));
        Files.copy(TestServer.sampleFlv(), media.resolve("sample.flv"));
        Process p = start("--rtmp-port", "0", "--http-port", "0", "--media", media.toString(), "--data", tmp.resolve("data").toString());
        BufferedReader log = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
        Pattern listening = Pattern.compile("listening for RTMP on .*:(\\d+) ");
        int port = -1;
        boolean started = false;
        List<String> lines = new ArrayList<>();
        // Started means the HTTP side too: the shutdown hook is installed only after both listeners are up.
        for (String line; !started && (line = log.readLine()) != null; ) {
            lines.add(line);
            Matcher m = listening.matcher(line);
            if (m.find()) {
                port = Integer.parseInt(m.group(1));
            }
            started = line.contains("Millrace listening for HTTP");
        }
        assertThat(started).as("server output: %s", lines).isTrue();
        assertThat(port).as("server output: %s", lines).isPositive();
        try (io.millrace.rtmp.client.RtmpClient c = io.millrace.rtmp.client.RtmpClient.open("127.0.0.1", port,
                io.millrace.rtmp.client.RtmpClient.Options.plain())) {
            c.sendConnect("vod", "rtmp://127.0.0.1:" + port + "/vod");
            c.await(e -> e instanceof io.millrace.rtmp.client.ClientEvent.CommandEvent ce && ce.name().equals("onBWDone"),
                    java.time.Duration.ofSeconds(10));
        }
        Process kill = new ProcessBuilder("kill", "-TERM", Long.toString(p.pid())).start();
        assertThat(kill.waitFor(10, TimeUnit.SECONDS)).isTrue();
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
        for (String line; (line = log.readLine()) != null; ) {
            lines.add(line);
        }
        assertThat(String.join("\n", lines)).contains("connect client", "disconnect client", "shutting down (signal received)", "Millrace stopped");
        assertThat(lines).noneMatch(l -> l.contains("ERROR") || l.contains("Exception"));
    }
}
