package io.millrace.media;

import io.millrace.amf.AmfObject;

import java.io.IOException;
import java.nio.file.Path;

/**
 * What the server needs to know about one media file before it plays it, built once and cached by
 * path, size and modification time ({@link MediaIndexCache}). Immutable and thread-safe; compact
 * (primitive arrays, not an object per frame), because thousands may be cached.
 *
 * <p>Building an index never reads the media data itself (only headers, sample tables, a scan of tag
 * or frame headers). A file whose structure is broken fails to build with {@link MediaFormatException}
 * and a description fit for NetStream.Play.FileStructureInvalid.
 */
public interface MediaIndex {

    Path path();

    long fileSize();

    long lastModifiedMillis();

    /** Duration in milliseconds. */
    long durationMs();

    /** The onMetaData object to send to players (a fresh copy each call: callers may not share it). */
    AmfObject metadata();

    boolean hasVideo();

    boolean hasAudio();

    /**
     * Why a classic RTMP client cannot play this file (e.g. "HEVC video needs Enhanced RTMP"), or null
     * when it can. Such a file still has its metadata, but the server refuses to play it.
     */
    default String unsupportedReason() {
        return null;
    }

    /**
     * The timestamp of the seek point (video keyframe; for audio-only files any frame) at or before
     * {@code ms}; the first frame's timestamp when {@code ms} lies before it, the last seek point's when
     * it lies past the end.
     */
    long seekPointAtOrBefore(long ms);

    /** Opens an independent reader (one per playing stream); the caller closes it. */
    MediaReader openReader() throws IOException;

    /**
     * Approximate heap bytes this index holds (its tables plus a fixed allowance for the metadata and the
     * objects around them), by which {@link MediaIndexCache} bounds its memory.
     */
    long retainedBytes();

    /** What {@link #retainedBytes()} allows for an index's metadata, path and other small objects. */
    long FIXED_BYTES = 4096;
}
