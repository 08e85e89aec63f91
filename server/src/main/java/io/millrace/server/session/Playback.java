package io.millrace.server.session;

/**
 * Something playing on a {@link NetStream}: a file (vod), later a live subscription or a playlist
 * item. Driven by its NetStream on the connection's event loop.
 */
public interface Playback {

    /** Sends the start sequence and begins sending media. */
    void start();

    /** Moves to the keyframe at or before {@code ms}; answers Seek.Notify, Play.Start and the headers. */
    void seek(long ms);

    void pause(boolean pause);

    void receiveAudio(boolean receive);

    void receiveVideo(boolean receive);

    /** The client's buffer length changed. */
    default void bufferLength(long millis) {
    }

    /** The channel can take more bytes: continue sending. */
    void onWritable();

    /** Ends this playback and frees what it holds. No status is sent. Idempotent. */
    void close();

    /** Whether this plays a live stream (for monitoring). */
    default boolean isLive() {
        return false;
    }

    /** The stream name as the client gave it (for logs and status details). */
    String name();

    /** Adds this stream's figures to an access log line: the bytes sent to the client (sc-stream-bytes) and the file played. */
    default void accessFields(io.millrace.server.monitor.AccessLog.Entry entry) {
    }

    /**
     * Adds what waits in the server for this client on this stream to {@code into}: audio messages, video
     * messages, audio bytes, video bytes (FMS's audio/video_queue_msgs and _bytes). Any thread.
     */
    default void queueFigures(long[] into) {
    }
}
