package io.millrace.bench.live;

import java.util.Arrays;

/**
 * A fixed-bucket histogram of non-negative durations in microseconds, in the manner of HdrHistogram: values
 * below 2048 µs have a bucket each; above, every power of two is split into 1024 equal buckets, so a
 * reported value is at most 1/1024 (0.1 %) above the true one. Values from 0 to 2^32 - 1 µs (71 minutes)
 * fit; larger ones count in the top bucket. 23,552 counters (184 KiB), whatever the number of values.
 *
 * <p>Exact count, min, max and sum are kept besides. Not thread-safe: one histogram per event-loop thread,
 * {@linkplain #add merged} when the run is over.
 */
final class MicrosHistogram {
    private static final int SUB_BITS = 11;
    private static final int SUB_COUNT = 1 << SUB_BITS; // 2048
    private static final int HALF = SUB_COUNT / 2; // 1024
    /** Largest value kept apart: 2^32 - 1 µs. */
    static final long MAX_VALUE = (1L << 32) - 1;
    static final int BUCKETS = SUB_COUNT + (32 - SUB_BITS) * HALF;

    private final long[] counts = new long[BUCKETS];
    private long count;
    private long min = Long.MAX_VALUE;
    private long max = Long.MIN_VALUE;
    private long sum;

    /** Records one value (negative values count as 0, values above {@link #MAX_VALUE} as that). */
    void record(long micros) {
        long v = Math.max(0, Math.min(MAX_VALUE, micros));
        counts[index(v)]++;
        count++;
        sum += v;
        if (v < min) {
            min = v;
        }
        if (v > max) {
            max = v;
        }
    }

    static int index(long v) {
        if (v < SUB_COUNT) {
            return (int) v;
        }
        int shift = 63 - Long.numberOfLeadingZeros(v) - (SUB_BITS - 1); // v >> shift is in [1024, 2047]
        return SUB_COUNT + (shift - 1) * HALF + (int) ((v >> shift) - HALF);
    }

    /** The largest value that falls into bucket {@code index}. */
    static long highestInBucket(int index) {
        if (index < SUB_COUNT) {
            return index;
        }
        int shift = (index - SUB_COUNT) / HALF + 1;
        long mantissa = (index - SUB_COUNT) % HALF + HALF;
        return ((mantissa + 1) << shift) - 1;
    }

    long count() {
        return count;
    }

    /** Exact minimum, or -1 when empty. */
    long min() {
        return count == 0 ? -1 : min;
    }

    /** Exact maximum, or -1 when empty. */
    long max() {
        return count == 0 ? -1 : max;
    }

    double mean() {
        return count == 0 ? Double.NaN : (double) sum / count;
    }

    /**
     * The nearest-rank percentile ({@code 0 < p <= 100}): the highest value of the bucket holding the
     * value of rank ceil(p/100 × count), capped at the exact maximum; -1 when empty.
     */
    long percentile(double p) {
        if (count == 0) {
            return -1;
        }
        long rank = Math.max(1, (long) Math.ceil(p / 100.0 * count));
        long seen = 0;
        for (int i = 0; i < BUCKETS; i++) {
            seen += counts[i];
            if (seen >= rank) {
                return Math.min(max, Math.max(min, highestInBucket(i)));
            }
        }
        return max;
    }

    /** Adds every value of {@code other} to this histogram. */
    void add(MicrosHistogram other) {
        for (int i = 0; i < BUCKETS; i++) {
            counts[i] += other.counts[i];
        }
        count += other.count;
        sum += other.sum;
        min = Math.min(min, other.min);
        max = Math.max(max, other.max);
    }

    /** A copy (to hand a loop's histogram to another thread). */
    MicrosHistogram copy() {
        MicrosHistogram h = new MicrosHistogram();
        h.add(this);
        return h;
    }

    void reset() {
        Arrays.fill(counts, 0);
        count = 0;
        sum = 0;
        min = Long.MAX_VALUE;
        max = Long.MIN_VALUE;
    }
}
