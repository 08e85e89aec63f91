package io.millrace.api;

/**
 * A live stream the server makes from files (FMS's server-side {@code Stream}): a playlist whose items play
 * one after the other, in real time, as one continuous live stream with growing timestamps. Viewers play it
 * by its name like any live stream; at each new item they get {@code NetStream.Play.Switch} (appended) or
 * {@code NetStream.Play.Reset} (after a reset).
 */
public interface ServerStream {

    String name();

    /**
     * Adds a file to the playlist (FMS's {@code Stream.play(name, start, length, reset)}).
     *
     * @param file    a name as the vod application takes it ({@code sample}, {@code mp4:movie.mp4}), resolved in
     *                the media folder
     * @param start   where to start in the file, seconds (0: the beginning)
     * @param length  how long to play, seconds (-1: to the end)
     * @param reset   true: drop what is queued and what plays now, and play this at once; false: append
     * @throws IllegalArgumentException when the file does not exist or cannot be read
     */
    void play(String file, double start, double length, boolean reset);

    /** Stops and clears the playlist; viewers stay subscribed (and get {@code UnpublishNotify}). */
    void stop();

    /** True while an item plays. */
    boolean isPlaying();

    /** Registers a listener for the playlist's progress; it runs on the instance's executor. */
    void addListener(Listener listener);

    /** What the application hears about the playlist. */
    interface Listener {
        /** An item began. */
        default void onItemStart(String file) {
        }

        /** The playlist ran out (the last item ended). */
        default void onPlaylistEnd() {
        }
    }
}
