package io.millrace.server.e2e;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.spi.ILoggingEvent;
import io.millrace.server.monitor.ClientStats;
import io.millrace.server.tls.DevCertificate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;
import java.io.InputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * RTMPS end to end: a development certificate made by {@link DevCertificate} (as
 * {@code millrace --generate-dev-certificate} makes it), ffmpeg publishing and playing over rtmps://, the
 * protocols the listener accepts, and what it does with clients that do not speak TLS.
 */
class RtmpsIT {
    private static final long HANDSHAKE_TIMEOUT_MS = 1500;
    @TempDir
    static Path certDir;
    private static List<Probe.Packet> source;
    private TestServer server;

    @TempDir
    Path tmp;

    @BeforeAll
    static void makeCertificate() throws Exception {
        DevCertificate.write(certDir);
        source = Probe.packets(TestServer.sampleFlv().toString());
    }

    @AfterEach
    void stop() {
        if (server != null) {
            server.close();
        }
    }

    private TestServer start() throws Exception {
        return TestServer.start("rtmps:\n  enabled: true\n  port: 0\n  bind: 127.0.0.1\n"
                + "  certificate: " + certDir.resolve("cert.pem") + "\n  privateKey: " + certDir.resolve("key.pem") + "\n"
                + "rtmp:\n  handshakeTimeoutMillis: " + HANDSHAKE_TIMEOUT_MS + "\n");
    }

    @Test
    void ffmpegPublishesAndPlaysOverRtmpsEveryFrame() throws Exception {
        server = start();
        assertThat(server.rtmpsPort()).isPositive().isNotEqualTo(server.port());
        String url = server.rtmpsUrl("live/x");
        Path out = tmp.resolve("played.flv");
        String ffmpeg = RealClients.require("ffmpeg");
        // ffmpeg (GnuTLS) does not check the server's certificate unless asked to (-tls_verify 1).
        CompletableFuture<RealClients.Result> play = RealClients.async(90, ffmpeg, "-hide_banner", "-loglevel", "error",
                "-i", url, "-c", "copy", "-f", "flv", out.toString());
        Thread.sleep(1500);
        CompletableFuture<RealClients.Result> publish = RealClients.async(90, ffmpeg, "-hide_banner", "-loglevel",
                "error", "-re", "-i", TestServer.sampleFlv().toString(), "-c", "copy", "-f", "flv", url);

        // While both run, the monitoring says how they are connected.
        List<ClientStats> seen = new ArrayList<>();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(8);
        while (System.nanoTime() < deadline && seen.size() < 2) {
            seen = server.monitoring().clients("live", null);
            Thread.sleep(100);
        }
        assertThat(seen).as("clients of live").hasSize(2).allMatch(c -> c.protocol().equals("rtmps"));

        RealClients.Result pub = publish.get(60, TimeUnit.SECONDS);
        assertThat(pub.exitCode()).as("ffmpeg publisher over rtmps: %s", pub).isZero();
        RealClients.Result r = play.get(60, TimeUnit.SECONDS);
        assertThat(r.exitCode()).as("ffmpeg player over rtmps: %s", r).isZero();
        List<Probe.Packet> got = Probe.packets(out.toString());
        assertThat(Probe.count(got, "video")).as("video frames").isEqualTo(Probe.count(source, "video"));
        assertThat(Probe.count(got, "audio")).as("audio frames").isEqualTo(Probe.count(source, "audio"));
        System.out.printf("rtmps: played %d video and %d audio frames of %d and %d%n", Probe.count(got, "video"),
                Probe.count(got, "audio"), Probe.count(source, "video"), Probe.count(source, "audio"));

        // The access log's c-proto says rtmps for both connections.
        List<String> connects = awaitAccessLines(lines -> lines.stream().filter(l -> l.startsWith("connect\t")).count() >= 2
                && lines.stream().filter(l -> l.startsWith("disconnect\t")).count() >= 2);
        assertThat(connects.stream().filter(l -> l.startsWith("connect\t") || l.startsWith("disconnect\t")))
                .hasSize(4).allMatch(l -> l.contains("\trtmps\t"));
    }

