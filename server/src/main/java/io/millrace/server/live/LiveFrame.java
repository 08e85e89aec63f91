package io.millrace.server.live;

import io.millrace.rtmp.chunk.SharedMessage;
import io.millrace.rtmp.message.MessageType;
import io.netty.buffer.ByteBuf;

/**
 * One thing that happened on a live stream, in stream order: a media or data message (chunked once, shared by
 * every viewer) on the stream's timeline, or a publish/unpublish event. Immutable but for {@link #seq}, which
 * the stream sets once, under its lock, before anyone else sees the frame.
 *
 * <p>Reference counted through its message: whoever keeps a frame (GOP cache, a fan-out's inbox, a viewer's
 * queue) holds one reference and releases it.
 */
final class LiveFrame {
    /**
     * Media and data, or an event: PUBLISH and UNPUBLISH (a publisher came or went), SWITCH (a server-side
     * playlist moved on to its next item) and RESET (a server-side playlist was reset to a new item).
     */
    enum Kind { AUDIO, VIDEO, DATA, PUBLISH, UNPUBLISH, SWITCH, RESET }

    final Kind kind;
    /** Null for the events (PUBLISH, UNPUBLISH, SWITCH, RESET). */
    final SharedMessage message;
    /** Milliseconds on the stream's timeline (continuous across publishers, never negative). */
    final long timestamp;
    /** A video keyframe that starts a GOP (not a sequence header). */
    final boolean keyframe;
    /** Codec configuration or stream metadata: never dropped, kept for viewers who join later. */
    final boolean config;
    /** Position in the stream; set once by {@link LiveStream}. */
    long seq;

    LiveFrame(Kind kind, SharedMessage message, long timestamp, boolean keyframe, boolean config) {
        this.kind = kind;
        this.message = message;
        this.timestamp = timestamp;
        this.keyframe = keyframe;
        this.config = config;
    }

    static LiveFrame event(Kind kind, long timestamp) {
        return new LiveFrame(kind, null, timestamp, false, true);
    }

    boolean isMedia() {
        return kind == Kind.AUDIO || kind == Kind.VIDEO;
    }

    boolean isEvent() {
        return message == null;
    }

    LiveFrame retain() {
        if (message != null) {
            message.retain();
        }
        return this;
    }

    void release() {
        if (message != null) {
            message.release();
        }
    }

    int length() {
        return message == null ? 0 : message.length();
    }

    // ---- what an FLV tag body says about itself ---------------------------------------------------

    /**
     * Whether a video payload's frame type is 1, keyframe (legacy and Enhanced RTMP headers). A sequence
     * header has that type too: callers tell it apart with {@link #isVideoConfig}.
     */
    static boolean isKeyframeType(ByteBuf payload) {
        if (payload.readableBytes() < 1) {
            return false;
        }
        int b = payload.getUnsignedByte(payload.readerIndex());
        int frameType = (b & 0x80) != 0 ? (b >> 4) & 0x07 : b >> 4;
        return frameType == 1;
    }

    /**
     * Whether a video payload is a sequence header: AVC packet type 0 (legacy H.264), or an Enhanced RTMP
     * SequenceStart (packet type 0 in the low nibble when the top bit is set).
     */
    static boolean isVideoConfig(ByteBuf payload) {
        int n = payload.readableBytes();
        if (n < 1) {
            return false;
        }
        int b = payload.getUnsignedByte(payload.readerIndex());
        if ((b & 0x80) != 0) {
            return (b & 0x0F) == 0;
        }
        int codec = b & 0x0F;
        return (codec == 7 || codec == 12 || codec == 13) && n >= 2 && payload.getByte(payload.readerIndex() + 1) == 0;
    }

    /** Whether an audio payload is a sequence header: AAC packet type 0, or an Enhanced RTMP SequenceStart. */
    static boolean isAudioConfig(ByteBuf payload) {
        int n = payload.readableBytes();
        if (n < 2) {
            return false;
        }
        int b = payload.getUnsignedByte(payload.readerIndex());
        int format = b >> 4;
        if (format == 10) {
            return payload.getByte(payload.readerIndex() + 1) == 0;
        }
        if (format == 9) {
            return (b & 0x0F) == 0;
        }
        return false;
    }

    static Kind kindOf(int typeId) {
        return typeId == MessageType.AUDIO ? Kind.AUDIO : typeId == MessageType.VIDEO ? Kind.VIDEO : Kind.DATA;
    }

    @Override
    public String toString() {
        return kind + "#" + seq + "@" + timestamp + (keyframe ? " key" : "") + (config ? " config" : "");
    }
}
