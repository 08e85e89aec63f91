package io.millrace.server.net;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

class FloodLogTest {
    private final Logger log = (Logger) LoggerFactory.getLogger("flood-log-test");
    private final ListAppender<ILoggingEvent> appender = new ListAppender<>();
    private long now = 1_000_000_000L;
    private final FloodLog flood = new FloodLog(3, () -> now);

    @BeforeEach
    void capture() {
        appender.setContext((LoggerContext) LoggerFactory.getILoggerFactory());
        appender.start();
        log.addAppender(appender);
        log.setLevel(Level.INFO);
    }

    @AfterEach
    void release() {
        log.detachAppender(appender);
    }

    private List<String> lines() {
        return appender.list.stream().map(e -> e.getLevel() + " " + e.getFormattedMessage()).toList();
    }

    private void advance(long millis) {
        now += TimeUnit.MILLISECONDS.toNanos(millis);
    }

    @Test
    void aFewLinesASecondPerReasonThenOneSummary() {
        for (int i = 0; i < 10; i++) {
            flood.info(log, "handshake timeout", "closing client 10.0.0.{}:1: handshake not completed", i);
            advance(10);
        }
        flood.warn(log, "protocol error", "closing client 10.0.0.99:1: protocol error: {}", "bad");
        assertThat(lines()).containsExactly(
                "INFO closing client 10.0.0.0:1: handshake not completed",
                "INFO closing client 10.0.0.1:1: handshake not completed",
                "INFO closing client 10.0.0.2:1: handshake not completed",
                "WARN closing client 10.0.0.99:1: protocol error: bad");
        flood.flush(); // the second is not over: nothing yet
        assertThat(lines()).hasSize(4);
        advance(1000);
        flood.flush();
        assertThat(lines()).hasSize(5);
        assertThat(lines().get(4)).startsWith("INFO handshake timeout: 7 more not logged one by one in the last 1.")
                .endsWith("(the last: closing client 10.0.0.9:1: handshake not completed)");
        flood.flush();
        assertThat(lines()).as("nothing more to say").hasSize(5);
        // A new second: lines one by one again.
        flood.info(log, "handshake timeout", "closing client 10.0.0.10:1: handshake not completed");
        assertThat(lines()).hasSize(6);
    }

    @Test
    void aSummaryDueComesBeforeTheNextLineWithoutAFlush() {
        for (int i = 0; i < 5; i++) {
            flood.info(log, "r", "line {}", i);
        }
        advance(1500);
        flood.info(log, "r", "line {}", 5);
        assertThat(lines()).containsExactly("INFO line 0", "INFO line 1", "INFO line 2",
                "INFO r: 2 more not logged one by one in the last 1.5 s (the last: line 4)", "INFO line 5");
    }

    @Test
    void unlimitedLogsEverything() {
        for (int i = 0; i < 100; i++) {
            FloodLog.UNLIMITED.info(log, "r", "line {}", i);
        }
        assertThat(lines()).hasSize(100);
    }
}
