package io.millrace.media.mp4;

import io.millrace.media.MediaFrame;
import io.millrace.media.MediaReader;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.PooledByteBufAllocator;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * What a reader produced for one frame, copied out of the frame (which is released at once).
 *
 * @param cts     AVC CompositionTime from the tag header (0 for audio)
 * @param payload sample bytes: body size minus the tag header (5 AVC, 2 AAC, 1 MP3)
 * @param first   first body byte
 */
record Played(int type, long ts, int cts, int payload, boolean key, boolean config, int first) {
    static final ByteBufAllocator ALLOC = PooledByteBufAllocator.DEFAULT;

    boolean video() {
        return type == MediaFrame.VIDEO;
    }

    long pts() {
        return ts + cts;
    }

    static Played of(MediaFrame f) {
        try {
            ByteBuf b = f.content();
            int first = b.getUnsignedByte(b.readerIndex());
            if (f.isVideo()) {
                int cts = b.readableBytes() >= 5 ? b.getMedium(b.readerIndex() + 2) : 0;
                return new Played(f.type(), f.timestamp(), cts, b.readableBytes() - 5, f.isKeyframe(), f.isConfig(), first);
            }
            int header = (first >> 4) == 10 ? 2 : 1;
            return new Played(f.type(), f.timestamp(), 0, b.readableBytes() - header, false, f.isConfig(), first);
        } finally {
            f.release();
        }
    }

    /** Every remaining frame of the reader. */
    static List<Played> drain(MediaReader reader) throws IOException {
        return drain(reader, Integer.MAX_VALUE);
    }

    static List<Played> drain(MediaReader reader, int max) throws IOException {
        List<Played> out = new ArrayList<>();
        MediaFrame f;
        while (out.size() < max && (f = reader.next(ALLOC)) != null) {
            out.add(of(f));
        }
        return out;
    }

    static List<Played> config(MediaReader reader) throws IOException {
        List<Played> out = new ArrayList<>();
        for (MediaFrame f : reader.configFrames(ALLOC)) {
            out.add(of(f));
        }
        return out;
    }
}
