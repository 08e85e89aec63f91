package io.millrace.server.e2e;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import org.slf4j.LoggerFactory;

import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/** Records every event the root logger lets through while open (levels as configured by logback.xml). */
final class LogCapture implements AutoCloseable {
    private final Logger root;
    private final ListAppender<ILoggingEvent> appender = new ListAppender<>();

    private LogCapture() {
        root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
        appender.setContext((LoggerContext) LoggerFactory.getILoggerFactory());
        appender.setName("bad-input-capture");
        appender.start();
        root.addAppender(appender);
    }

    static LogCapture start() {
        return new LogCapture();
    }

    /** A snapshot of what was logged so far. */
    List<ILoggingEvent> events() {
        // AppenderBase.doAppend synchronises on the appender.
        synchronized (appender) {
            return List.copyOf(appender.list);
        }
    }

    /** INFO, WARN and ERROR events whose message names 127.0.0.1:{@code port}. */
    List<ILoggingEvent> naming(int port) {
        Pattern p = Pattern.compile("127\\.0\\.0\\.1:" + port + "(?!\\d)");
        return events().stream()
                .filter(e -> e.getLevel().isGreaterOrEqual(Level.INFO))
                .filter(e -> p.matcher(e.getFormattedMessage()).find())
                .collect(Collectors.toList());
    }

    static String format(ILoggingEvent e) {
        return e.getLevel() + " " + e.getLoggerName().substring(e.getLoggerName().lastIndexOf('.') + 1)
                + " - " + e.getFormattedMessage() + (e.getThrowableProxy() != null
                ? " [" + e.getThrowableProxy().getClassName() + ": " + e.getThrowableProxy().getMessage() + "]" : "");
    }

    static String format(List<ILoggingEvent> events) {
        return events.stream().map(LogCapture::format).collect(Collectors.joining("\n  ", "\n  ", ""));
    }

    @Override
    public void close() {
        root.detachAppender(appender);
        appender.stop();
    }
}
