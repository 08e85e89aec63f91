package io.millrace.bench.live;

import io.millrace.amf.AmfObject;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;

import java.io.Closeable;
import java.io.IOException;

/**
 * What a {@link Publisher} sends: metadata, the two sequence headers, then an endless series of audio and
 * video frames, each with its RTMP timestamp and the time (after the start of publishing) at which it is
 * due. Used by one publisher on its event loop.
 */
interface MediaSource extends Closeable {

    /** One audio or video message: FLV tag type (8 or 9), RTMP timestamp in ms, due time in ns after the start. */
    record Frame(int type, long timestamp, long dueNanos, ByteBuf payload) {
    }

    /** The onMetaData ECMA array sent with {@code @setDataFrame}. */
    AmfObject metadata();

    /** The AVC sequence header as a video message payload (0x17 0x00 ...), or null when there is none. */
    ByteBuf videoSequenceHeader(ByteBufAllocator alloc);

    /** The AAC sequence header as an audio message payload (0xAF 0x00 ...), or null when there is none. */
    ByteBuf audioSequenceHeader(ByteBufAllocator alloc);

    /** The next frame, its payload owned by the caller. Never null: sources loop. */
    Frame next(ByteBufAllocator alloc) throws IOException;

    /** One line for the report. */
    String describe();

    @Override
    default void close() throws IOException {
    }
}
