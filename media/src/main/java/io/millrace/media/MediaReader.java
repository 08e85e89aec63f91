package io.millrace.media;

import io.netty.buffer.ByteBufAllocator;

import java.io.Closeable;
import java.io.IOException;
import java.util.List;

/**
 * Reads one media file's frames in timestamp order (audio and video interleaved by decode timestamp),
 * a read-ahead window of frames at a time ({@link ReadWindow}), with positional reads: never the whole
 * file. Used by one stream on one thread.
 */
public interface MediaReader extends Closeable {

    /**
     * The decoder configurations to send before media, at start and after every seek: the AVC (or
     * other video) sequence header first, then the AAC one; empty for formats without any (MP3).
     * Each frame is {@link MediaFrame#isConfig()}; their timestamps are 0; the caller owns (releases) them.
     */
    List<MediaFrame> configFrames(ByteBufAllocator alloc) throws IOException;

    /**
     * Positions the reader at the seek point at or before {@code ms} (see
     * {@link MediaIndex#seekPointAtOrBefore}) and returns its timestamp. The next frame returned is the
     * first one to send from there (audio frames slightly earlier than the keyframe may come first if
     * the file interleaves them so; nothing later than needed is skipped).
     */
    long seek(long ms) throws IOException;

    /**
     * Reads the next frame in decode-timestamp order into {@code ref}, lending its bytes from the reader's
     * read-ahead buffer (valid until the next call on this reader), or returns false at the end of the
     * file. A file truncated inside its media data ends at its last complete frame, not with an exception.
     * Config frames met in the middle of a file (a codec change) are returned too. The read-ahead buffer
     * comes from {@code alloc} and is kept until {@link #idle()} or {@link #close()}.
     */
    boolean next(FrameRef ref, ByteBufAllocator alloc) throws IOException;

    /**
     * The next frame in decode-timestamp order, in a buffer of its own that the caller owns, or null at
     * the end of the file (as {@link #next(FrameRef, ByteBufAllocator)}, plus a copy).
     */
    default MediaFrame next(ByteBufAllocator alloc) throws IOException {
        FrameRef ref = new FrameRef();
        return next(ref, alloc) ? ref.toFrame(alloc) : null;
    }

    /**
     * Lets go of the read-ahead buffer while the stream waits (a paused or paced viewer need not hold
     * one); reading again fetches from the file.
     */
    default void idle() {
    }
}
