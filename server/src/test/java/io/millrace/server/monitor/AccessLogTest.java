package io.millrace.server.monitor;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.List;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

class AccessLogTest {
    @TempDir
    Path dir;

    /** A clock the test moves. */
    private static final class TestClock extends Clock {
        volatile Instant now = Instant.parse("2026-11-24T23:59:58Z");

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }
    }

    private List<Path> files() throws Exception {
        try (Stream<Path> s = Files.list(dir)) {
            return s.sorted().toList();
        }
    }

    private static List<String> lines(Path p) throws Exception {
        return Files.readAllLines(p, StandardCharsets.UTF_8);
    }

    @Test
    void writesW3cHeadersAndOneTabSeparatedLinePerEventWithFmsFieldNames() throws Exception {
        TestClock clock = new TestClock();
        AccessLog log = AccessLog.open(dir, 1 << 20, 10, clock, "Millrace 9.9", "127.0.0.1");
        log.write(log.entry("connect", "session").set(AccessLog.Field.X_APP, "vod").set(AccessLog.Field.X_STATUS, 200)
                .set(AccessLog.Field.C_CLIENT_ID, "7").set(AccessLog.Field.CS_BYTES, 3073L));
        log.close();

        assertThat(files()).extracting(p -> p.getFileName().toString()).containsExactly("access.2026112400.log");
        List<String> l = lines(files().get(0));
        assertThat(l.get(0)).isEqualTo("#Software: Millrace 9.9");
        assertThat(l.get(1)).isEqualTo("#Version: 1.0");
        assertThat(l.get(2)).isEqualTo("#Date: 2026-11-24 23:59:58");
        assertThat(l.get(3)).startsWith("#Fields: x-event\tx-category\tdate\ttime\ttz\t").contains("\tc-client-id\t")
                .endsWith("\tx-comment");
        assertThat(l).hasSize(5);
        String[] names = l.get(3).substring("#Fields: ".length()).split("\t");
        String[] values = l.get(4).split("\t", -1);
        assertThat(values).hasSameSizeAs(names).hasSize(AccessLog.Field.values().length);
        java.util.Map<String, String> m = new java.util.HashMap<>();
        for (int i = 0; i < names.length; i++) {
            m.put(names[i], values[i]);
        }
        assertThat(m).containsEntry("x-event", "connect").containsEntry("x-category", "session")
                .containsEntry("date", "2026-11-24").containsEntry("time", "23:59:58").containsEntry("tz", "UTC")
                .containsEntry("x-app", "vod").containsEntry("x-status", "200").containsEntry("c-client-id", "7")
                .containsEntry("cs-bytes", "3073").containsEntry("s-ip", "127.0.0.1")
                .containsEntry("x-vhost", "_defaultVHost_").containsEntry("x-sname", "-")
                .containsEntry("x-pid", Long.toString(ProcessHandle.current().pid()));
    }

    @Test
    void aValueCannotSplitAFieldOrALineOrStartAComment() {
        StringBuilder b = new StringBuilder();
        AccessLog.appendSafe(b, "#my stream\tname\n100%\u0001ok");
        assertThat(b.toString()).isEqualTo("%23my%20stream%09name%0a100%25%01ok");
        b.setLength(0);
        AccessLog.appendSafe(b, "a#b");
        assertThat(b.toString()).isEqualTo("a#b");
        b.setLength(0);
        AccessLog.appendSafe(b, "");
        assertThat(b.toString()).isEqualTo("-");
        b.setLength(0);
        AccessLog.appendSafe(b, "名前");
        assertThat(b.toString()).isEqualTo("名前");
    }

    @Test
    void rotatesAtMidnightUtcAndAtTheSizeLimitAndKeepsTheNewestFiles() throws Exception {
        TestClock clock = new TestClock();
        // 1 KB files: a header (~500 bytes) and a few lines each.
        AccessLog log = AccessLog.open(dir, 1024, 3, clock, "Millrace", "0.0.0.0");
        log.write(log.entry("connect", "session").set(AccessLog.Field.C_CLIENT_ID, "1"));
        awaitLines("access.2026112400.log", 1);
        clock.now = Instant.parse("2026-11-25T00:00:01Z");
        log.write(log.entry("disconnect", "session").set(AccessLog.Field.C_CLIENT_ID, "1"));
        awaitLines("access.2026112500.log", 1);
        for (int i = 0; i < 40; i++) {
            log.write(log.entry("play", "stream").set(AccessLog.Field.X_SNAME, "stream-" + i));
        }
        log.close();
        List<String> names = files().stream().map(p -> p.getFileName().toString()).toList();
        assertThat(names).as("3 kept, the newest; the day's sequence counts up").hasSize(3)
                .allMatch(n -> n.matches("access\\.20261125\\d\\d\\.log"));
        int plays = 0;
        for (Path p : files()) {
            assertThat(Files.size(p)).isLessThanOrEqualTo(1024);
            List<String> l = lines(p);
            assertThat(l.get(0)).startsWith("#Software:");
            assertThat(l.get(3)).startsWith("#Fields:");
            plays += (int) l.stream().filter(x -> x.startsWith("play\t")).count();
        }
        assertThat(plays).as("the last plays are in the files kept").isPositive();
        assertThat(lines(files().get(files().size() - 1))).last().asString().contains("stream-39");

        // A restart continues the day's sequence instead of overwriting.
        AccessLog again = AccessLog.open(dir, 1024, 10, clock, "Millrace", "0.0.0.0");
        again.write(again.entry("server-start", "server"));
        again.close();
        String last = files().get(files().size() - 1).getFileName().toString();
        assertThat(last).isGreaterThan(names.get(names.size() - 1));
    }

    private void awaitLines(String file, int events) throws Exception {
        Path p = dir.resolve(file);
        long deadline = System.nanoTime() + 5_000_000_000L;
        while (System.nanoTime() < deadline) {
            if (Files.exists(p) && lines(p).stream().filter(l -> !l.startsWith("#")).count() >= events) {
                return;
            }
            Thread.sleep(10);
        }
        throw new AssertionError("no " + events + " lines in " + file + ": " + files());
    }

    @Test
    void offWritesNothing() {
        AccessLog.OFF.write(AccessLog.OFF.entry("connect", "session"));
        assertThat(AccessLog.OFF.enabled()).isFalse();
        AccessLog.OFF.close();
        assertThat(dir).isEmptyDirectory();
    }
}
