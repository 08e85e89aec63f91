package io.millrace.bench.live;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** CPU time and resident memory of processes, from Linux's /proc. Every reader returns -1 when it cannot read. */
final class ProcStats {
    private static final long TICKS_PER_SECOND = clockTicks();

    private ProcStats() {
    }

    /** The kernel's clock ticks per second (getconf CLK_TCK; 100 when that fails). */
    static long ticksPerSecond() {
        return TICKS_PER_SECOND;
    }

    /** utime + stime of a process (all its threads) from /proc/PID/stat, in ns; {@code "self"} for this JVM. */
    static long cpuNanos(String pid) {
        try {
            String stat = Files.readString(Path.of("/proc", pid, "stat"), StandardCharsets.US_ASCII);
            // The command name (field 2) is in parentheses and may hold spaces: fields resume after the last ')'.
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).trim().split(" +");
            long ticks = Long.parseLong(f[11]) + Long.parseLong(f[12]); // fields 14 (utime) and 15 (stime)
            return ticks * 1_000_000_000L / TICKS_PER_SECOND;
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }

    /** VmRSS of a process from /proc/PID/status, in bytes. */
    static long rssBytes(String pid) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc", pid, "status"), StandardCharsets.US_ASCII)) {
                if (line.startsWith("VmRSS:")) {
                    String[] f = line.substring(6).trim().split("\\s+");
                    return Long.parseLong(f[0]) * 1024; // kB
                }
            }
            return -1;
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }

    /** {@link #cpuNanos} summed over the pids; -1 if the list is empty or any pid is unreadable. */
    static long cpuNanos(List<Long> pids) {
        if (pids.isEmpty()) {
            return -1;
        }
        long sum = 0;
        for (long pid : pids) {
            long c = cpuNanos(String.valueOf(pid));
            if (c < 0) {
                return -1;
            }
            sum += c;
        }
        return sum;
    }

    /** {@link #rssBytes} summed over the pids; -1 if the list is empty or any pid is unreadable. */
    static long rssBytes(List<Long> pids) {
        if (pids.isEmpty()) {
            return -1;
        }
        long sum = 0;
        for (long pid : pids) {
            long r = rssBytes(String.valueOf(pid));
            if (r < 0) {
                return -1;
            }
            sum += r;
        }
        return sum;
    }

    /** The soft limit on open files of this process (/proc/self/limits), or -1. */
    static long openFilesLimit() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/limits"), StandardCharsets.US_ASCII)) {
                if (line.startsWith("Max open files")) {
                    String[] f = line.substring("Max open files".length()).trim().split("\\s+");
                    return "unlimited".equals(f[0]) ? Long.MAX_VALUE : Long.parseLong(f[0]);
                }
            }
        } catch (IOException | RuntimeException e) {
            // fall through
        }
        return -1;
    }

    private static long clockTicks() {
        try {
            Process g = new ProcessBuilder("getconf", "CLK_TCK").redirectErrorStream(true).start();
            String s = new String(g.getInputStream().readAllBytes(), StandardCharsets.US_ASCII).trim();
            if (g.waitFor(5, TimeUnit.SECONDS) && g.exitValue() == 0) {
                return Long.parseLong(s);
            }
        } catch (Exception ignored) {
            // fall through
        }
        return 100;
    }
}
