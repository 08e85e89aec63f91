package io.millrace.server.live;

/**
 * Maps a publisher's 32-bit timestamps onto one stream timeline that starts at 0, never goes backwards
 * within a track, and continues across publishers: when an encoder reconnects its timestamps may start again
 * at 0 (or anywhere), and the viewers who stayed see the new frames follow the old ones.
 *
 * <p>Within a publication, timestamps are unwrapped with serial-number arithmetic (a step of less than 2^31
 * either way), so extended timestamps past 0xFFFFFF and the wrap past 2^32 are continuous. A step that moves
 * more than {@link #MAX_BACKWARD_MILLIS} behind, or {@link #MAX_FORWARD_MILLIS} ahead of, the furthest point
 * reached is a discontinuity (an encoder that jumped): the timeline continues from that furthest point.
 * Smaller backward steps are the normal interleaving of audio and video and are kept; a track's own
 * timestamps are clamped so that they never decrease. Not thread-safe: the stream calls it under its lock.
 */
final class LiveTimeline {
    /** Audio and video may interleave out of order by this much (some encoders buffer audio ~1 s). */
    static final long MAX_BACKWARD_MILLIS = 2_000;
    /** A gap longer than this in a running publication is a jump, not a pause. */
    static final long MAX_FORWARD_MILLIS = 10_000;
    /** Between the last frame of one publication and the first of the next. */
    static final long REPUBLISH_GAP_MILLIS = 40;

    private boolean started;
    private long last32;
    /** The publication's unwrapped timestamp plus this offset is the stream timestamp. */
    private long offset;
    private long unwrapped;
    private long furthest = -1;
    private final long[] lastByTrack = {-1, -1, -1};
    private long discontinuities;

    /** The next frame starts a new publication: it follows whatever was published before. */
    void newPublication() {
        started = false;
    }

    /**
     * @param track 0 audio, 1 video, 2 data
     * @param timestamp32 the publisher's timestamp (unsigned 32 bits)
     * @return the stream timestamp, at least 0
     */
    long map(int track, long timestamp32) {
        long ts = timestamp32 & 0xFFFFFFFFL;
        if (!started) {
            started = true;
            last32 = ts;
            unwrapped = ts;
            long start = furthest < 0 ? 0 : furthest + REPUBLISH_GAP_MILLIS;
            offset = start - unwrapped;
        } else {
            int step = (int) (ts - last32);
            last32 = ts;
            unwrapped += step;
        }
        long out = unwrapped + offset;
        if (furthest >= 0 && (out < furthest - MAX_BACKWARD_MILLIS || out > furthest + MAX_FORWARD_MILLIS)) {
            discontinuities++;
            offset = furthest - unwrapped;
            out = furthest;
        }
        if (out < 0) {
            out = 0;
        }
        if (out < lastByTrack[track]) {
            out = lastByTrack[track];
        }
        lastByTrack[track] = out;
        if (out > furthest) {
            furthest = out;
        }
        return out;
    }

    /** The furthest point reached (or -1 before the first frame). */
    long furthest() {
        return furthest;
    }

    long discontinuities() {
        return discontinuities;
    }
}
