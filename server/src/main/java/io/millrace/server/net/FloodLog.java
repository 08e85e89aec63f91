package io.millrace.server.net;

import org.slf4j.Logger;
import org.slf4j.helpers.MessageFormatter;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * Log lines about clients that a flood can produce by the thousand (connections refused by a limit,
 * handshakes that fail or time out, protocol errors before connect): at most {@link #LINES_PER_SECOND} lines
 * per second for each reason, then one line per second for that reason with the count of those not logged
 * and the last of them. Reasons are a handful of fixed strings; nothing from the client goes into one.
 * Any thread.
 */
public final class FloodLog {
    /** Lines per second and reason logged one by one. */
    public static final int LINES_PER_SECOND = 20;
    private static final long SECOND = TimeUnit.SECONDS.toNanos(1);

    /** Logs every line (unit tests, sessions built without a server). */
    public static final FloodLog UNLIMITED = new FloodLog(Integer.MAX_VALUE, System::nanoTime);

    private final int linesPerSecond;
    private final LongSupplier nanoTime;
    private final Map<String, Window> windows = new ConcurrentHashMap<>();

    private static final class Window {
        long startNanos;
        int lines;
        long suppressed;
        String last;
        Logger logger;
        boolean warn;
    }

    public FloodLog() {
        this(LINES_PER_SECOND, System::nanoTime);
    }

    FloodLog(int linesPerSecond, LongSupplier nanoTime) {
        this.linesPerSecond = linesPerSecond;
        this.nanoTime = nanoTime;
    }

    /** An INFO line about one client, unless {@code reason} has had its share this second. */
    public void info(Logger log, String reason, String format, Object... args) {
        line(log, false, reason, format, args);
    }

    /** A WARN line about one client, unless {@code reason} has had its share this second. */
    public void warn(Logger log, String reason, String format, Object... args) {
        line(log, true, reason, format, args);
    }

    private void line(Logger log, boolean warn, String reason, String format, Object[] args) {
        if (!(warn ? log.isWarnEnabled() : log.isInfoEnabled())) {
            return;
        }
        Window w = windows.computeIfAbsent(reason, r -> new Window());
        long now = nanoTime.getAsLong();
        String message = MessageFormatter.arrayFormat(format, args).getMessage();
        String summary = null;
        Logger summaryLog = log;
        boolean summaryWarn = warn;
        boolean logIt;
        synchronized (w) {
            if (w.lines == 0 && w.suppressed == 0 || now - w.startNanos >= SECOND) {
                if (w.logger != null) {
                    summaryLog = w.logger;
                    summaryWarn = w.warn;
                }
                summary = takeSummary(reason, w, now);
                w.startNanos = now;
                w.lines = 0;
            }
            logIt = w.lines < linesPerSecond;
            if (logIt) {
                w.lines++;
            } else {
                w.suppressed++;
                w.last = message;
                w.logger = log;
                w.warn = warn;
            }
        }
        if (summary != null) {
            emit(summaryLog, summaryWarn, summary);
        }
        if (logIt) {
            emit(log, warn, message);
        }
    }

    /** Logs the count of lines held back for each reason whose second is over. Called once a second. */
    public void flush() {
        long now = nanoTime.getAsLong();
        for (Map.Entry<String, Window> e : windows.entrySet()) {
            Window w = e.getValue();
            String summary;
            Logger log;
            boolean warn;
            synchronized (w) {
                if (now - w.startNanos < SECOND) {
                    continue;
                }
                log = w.logger;
                warn = w.warn;
                summary = takeSummary(e.getKey(), w, now);
                w.startNanos = now;
                w.lines = 0;
            }
            if (summary != null) {
                emit(log, warn, summary);
            }
        }
    }

    /** The summary line of what {@code w} held back (null if nothing), which is then forgotten. */
    private static String takeSummary(String reason, Window w, long now) {
        if (w.suppressed == 0) {
            return null;
        }
        String s = reason + ": " + w.suppressed + " more not logged one by one in the last "
                + String.format(java.util.Locale.ROOT, "%.1f", (now - w.startNanos) / 1e9) + " s (the last: " + w.last + ")";
        w.suppressed = 0;
        w.last = null;
        return s;
    }

    private static void emit(Logger log, boolean warn, String message) {
        if (warn) {
            log.warn(message);
        } else {
            log.info(message);
        }
    }
}