    /** Every access log event line, once {@code done} holds (the access log is written by its own thread). */
    private List<String> awaitAccessLines(java.util.function.Predicate<List<String>> done) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        List<String> lines = List.of();
        Path logs = server.data().resolve("logs");
        while (System.nanoTime() < deadline) {
            if (Files.isDirectory(logs)) {
                lines = new ArrayList<>();
                try (Stream<Path> files = Files.list(logs)) {
                    for (Path f : files.sorted().toList()) {
                        for (String line : Files.readAllLines(f, StandardCharsets.UTF_8)) {
                            if (!line.startsWith("#")) {
                                lines.add(line);
                            }
                        }
                    }
                }
                if (done.test(lines)) {
                    return lines;
                }
            }
            Thread.sleep(50);
        }
        throw new AssertionError("the access log never had what was expected: " + lines);
    }

    @Test
    void tls12And13AreAcceptedAndTls11IsRefusedWithOneLogLine() throws Exception {
        server = start();
        for (String protocol : List.of("TLSv1.3", "TLSv1.2")) {
            try (SSLSocket s = trustingClient(protocol)) {
                s.startHandshake();
                assertThat(s.getSession().getProtocol()).isEqualTo(protocol);
                // RTMP inside: C0+C1 gets S0+S1+S2.
                s.getOutputStream().write(RawPeer.c0c1());
                byte[] answer = s.getInputStream().readNBytes(1 + 2 * RawPeer.PACKET);
                assertThat(answer).hasSize(1 + 2 * RawPeer.PACKET);
                assertThat(answer[0]).isEqualTo((byte) 3);
            }
        }
        try (LogCapture logs = LogCapture.start()) {
            // The same hand-written hello, once as TLS 1.2 (answered with a ServerHello: the hello is sound), once as 1.1.
            try (Socket s = new Socket("127.0.0.1", server.rtmpsPort())) {
                s.setSoTimeout(10_000);
                s.getOutputStream().write(TlsHello.clientHello(TlsHello.TLS_1_2));
                TlsHello.Answer a = TlsHello.readAnswer(s.getInputStream());
                assertThat(a.type()).as("answer to a TLS 1.2 hello: %s", a).isEqualTo(TlsHello.HANDSHAKE);
                assertThat(a.first()).as("server_hello: %s", a).isEqualTo(2);
            }
            int port;
            try (Socket s = new Socket("127.0.0.1", server.rtmpsPort())) {
                port = s.getLocalPort();
                s.setSoTimeout(10_000);
                s.getOutputStream().write(TlsHello.clientHello(TlsHello.TLS_1_1));
                TlsHello.Answer a = TlsHello.readAnswer(s.getInputStream());
                assertThat(a.type()).as("answer to a TLS 1.1 hello: %s", a).isEqualTo(TlsHello.ALERT);
                assertThat(a.first()).as("fatal: %s", a).isEqualTo(2);
                assertThat(a.second()).as("protocol_version: %s", a).isEqualTo(TlsHello.PROTOCOL_VERSION);
                assertThat(readToEnd(s.getInputStream())).as("the server closes").isTrue();
            }
            List<ILoggingEvent> lines = awaitLines(logs, port, 1);
            assertThat(lines).hasSize(1);
            assertThat(lines.get(0).getFormattedMessage()).contains("TLS handshake failed", "TLSv1.1");
            assertThat(lines.get(0).getThrowableProxy()).isNull();
        }
    }

    @Test
    void plainRtmpOnTheTlsPortIsClosedAtOnceAndASilentClientAtTheHandshakeTimeout() throws Exception {
        server = start();
        try (LogCapture logs = LogCapture.start()) {
            int plainPort;
            long started = System.nanoTime();
            try (RawPeer plain = RawPeer.connect(server.rtmpsPort())) {
                plainPort = plain.localPort();
                plain.write(RawPeer.c0c1());
                plain.awaitClosedByServer(Duration.ofSeconds(10));
            }
            assertThat((System.nanoTime() - started) / 1_000_000).as("ms until closed").isLessThan(HANDSHAKE_TIMEOUT_MS);
            int silentPort;
            started = System.nanoTime();
            try (RawPeer silent = RawPeer.connect(server.rtmpsPort())) {
                silentPort = silent.localPort();
                silent.awaitClosedByServer(Duration.ofSeconds(10));
            }
            long silentMs = (System.nanoTime() - started) / 1_000_000;
            assertThat(silentMs).as("ms until the silent client is closed").isBetween(HANDSHAKE_TIMEOUT_MS - 100,
                    HANDSHAKE_TIMEOUT_MS + 2000);

            List<ILoggingEvent> plainLines = awaitLines(logs, plainPort, 1);
            assertThat(plainLines).hasSize(1);
            assertThat(plainLines.get(0).getFormattedMessage())
                    .contains("TLS handshake failed: not TLS (first byte 0x03: plain RTMP");
            List<ILoggingEvent> silentLines = awaitLines(logs, silentPort, 1);
            assertThat(silentLines).hasSize(1);
            assertThat(silentLines.get(0).getFormattedMessage())
                    .contains("TLS or RTMP handshake not completed within " + HANDSHAKE_TIMEOUT_MS + " ms");
            assertThat(logs.events()).as("no errors or stack traces%s", LogCapture.format(logs.events()))
                    .noneMatch(e -> e.getLevel() == Level.ERROR || e.getThrowableProxy() != null);
        }
        // The plain listener is not affected.
        try (RawPeer peer = RawPeer.connect(server.port())) {
            peer.handshake();
        }
    }

    /** The lines naming the client, once there are {@code n} of them (and a moment later, in case more come). */
    private static List<ILoggingEvent> awaitLines(LogCapture logs, int port, int n) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (System.nanoTime() < deadline && logs.naming(port).size() < n) {
            Thread.sleep(20);
        }
        Thread.sleep(200);
        return logs.naming(port);
    }

    private static boolean readToEnd(InputStream in) throws java.io.IOException {
        try {
            while (in.read() >= 0) {
                // discard
            }
            return true;
        } catch (java.net.SocketException e) {
            return true; // reset: closed too
        }
    }

    private SSLSocket trustingClient(String protocol) throws Exception {
        SSLContext ctx = SSLContext.getInstance("TLS");
        ctx.init(null, new TrustManager[] {new X509TrustManager() {
            @Override
            public void checkClientTrusted(X509Certificate[] chain, String authType) {
            }

            @Override
            public void checkServerTrusted(X509Certificate[] chain, String authType) {
            }

            @Override
            public X509Certificate[] getAcceptedIssuers() {
                return new X509Certificate[0];
            }
        }}, null);
        SSLSocket s = (SSLSocket) ctx.getSocketFactory().createSocket("127.0.0.1", server.rtmpsPort());
        s.setEnabledProtocols(new String[] {protocol});
        s.setSoTimeout(10_000);
        return s;
    }
}
