package io.millrace.media.flv;

import io.millrace.amf.AmfObject;
import io.millrace.media.MediaIndex;
import io.millrace.media.MediaReader;

import java.io.IOException;
import java.nio.file.Path;

/** An FLV file as a {@link MediaIndex}: its {@link FlvIndex} behind the format-neutral view. */
public final class FlvMediaIndex implements MediaIndex {
    private final FlvIndex index;

    public FlvMediaIndex(FlvIndex index) {
        this.index = index;
    }

    /** Indexes an FLV file (see {@link FlvIndex#build(Path)}). */
    public static FlvMediaIndex build(Path file) throws IOException {
        return new FlvMediaIndex(FlvIndex.build(file));
    }

    public FlvIndex flvIndex() {
        return index;
    }

    /** The keyframe table (a time and an offset per keyframe) and the fixed allowance. */
    @Override
    public long retainedBytes() {
        return FIXED_BYTES + 16L * index.keyframeCount();
    }

    @Override
    public Path path() {
        return index.path();
    }

    @Override
    public long fileSize() {
        return index.fileSize();
    }

    @Override
    public long lastModifiedMillis() {
        return index.lastModifiedMillis();
    }

    @Override
    public long durationMs() {
        return index.durationMs();
    }

    @Override
    public AmfObject metadata() {
        return index.completeMetadata();
    }

    @Override
    public boolean hasVideo() {
        return index.hasVideo();
    }

    @Override
    public boolean hasAudio() {
        return index.hasAudio();
    }

    @Override
    public long seekPointAtOrBefore(long ms) {
        return index.keyframeTimeAtOrBefore(ms);
    }

    @Override
    public MediaReader openReader() throws IOException {
        return new FlvMediaReader(index, new FlvReader(index.path()));
    }
}
