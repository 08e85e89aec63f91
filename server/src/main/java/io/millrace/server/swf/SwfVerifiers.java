package io.millrace.server.swf;

import io.millrace.server.config.ServerConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * The {@link SwfVerifier}s of the applications that have SWF verification on, and the one daemon thread
 * that rescans their folders every {@code swfVerification.rescanIntervalMillis}.
 */
public final class SwfVerifiers implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(SwfVerifiers.class);

    private final Map<String, SwfVerifier> byApplication;
    private final ScheduledExecutorService scanner;

    private SwfVerifiers(Map<String, SwfVerifier> byApplication, ScheduledExecutorService scanner) {
        this.byApplication = Map.copyOf(byApplication);
        this.scanner = scanner;
    }

    /** No application verifies. */
    public static SwfVerifiers none() {
        return new SwfVerifiers(Map.of(), null);
    }

    /**
     * One verifier per application whose {@code swfVerification.enabled} is true (none when
     * {@code swfVerification.disableAll} is), each folder scanned once before this returns; then the
     * rescanning thread, when there is something to rescan.
     */
    public static SwfVerifiers start(ServerConfig config) {
        Map<String, SwfVerifier> verifiers = new LinkedHashMap<>();
        config.applications().forEach((name, app) -> {
            if (!app.swfVerification().enabled()) {
                return;
            }
            if (config.swfVerification().disableAll()) {
                LOG.info("SWF verification for application '{}' is off: swfVerification.disableAll is set", name);
                return;
            }
            SwfVerifier v = new SwfVerifier(name, app.swfVerification());
            v.scan();
            if (v.allowed().isEmpty()) {
                LOG.warn("SWF verification is on for application '{}' but {} holds no SWF: every client that must "
                        + "verify will be rejected until one is added", name, v.folders());
            }
            LOG.info("SWF verification on for application '{}': {} allowed SWF(s) from {}, answer within {} ms{}",
                    name, v.allowed().size(), v.folders(), v.timeoutMillis(),
                    app.swfVerification().userAgentExceptions().isEmpty() ? ""
                            : ", not asked of " + app.swfVerification().userAgentExceptions());
            verifiers.put(name, v);
        });
        long interval = config.swfVerification().rescanIntervalMillis();
        ScheduledExecutorService scanner = null;
        if (!verifiers.isEmpty() && interval > 0) {
            scanner = Executors.newSingleThreadScheduledExecutor(r -> {
                Thread t = new Thread(r, "millrace-swf-scan");
                t.setDaemon(true);
                return t;
            });
            for (SwfVerifier v : verifiers.values()) {
                scanner.scheduleWithFixedDelay(() -> {
                    try {
                        v.scan();
                    } catch (RuntimeException e) {
                        LOG.error("SWF verification for application '{}': rescan failed", v.application(), e);
                    }
                }, interval, interval, TimeUnit.MILLISECONDS);
            }
        }
        return new SwfVerifiers(verifiers, scanner);
    }

    /** The verifier of an application, or null when it does not verify. */
    public SwfVerifier forApplication(String name) {
        return byApplication.get(name);
    }

    public Map<String, SwfVerifier> byApplication() {
        return byApplication;
    }

    /** Stops the rescanning thread. */
    @Override
    public void close() {
        if (scanner != null) {
            scanner.shutdownNow();
        }
    }
}
