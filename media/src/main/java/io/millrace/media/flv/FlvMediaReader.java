package io.millrace.media.flv;

import io.millrace.media.MediaFrame;
import io.millrace.media.MediaReader;
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

    FlvMediaReader(FlvIndex index, FlvReader reader) {
        this.index = index;
        this.reader = reader;
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

    @Override
    public MediaFrame next(ByteBufAllocator alloc) throws IOException {
        FlvTag tag;
        while ((tag = reader.next(alloc)) != null) {
            long offset = tag.offset();
            if (offset == index.metadataOffset() || offset == index.videoSequenceHeaderOffset()
                    || offset == index.audioSequenceHeaderOffset()) {
                tag.release();
                continue;
            }
            return new MediaFrame(tag.type(), tag.timestamp(), tag.isKeyframe(), tag.isSequenceHeader(), tag.content());
        }
        return null;
    }

    @Override
    public void close() throws IOException {
        reader.close();
    }
}
