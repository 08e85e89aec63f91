package io.millrace.server.live;

import io.millrace.amf.AmfObject;
import io.millrace.media.FrameRef;
import io.millrace.media.MediaFrame;
import io.millrace.media.MediaReader;
import io.netty.buffer.ByteBufAllocator;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads one playlist item: from the keyframe at or before its start to its end (of the file or of its
 * length), its frames moved onto the playlist's timeline so that the item begins at {@code base}. Video frames
 * before the first keyframe and AVC/HEVC end-of-sequence markers are left out (the live stream goes on after
 * the item). One thread.
 */
final class PlaylistItemReader implements AutoCloseable {
    private final PlaylistItem item;
    private final MediaReader reader;
    private final long fileStart;
    private final long fileEnd;
    private final long base;
    private final FrameRef ref = new FrameRef();
    private boolean waitKeyframe;
    private boolean done;

    private PlaylistItemReader(PlaylistItem item, MediaReader reader, long fileStart, long base) {
        this.item = item;
        this.reader = reader;
        this.fileStart = fileStart;
        this.fileEnd = item.lengthMs() < 0 ? -1 : Math.max(item.startMs(), fileStart) + item.lengthMs();
        this.base = base;
        this.waitKeyframe = item.index().hasVideo();
    }

    /** Opens the item's file at the keyframe at or before its start; its first frame will be at {@code base}. */
    static PlaylistItemReader open(PlaylistItem item, long base) throws IOException {
        MediaReader reader = item.index().openReader();
        try {
            long at = reader.seek(item.startMs());
            return new PlaylistItemReader(item, reader, at, base);
        } catch (IOException | RuntimeException e) {
            reader.close();
            throw e;
        }
    }

    PlaylistItem item() {
        return item;
    }

    /** Where the item begins on the playlist's timeline. */
    long base() {
        return base;
    }

    /** The keyframe the item starts from, in the file's own time. */
    long fileStart() {
        return fileStart;
    }

    /** The item's onMetaData (a fresh copy). */
    AmfObject metadata() {
        return item.index().metadata();
    }

    /** The item's sequence headers at {@code base} (AVC first, then AAC), owned by the caller. */
    List<MediaFrame> configFrames(ByteBufAllocator alloc) throws IOException {
        List<MediaFrame> in = reader.configFrames(alloc);
        List<MediaFrame> out = new ArrayList<>(in.size());
        for (MediaFrame f : in) {
            out.add(new MediaFrame(f.type(), base, false, true, f.content()));
        }
        return out;
    }

    /**
     * The next frame, in a buffer of its own that the caller owns, with its timestamp on the playlist timeline
     * (placed on {@code timeline}), or null when the item is over.
     */
    MediaFrame next(PlaylistTimeline timeline, ByteBufAllocator alloc) throws IOException {
        while (!done) {
            if (!reader.next(ref, alloc)) {
                done = true;
                break;
            }
            long ts = ref.timestamp();
            boolean media = ref.isAudio() || ref.isVideo();
            if (fileEnd >= 0 && ts > fileEnd && media) {
                done = true;
                break;
            }
            if (ref.isVideo() && !ref.isConfig()) {
                if (isEndOfSequence(ref)) {
                    continue;
                }
                if (waitKeyframe) {
                    if (!ref.isKeyframe()) {
                        continue;
                    }
                    waitKeyframe = false;
                }
            }
            MediaFrame copy = ref.toFrame(alloc);
            ref.clear();
            long placed = timeline.place(PlaylistTimeline.trackOf(copy.type()), base + (ts - fileStart));
            return new MediaFrame(copy.type(), placed, copy.isKeyframe(), copy.isConfig(), copy.content());
        }
        ref.clear();
        return null;
    }

    /** Lets go of the reader's read-ahead window while the playlist waits. */
    void idle() {
        reader.idle();
    }

    /** AVC or HEVC end of sequence (packet type 2), or Enhanced RTMP SequenceEnd. */
    static boolean isEndOfSequence(FrameRef f) {
        if (f.payloadLength() < 1) {
            return false;
        }
        int b0 = byteAt(f, 0);
        if ((b0 & 0x80) != 0) {
            return (b0 & 0x0F) == 2;
        }
        int codec = b0 & 0x0F;
        return (codec == 7 || codec == 12 || codec == 13) && f.payloadLength() >= 2 && byteAt(f, 1) == 2;
    }

    private static int byteAt(FrameRef f, int i) {
        int p = f.prefixLength();
        if (i < p) {
            return (int) (f.prefix() >>> (8 * (p - 1 - i))) & 0xFF;
        }
        return f.data().getUnsignedByte(f.index() + i - p);
    }

    @Override
    public void close() {
        done = true;
        ref.clear();
        try {
            reader.close();
        } catch (IOException e) {
            // nothing to do: the file was only read
        }
    }
}
