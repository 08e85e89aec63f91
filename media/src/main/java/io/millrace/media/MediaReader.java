package io.millrace.media;

import io.netty.buffer.ByteBufAllocator;

import java.io.Closeable;
import java.io.IOException;
import java.util.List;

/**
 * Reads one media file's frames in timestamp order (audio and video interleaved by decode timestamp),
 * one frame at a time, with positional reads: never the whole file. Used by one stream on one thread.
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
     * The next frame in decode-timestamp order, or null at the end of the file. A file truncated inside
     * its media data ends at its last complete frame (null), not with an exception. The caller owns the
     * returned frame. Config frames met in the middle of a file (a codec change) are returned too.
     */
    MediaFrame next(ByteBufAllocator alloc) throws IOException;
}
