package io.millrace.media.mp4;

import java.util.Arrays;

/**
 * Decode times of a track's samples (track timescale): runs of equal durations, as {@code stts} or
 * {@code trun} give them, each run starting at an absolute time (so a {@code tfdt} jump is just a new
 * run); or, when there are so many runs that a plain array is smaller, one {@code long} per sample.
 */
final class TimeTable {
    private final int[] runStart;
    private final long[] runDts;
    private final long[] runDelta;
    private final long[] plain;

    private TimeTable(int[] runStart, long[] runDts, long[] runDelta, long[] plain) {
        this.runStart = runStart;
        this.runDts = runDts;
        this.runDelta = runDelta;
        this.plain = plain;
    }

    /** From the first {@code runs} runs, of which only samples below {@code n} are used. */
    static TimeTable of(int[] start, long[] dts, long[] delta, int runs, int n) {
        while (runs > 0 && start[runs - 1] >= n) {
            runs--;
        }
        if ((long) runs * 2 <= n) {
            return new TimeTable(Arrays.copyOf(start, runs), Arrays.copyOf(dts, runs), Arrays.copyOf(delta, runs), null);
        }
        long[] plain = new long[n];
        for (int r = 0; r < runs; r++) {
            int to = r + 1 < runs ? Math.min(start[r + 1], n) : n;
            long t = dts[r];
            for (int i = start[r]; i < to; i++) {
                plain[i] = t;
                t += delta[r];
            }
        }
        return new TimeTable(null, null, null, plain);
    }

    long dts(int i) {
        if (plain != null) {
            return plain[i];
        }
        int r = run(i);
        return runDts[r] + (i - runStart[r]) * runDelta[r];
    }

    private int run(int i) {
        int lo = 0;
        int hi = runStart.length - 1;
        while (lo < hi) {
            int mid = (lo + hi + 1) >>> 1;
            if (runStart[mid] <= i) {
                lo = mid;
            } else {
                hi = mid - 1;
            }
        }
        return lo;
    }

    int runCount() {
        return plain != null ? -1 : runStart.length;
    }

    long retainedBytes() {
        return plain != null ? 16L + 8L * plain.length : 48L + 20L * runStart.length;
    }
}
