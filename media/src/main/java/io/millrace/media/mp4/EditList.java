package io.millrace.media.mp4;

import java.util.List;

/**
 * Turns a track's edit list into one shift of its timestamps (track timescale), the cases that
 * matter for streaming:
 * <ul>
 * <li>one edit with media time M ≥ 0 at normal rate: the presentation starts at media time M, so
 *     {@code -M} (ffmpeg writes this for the B-frame delay of H.264 and for AAC/MP3 encoder priming);</li>
 * <li>a leading empty edit (media time -1) of duration D (movie timescale), optionally followed by one
 *     such edit: the track starts D later, so {@code + D} converted to the track timescale (rounded to
 *     nearest, as ffmpeg does) {@code - M}.</li>
 * </ul>
 * Anything else (several media edits, dwells, rates other than 1) is ignored: shift 0, as if the file
 * had no edit list, which is also what nginx-rtmp does. The caller logs that.
 */
final class EditList {
    private static final long RATE_ONE = 0x10000;

    private EditList() {
    }

    /**
     * @param edits {segment duration, media time, rate 16.16} entries
     * @return the shift, or null when the list is not one of the handled forms
     */
    static Long shift(List<long[]> edits, long movieTimescale, long trackTimescale) {
        if (edits.isEmpty()) {
            return 0L;
        }
        int i = 0;
        long empty = 0;
        if (edits.get(0)[1] == -1) {
            empty = edits.get(0)[0];
            i = 1;
            if (movieTimescale <= 0 || empty < 0) {
                return null;
            }
        }
        int left = edits.size() - i;
        if (left > 1) {
            return null;
        }
        long mediaTime = 0;
        if (left == 1) {
            long[] e = edits.get(i);
            if (e[1] < 0 || e[2] != RATE_ONE) {
                return null;
            }
            mediaTime = e[1];
        }
        long emptyInTrack;
        try {
            emptyInTrack = Math.floorDiv(Math.addExact(Math.multiplyExact(empty, trackTimescale), movieTimescale / 2),
                    Math.max(1, movieTimescale));
        } catch (ArithmeticException overflow) {
            return null;
        }
        return emptyInTrack - mediaTime;
    }
}
