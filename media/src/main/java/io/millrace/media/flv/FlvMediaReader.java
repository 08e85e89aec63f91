package io.millrace.media.flv;

import io.millrace.media.FrameRef;
import io.millrace.media.MediaFrame;
import io.millrace.media.MediaReader;
import io.millrace.media.ReadWindow;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads an FLV file's tags as {@link MediaFrame}s: tags go out as they are (the FLV tag body is the RTMP
 * message body). The first onMetaData tag and the first sequence headers are left out of the stream,
 * because the server sends the completed metadata and {@link #configFrames} itself at start and after
 * every seek; other script tags (cue points and the like) come at their time.
 */
final class FlvMediaReader implements MediaReader {
    private final FlvIndex index;
    private final FlvReader reader;
    private final ReadWindow window;

    FlvMediaReader(FlvIndex index, FlvReader reader) {
        this.index = index;
        this.reader = reader;
        this.window = new ReadWindow(reader.channel());
        reader.seek(index.firstMediaOffset());
    }

    @Override
    public List<MediaFrame> configFrames(ByteBufAllocator alloc) throws IOException {
        List<MediaFrame> out = new ArrayList<>(2);
        try {
            addConfig(out, index.videoSequenceHeaderOffset(), alloc);
            addConfig(out, index.audioSequenceHeaderOffset(), alloc);
        } catch (IOException | RuntimeException e) {
            out.forEach(MediaFrame::release);
            throw e;
        }
        return out;
    }

    private void addConfig(List<MediaFrame> out, long offset, ByteBufAllocator alloc) throws IOException {
        if (offset < 0) {
            return;
        }
        FlvTag tag = reader.readTagAt(offset, alloc);
        if (tag != null) {
            out.add(new MediaFrame(tag.type(), 0, false, true, tag.content()));
        }
    }

    @Override
    public long seek(long ms) throws IOException {
        reader.seek(index.keyframeOffsetAtOrBefore(ms));
        return index.keyframeTimeAtOrBefore(ms);
    }

    /**
     * The tag at the reader's position, lent from the read-ahead window (which reads on from the tag
     * being read, so one read serves the tags of about {@link ReadWindow#DEFAULT_SIZE} bytes of file).
     */
    @Override
    public boolean next(FrameRef ref, ByteBufAllocator alloc) throws IOException {
        while (true) {
            long offset = reader.position();
            if (!window.ensure(offset, FlvTag.HEADER_SIZE, offset + ReadWindow.DEFAULT_SIZE, alloc)) {
                return end(ref);
            }
            ByteBuf b = window.buffer();
            int h = window.indexOf(offset);
            int first = b.getUnsignedByte(h);
            if (!FlvReader.isValidTagStart(first)) {
                reader.invalidTag(offset, first);
                return end(ref);
            }
            int dataSize = b.getUnsignedMedium(h + 1);
            long timestamp = b.getUnsignedMedium(h + 4) | (long) b.getUnsignedByte(h + 7) << 24;
            int tagSize = FlvTag.HEADER_SIZE + dataSize;
            if (!window.ensure(offset, tagSize, offset + Math.max(tagSize, ReadWindow.DEFAULT_SIZE), alloc)) {
                return end(ref); // the file ends inside the tag
            }
            reader.seek(offset + tagSize + FlvTag.TRAILER_SIZE);
            if (offset == index.metadataOffset() || offset == index.videoSequenceHeaderOffset()
                    || offset == index.audioSequenceHeaderOffset()) {
                continue;
            }
            b = window.buffer();
            int at = window.indexOf(offset) + FlvTag.HEADER_SIZE;
            int type = first & 0x1F;
            boolean key = false;
            boolean config = false;
            if (type == FlvTag.VIDEO) {
                key = TagBits.videoKeyframe(b, at, dataSize);
                config = TagBits.videoSequenceHeader(b, at, dataSize);
            } else if (type == FlvTag.AUDIO) {
                config = TagBits.audioSequenceHeader(b, at, dataSize);
            }
            ref.set(type, timestamp, key, config, 0, 0, b, at, dataSize);
            return true;
        }
    }

    private boolean end(FrameRef ref) {
        ref.clear();
        return false;
    }

    @Override
    public void idle() {
        window.release();
    }

    @Override
    public void close() throws IOException {
        window.release();
        reader.close();
    }
}
