package io.millrace.server.live;

import io.millrace.media.MediaIndex;

/**
 * One item of a server-side playlist: a file as the application named it, its index, and what part to play.
 *
 * @param file     the name as given to {@code ServerStream.play} ({@code sample}, {@code mp4:movie.mp4})
 * @param startMs  where to start in the file (the keyframe at or before it), milliseconds
 * @param lengthMs how much to play from there, milliseconds; -1 to the end
 */
record PlaylistItem(String file, MediaIndex index, long startMs, long lengthMs) {
}
