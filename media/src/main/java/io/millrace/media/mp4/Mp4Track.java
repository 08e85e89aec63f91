package io.millrace.media.mp4;

import java.util.Arrays;

/**
 * One track's samples, immutable and compact: file offsets ({@link OffsetTable}), sizes, decode times
 * ({@link TimeTable}), composition offsets when the track has any, and sync samples (null = all).
 *
 * <p>Times: a sample's RTMP timestamp is {@code ms(dts + shift) + lead} and its presentation time
 * {@code ms(dts + cto + shift) + lead}, where {@code ms(x) = round(x * 1000 / timescale)} (half up,
 * 64-bit), {@code shift} is the edit list's (track timescale) and {@code lead} (ms) is the same for every
 * track of the file: just enough to keep the earliest decode time at 0 when the edit list moves some
 * before it (B-frame delay, AAC priming), as ffmpeg's FLV muxer does. Every relative time, A/V sync
 * included, stays exact, and decode times stay strictly increasing.
 */
final class Mp4Track {
    final int trackId;
    final long timescale;
    final long shift;
    final SampleEntry entry;
    private final int count;
    private final int dropped;
    private final OffsetTable offsets;
    private final int[] sizes;
    private final TimeTable times;
    private final int[] cto;
    private final int[] keys;
    private final long endDts;
    private final long lead;

    Mp4Track(int trackId, long timescale, long shift, SampleEntry entry, int count, int dropped, OffsetTable offsets,
             int[] sizes, TimeTable times, int[] cto, int[] keys, long endDts) {
        this(trackId, timescale, shift, entry, count, dropped, offsets, sizes, times, cto, keys, endDts, 0);
    }

    private Mp4Track(int trackId, long timescale, long shift, SampleEntry entry, int count, int dropped, OffsetTable offsets,
                     int[] sizes, TimeTable times, int[] cto, int[] keys, long endDts, long lead) {
        this.trackId = trackId;
        this.timescale = timescale;
        this.shift = shift;
        this.entry = entry;
        this.count = count;
        this.dropped = dropped;
        this.offsets = offsets;
        this.sizes = sizes;
        this.times = times;
        this.cto = cto;
        this.keys = keys;
        this.endDts = endDts;
        this.lead = lead;
    }

    /** This track with every time moved later by {@code leadMs} (shares the tables). */
    Mp4Track withLead(long leadMs) {
        return new Mp4Track(trackId, timescale, shift, entry, count, dropped, offsets, sizes, times, cto, keys, endDts, leadMs);
    }

    /** The first sample's decode time after the edit list, before the lead: negative when the edit moved it before 0. */
    long firstDecodeMs() {
        return count == 0 ? 0 : ms(times.dts(0) + shift);
    }

    int count() {
        return count;
    }

    /** Samples left out because their bytes lie past the end of the file. */
    int dropped() {
        return dropped;
    }

    long offset(int i) {
        return offsets.get(i);
    }

    int size(int i) {
        return sizes[i];
    }

    long dts(int i) {
        return times.dts(i);
    }

    int compositionOffset(int i) {
        return cto == null ? 0 : cto[i];
    }

    boolean isKey(int i) {
        return keys == null || Arrays.binarySearch(keys, i) >= 0;
    }

    /** Number of sync samples. */
    int keyCount() {
        return keys == null ? count : keys.length;
    }

    long ms(long t) {
        return Math.floorDiv(t * 1000 + timescale / 2, timescale);
    }

    /** RTMP timestamp of sample {@code i}, ms. */
    long timestampMs(int i) {
        return ms(times.dts(i) + shift) + lead;
    }

    /** Presentation time of sample {@code i}, ms. */
    long ptsMs(int i) {
        return ms(times.dts(i) + compositionOffset(i) + shift) + lead;
    }

    /** AVC CompositionTime of sample {@code i}: presentation time minus timestamp, clamped to SI24. */
    int compositionTimeMs(int i) {
        long c = ptsMs(i) - timestampMs(i);
        return (int) Math.max(-0x800000, Math.min(0x7FFFFF, c));
    }

    /** End of the last sample (its decode time plus duration) on the RTMP timeline, ms. */
    long endMs() {
        return count == 0 ? 0 : ms(endDts + shift) + lead;
    }

    /** Sum of the sample durations, seconds. */
    double durationSeconds() {
        return count == 0 ? 0 : (double) (endDts - times.dts(0)) / timescale;
    }

    /** The last sample whose timestamp is at or before {@code ms}, or -1. */
    int sampleAtOrBefore(long ms) {
        int lo = 0;
        int hi = count - 1;
        int found = -1;
        while (lo <= hi) {
            int mid = (lo + hi) >>> 1;
            if (timestampMs(mid) <= ms) {
                found = mid;
                lo = mid + 1;
            } else {
                hi = mid - 1;
            }
        }
        return found;
    }

    /** The first sample whose timestamp is at or after {@code ms}, or {@link #count()}. */
    int firstSampleAtOrAfter(long ms) {
        int lo = 0;
        int hi = count;
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (timestampMs(mid) < ms) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        return lo;
    }

    /**
     * The first of the samples that share the timestamp of the last sample at or before {@code ms}
     * (so that samples clamped to the same time are not skipped), or -1.
     */
    int startSampleAtOrBefore(long ms) {
        int i = sampleAtOrBefore(ms);
        return i < 0 ? -1 : firstSampleAtOrAfter(timestampMs(i));
    }

    /** The last sync sample whose timestamp is at or before {@code ms}, or -1. */
    int keyframeAtOrBefore(long ms) {
        if (keys == null) {
            return startSampleAtOrBefore(ms);
        }
        int lo = 0;
        int hi = keys.length - 1;
        int found = -1;
        while (lo <= hi) {
            int mid = (lo + hi) >>> 1;
            if (timestampMs(keys[mid]) <= ms) {
                found = keys[mid];
                lo = mid + 1;
            } else {
                hi = mid - 1;
            }
        }
        return found;
    }

    /** Approximate heap bytes held by the tables. */
    long retainedBytes() {
        return 96 + offsets.retainedBytes() + 16L + 4L * sizes.length + times.retainedBytes()
                + (cto == null ? 0 : 16L + 4L * cto.length) + (keys == null ? 0 : 16L + 4L * keys.length);
    }

    @Override
    public String toString() {
        return "track " + trackId + " (" + entry.fourcc + ", " + count + " samples, timescale " + timescale
                + ", shift " + shift + ")";
    }
}
