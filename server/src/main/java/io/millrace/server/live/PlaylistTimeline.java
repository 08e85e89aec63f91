package io.millrace.server.live;

/**
 * The timeline of a server-side playlist ({@link PlaylistStream}): where each item starts and where its frames
 * land. The playlist is one live stream, so its timestamps only grow: the next item starts one frame after the
 * last video frame of the one before (after the last audio frame for audio only), and no track ever goes back
 * (an item's first audio frames may come a few milliseconds early and are held at the track's last time).
 *
 * <p>Items are spliced on the video: a decoder shows a gap in the video as a freeze, while the audio of two
 * items may overlap by a fraction of a frame without harm. When the audio outlasts the video by more than
 * {@link #MAX_AUDIO_TAIL_MILLIS} the next item waits for it instead. Not thread-safe.
 */
final class PlaylistTimeline {
    static final int AUDIO = 0;
    static final int VIDEO = 1;
    static final int DATA = 2;
    /** Frame durations assumed before two frames of a track have been seen. */
    static final long DEFAULT_VIDEO_FRAME_MILLIS = 40;
    static final long DEFAULT_AUDIO_FRAME_MILLIS = 23;
    /** Audio that goes on this much longer than the video is waited for by the next item. */
    static final long MAX_AUDIO_TAIL_MILLIS = 500;

    private final long[] last = {-1, -1, -1};
    private final long[] duration = new long[3];

    /**
     * Places a frame of {@code track} at {@code ts} on the timeline: never below 0 nor below the track's last
     * frame. Returns the timestamp kept.
     */
    long place(int track, long ts) {
        long out = Math.max(0, ts);
        long before = last[track];
        if (out < before) {
            out = before;
        }
        if (before >= 0 && out > before) {
            duration[track] = out - before;
        }
        last[track] = out;
        return out;
    }

    /** Where the next item's first frame goes: one frame after the end of what was placed (0 at first). */
    long nextStart() {
        long videoEnd = last[VIDEO] < 0 ? -1 : last[VIDEO] + frame(VIDEO, DEFAULT_VIDEO_FRAME_MILLIS);
        long audioEnd = last[AUDIO] < 0 ? -1 : last[AUDIO] + frame(AUDIO, DEFAULT_AUDIO_FRAME_MILLIS);
        long start = videoEnd >= 0 ? videoEnd : audioEnd;
        if (audioEnd > start + MAX_AUDIO_TAIL_MILLIS) {
            start = audioEnd;
        }
        if (last[DATA] >= start) {
            start = last[DATA] + 1;
        }
        return Math.max(0, start);
    }

    private long frame(int track, long fallback) {
        return duration[track] > 0 ? duration[track] : fallback;
    }

    /** The last timestamp placed on {@code track}, or -1. */
    long last(int track) {
        return last[track];
    }

    /** The furthest timestamp placed on any track, or -1. */
    long furthest() {
        return Math.max(last[AUDIO], Math.max(last[VIDEO], last[DATA]));
    }

    void copyFrom(PlaylistTimeline other) {
        System.arraycopy(other.last, 0, last, 0, 3);
        System.arraycopy(other.duration, 0, duration, 0, 3);
    }

    void clear() {
        java.util.Arrays.fill(last, -1);
        java.util.Arrays.fill(duration, 0);
    }

    static int trackOf(int messageType) {
        return messageType == io.millrace.media.MediaFrame.AUDIO ? AUDIO
                : messageType == io.millrace.media.MediaFrame.VIDEO ? VIDEO : DATA;
    }
}
