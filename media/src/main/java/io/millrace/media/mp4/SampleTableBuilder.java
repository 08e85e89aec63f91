package io.millrace.media.mp4;

import io.millrace.media.MediaFormatException;

import java.util.Arrays;

/**
 * Collects one track's samples while its {@code stbl} and then its movie fragments are read, in
 * growable primitive arrays, and packs them into an immutable {@link Mp4Track}.
 *
 * <p>The {@code stbl} reader fills the arrays in bulk ({@link #reserve}, then the package fields); the
 * fragment reader appends with {@link #add}.
 */
final class SampleTableBuilder {
    /** At most this many samples per track (about 3 days of 60 fps video, 4 days of 48 kHz AAC). */
    static final int MAX_SAMPLES = 1 << 24;
    /** An RTMP message carries at most 2^24 - 1 bytes, tag header included. */
    static final int MAX_SAMPLE_SIZE = 0xFFFFFF - 5;
    /** Decode times must stay well inside what {@code x * 1000} can hold. */
    private static final long MAX_TIME = 1L << 52;

    int n;
    long[] offsets = new long[0];
    int[] sizes = new int[0];
    /** Composition offsets, null while all are 0. */
    int[] cto;

    /** Sync samples (0-based, ascending) unless {@link #allSync}. */
    int[] keys = new int[0];
    int keyCount;
    boolean allSync = true;

    private int[] runStart = new int[4];
    private long[] runDts = new long[4];
    private long[] runDelta = new long[4];
    private int runs;
    private long maxTime;

    /** Grows the sample arrays to hold {@code count} samples in all. */
    void reserve(int count) {
        if (count > offsets.length) {
            int cap = (int) Math.min(MAX_SAMPLES, Math.max(count, offsets.length + (offsets.length >> 1) + 16L));
            offsets = Arrays.copyOf(offsets, cap);
            sizes = Arrays.copyOf(sizes, cap);
            if (cto != null) {
                cto = Arrays.copyOf(cto, cap);
            }
        }
    }

    /** Decode time of the sample that would come next (end of the last run), 0 when empty. */
    long nextDts() {
        if (runs == 0) {
            return 0;
        }
        int r = runs - 1;
        return runDts[r] + (n - runStart[r]) * runDelta[r];
    }

    /**
     * Records that samples from {@code start} on start at {@code dts} and last {@code delta} each, merging
     * with the current run when they continue it.
     */
    void timeRun(int start, long dts, long delta) throws MediaFormatException {
        if (runs > 0) {
            int r = runs - 1;
            if (runDelta[r] == delta && runDts[r] + (start - runStart[r]) * delta == dts) {
                return;
            }
            if (runStart[r] == start) {
                runs--;
            } else {
                checkTime(runDts[r] + (start - runStart[r]) * runDelta[r], start);
            }
        }
        checkTime(dts, start);
        if (runs == runStart.length) {
            int cap = runs * 2;
            runStart = Arrays.copyOf(runStart, cap);
            runDts = Arrays.copyOf(runDts, cap);
            runDelta = Arrays.copyOf(runDelta, cap);
        }
        runStart[runs] = start;
        runDts[runs] = dts;
        runDelta[runs] = delta;
        runs++;
    }

    /** Checks a run's start or end (runs are monotonic in between) and keeps the largest magnitude. */
    private void checkTime(long t, int sample) throws MediaFormatException {
        if (t > MAX_TIME || t < -MAX_TIME) {
            throw new MediaFormatException("decode time " + t + " at sample " + (sample + 1) + " is out of range");
        }
        maxTime = Math.max(maxTime, Math.abs(t));
    }

    /** Checks the end of the timeline once all runs are known. */
    private void checkTimes() throws MediaFormatException {
        if (runs > 0) {
            checkTime(nextDts(), n);
        }
    }

    /** Appends one sample (movie fragments). */
    void add(long offset, long size, long dts, long duration, int compositionOffset, boolean key)
            throws MediaFormatException {
        if (n >= MAX_SAMPLES) {
            throw new MediaFormatException("more than " + MAX_SAMPLES + " samples in one track");
        }
        checkSize(size, n);
        reserve(n + 1);
        timeRun(n, dts, duration);
        offsets[n] = offset;
        sizes[n] = (int) size;
        if (compositionOffset != 0 && cto == null) {
            cto = new int[offsets.length];
        }
        if (cto != null) {
            cto[n] = compositionOffset;
        }
        if (allSync && !key) {
            allSync = false;
            keys = new int[Math.max(16, n + 16)];
            for (int i = 0; i < n; i++) {
                keys[i] = i;
            }
            keyCount = n;
        } else if (!allSync && key) {
            if (keyCount == keys.length) {
                keys = Arrays.copyOf(keys, keyCount * 2 + 16);
            }
            keys[keyCount++] = n;
        }
        n++;
    }

    static void checkSize(long size, int index) throws MediaFormatException {
        if (size < 0 || size > MAX_SAMPLE_SIZE) {
            throw new MediaFormatException("sample " + (index + 1) + " is " + size
                    + " bytes, more than an RTMP message can carry");
        }
    }

    /**
     * Packs the table. Samples from the first one whose bytes do not lie inside the file on are dropped
     * (a file cut short inside its media data plays up to there).
     */
    Mp4Track finish(int trackId, long timescale, long shift, SampleEntry entry, long fileSize) throws MediaFormatException {
        checkTimes();
        int cut = 0;
        while (cut < n && offsets[cut] >= 0 && offsets[cut] + sizes[cut] <= fileSize) {
            cut++;
        }
        if (Math.abs(shift) > MAX_TIME - maxTime) {
            throw new MediaFormatException("edit list shift " + shift + " is out of range");
        }
        int[] keyArray = null;
        if (!allSync) {
            int k = 0;
            while (k < keyCount && keys[k] < cut) {
                k++;
            }
            keyArray = Arrays.copyOf(keys, k);
        }
        long endDts = 0;
        if (cut > 0) {
            int r = runs - 1;
            while (runStart[r] > cut - 1) {
                r--;
            }
            endDts = runDts[r] + (cut - runStart[r]) * runDelta[r];
        }
        TimeTable times = TimeTable.of(runStart, runDts, runDelta, runs, cut);
        return new Mp4Track(trackId, timescale, shift, entry, cut, n - cut, OffsetTable.of(offsets, cut),
                sizes.length == cut ? sizes : Arrays.copyOf(sizes, cut), times,
                cto == null ? null : Arrays.copyOf(cto, cut), keyArray, endDts);
    }
}
