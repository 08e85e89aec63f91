package io.millrace.media.mp4;

/**
 * The file offset of every sample of a track in about 4 bytes per sample: one {@code long} base per
 * group of 64 samples plus an unsigned 32-bit distance from it per sample. A track whose samples in
 * one group lie more than 4 GiB apart (not seen in real files) keeps plain 64-bit offsets instead.
 */
final class OffsetTable {
    private static final int GROUP_SHIFT = 6;
    private static final int GROUP = 1 << GROUP_SHIFT;

    private final long[] base;
    private final int[] delta;
    private final long[] plain;

    private OffsetTable(long[] base, int[] delta, long[] plain) {
        this.base = base;
        this.delta = delta;
        this.plain = plain;
    }

    /** Packs the first {@code n} entries of {@code offsets} (all non-negative). */
    static OffsetTable of(long[] offsets, int n) {
        int groups = (n + GROUP - 1) >>> GROUP_SHIFT;
        long[] base = new long[groups];
        int[] delta = new int[n];
        for (int g = 0; g < groups; g++) {
            int from = g << GROUP_SHIFT;
            int to = Math.min(n, from + GROUP);
            long min = Long.MAX_VALUE;
            long max = Long.MIN_VALUE;
            for (int i = from; i < to; i++) {
                min = Math.min(min, offsets[i]);
                max = Math.max(max, offsets[i]);
            }
            if (max - min > 0xFFFFFFFFL) {
                return new OffsetTable(null, null, java.util.Arrays.copyOf(offsets, n));
            }
            base[g] = min;
            for (int i = from; i < to; i++) {
                delta[i] = (int) (offsets[i] - min);
            }
        }
        return new OffsetTable(base, delta, null);
    }

    long get(int i) {
        return plain != null ? plain[i] : base[i >>> GROUP_SHIFT] + (delta[i] & 0xFFFFFFFFL);
    }

    long retainedBytes() {
        return plain != null ? 16L + 8L * plain.length : 32L + 8L * base.length + 4L * delta.length;
    }
}
