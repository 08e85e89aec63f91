package io.millrace.server;

import io.millrace.server.config.ConfigException;
import io.millrace.server.config.ConfigLoader;
import io.millrace.server.config.ServerConfig;
import io.millrace.server.tls.DevCertificate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;

/**
 * The command line: {@code millrace [--rtmp-port N] [--rtmps-port N] [--http-port N] [--media DIR] [--data DIR]
 * [--config FILE]}, or {@code millrace --generate-dev-certificate DIR}.
 */
@Command(name = "millrace", mixinStandardHelpOptions = true, version = "Millrace " + Main.VERSION,
        description = "An RTMP media streaming server: on-demand files and live streams for RTMP players.%n"
                + "Defaults come from the embedded configuration; --config overrides any key of it,"
                + " and these flags override both.",
        footer = {"", "Play the bundled sample with:  ffplay rtmp://localhost/vod/sample"})
public final class Main implements Callable<Integer> {
    /** This release's version. */
    public static final String VERSION = "0.1.0";

    private static final Logger LOG = LoggerFactory.getLogger(Main.class);

    @Option(names = "--rtmp-port", paramLabel = "PORT", description = "RTMP listening port (default 1935; 0 picks a free port)")
    Integer rtmpPort;

    @Option(names = "--rtmps-port", paramLabel = "PORT", description = "RTMPS (TLS) listening port, when rtmps.enabled is set in the configuration (default 1936; 0 picks a free port)")
    Integer rtmpsPort;

    @Option(names = "--generate-dev-certificate", paramLabel = "DIR",
            description = "write a self-signed development certificate for localhost (DIR/cert.pem, DIR/key.pem) for RTMPS, then exit")
    Path devCertificateDir;

    @Option(names = "--http-port", paramLabel = "PORT", description = "HTTP port for the admin API, metrics and browser playback (default 8086)")
    Integer httpPort;

    @Option(names = "--media", paramLabel = "DIR", description = "folder of the vod application's files (default: apps/vod/media/ in the Millrace home)")
    Path media;

    @Option(names = "--data", paramLabel = "DIR", description = "folder the server writes to (default: data/ in the Millrace home)")
    Path data;

    @Option(names = "--config", paramLabel = "FILE", description = "YAML file whose keys override the embedded defaults")
    Path config;

    public static void main(String[] args) {
        int code = new CommandLine(new Main()).execute(args);
        if (code != 0) {
            System.exit(code);
        }
    }

    @Override
    public Integer call() throws Exception {
        if (devCertificateDir != null) {
            return generateDevCertificate(devCertificateDir);
        }
        ServerConfig cfg;
        try {
            cfg = ConfigLoader.load(config, home())
                    .withPorts(rtmpPort, rtmpsPort, httpPort)
                    .withDirs(media == null ? null : media.toAbsolutePath().normalize(),
                            data == null ? null : data.toAbsolutePath().normalize());
        } catch (ConfigException e) {
            System.err.println("millrace: configuration error: " + e.getMessage());
            return 2;
        }
        MillraceServer server = new MillraceServer(cfg);
        // The hook goes in first: a SIGTERM during start waits for it (start and stop are synchronized),
        // then stops what was started.
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            LOG.info("shutting down (signal received)");
            server.stop();
            stopped.countDown();
        }, "millrace-shutdown"));
        try {
            server.start();
        } catch (Exception e) {
            System.err.println("millrace: cannot start: " + e.getMessage());
            server.stop();
            return 1;
        }
        stopped.await();
        return 0;
    }

    private static int generateDevCertificate(Path dir) {
        try {
            java.security.cert.X509Certificate cert = DevCertificate.write(dir);
            Path abs = dir.toAbsolutePath().normalize();
            System.out.println("Wrote " + abs.resolve(DevCertificate.CERT_FILE) + " and " + abs.resolve(DevCertificate.KEY_FILE)
                    + ": a self-signed certificate for " + cert.getSubjectX500Principal().getName()
                    + " (DNS:localhost, IP:127.0.0.1, IP:::1), valid until " + cert.getNotAfter().toInstant()
                    + ". For development only: clients that check certificates will not trust it.");
            System.out.println("Turn RTMPS on with a --config file holding:");
            System.out.println("rtmps:\n  enabled: true\n  certificate: " + abs.resolve(DevCertificate.CERT_FILE)
                    + "\n  privateKey: " + abs.resolve(DevCertificate.KEY_FILE));
            return 0;
        } catch (java.io.IOException | java.security.GeneralSecurityException e) {
            System.err.println("millrace: cannot write the development certificate: " + e.getMessage());
            return 1;
        }
    }

    /** The Millrace home: -Dmillrace.home (set by the launcher), else the working directory. */
    static Path home() {
        String h = System.getProperty("millrace.home");
        return Path.of(h != null && !h.isBlank() ? h : ".").toAbsolutePath().normalize();
    }
}
