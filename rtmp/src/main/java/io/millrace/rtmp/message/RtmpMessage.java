package io.millrace.rtmp.message;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.DefaultByteBufHolder;

/**
 * One whole RTMP message as it travels over a chunk stream: type id, timestamp, message stream id and
 * payload. The payload is owned by this holder; whoever ends the message's path releases it.
 *
 * <p>{@link #chunkStreamId()} is the chunk stream the message arrived on (inbound) or should go out on
 * (outbound); 0 outbound means "let the encoder choose by type and stream" ({@link ChunkStreams}).
 */
public final class RtmpMessage extends DefaultByteBufHolder {
    private final int typeId;
    private final long timestamp;
    private final int streamId;
    private final int chunkStreamId;

    /**
     * @param payload taken over: this message owns it from now on
     * @param timestamp unsigned 32-bit milliseconds (only the low 32 bits are kept)
     */
    public RtmpMessage(int typeId, long timestamp, int streamId, int chunkStreamId, ByteBuf payload) {
        super(payload);
        this.typeId = typeId;
        this.timestamp = timestamp & 0xFFFFFFFFL;
        this.streamId = streamId;
        this.chunkStreamId = chunkStreamId;
    }

    public RtmpMessage(int typeId, long timestamp, int streamId, ByteBuf payload) {
        this(typeId, timestamp, streamId, 0, payload);
    }

    public int typeId() {
        return typeId;
    }

    /** Unsigned 32-bit timestamp in milliseconds. */
    public long timestamp() {
        return timestamp;
    }

    public int streamId() {
        return streamId;
    }

    public int chunkStreamId() {
        return chunkStreamId;
    }

    public int length() {
        return content().readableBytes();
    }

    @Override
    public RtmpMessage replace(ByteBuf content) {
        return new RtmpMessage(typeId, timestamp, streamId, chunkStreamId, content);
    }

    @Override
    public RtmpMessage copy() {
        return replace(content().copy());
    }

    @Override
    public RtmpMessage duplicate() {
        return replace(content().duplicate());
    }

    @Override
    public RtmpMessage retainedDuplicate() {
        return replace(content().retainedDuplicate());
    }

    @Override
    public RtmpMessage retain() {
        super.retain();
        return this;
    }

    @Override
    public RtmpMessage retain(int increment) {
        super.retain(increment);
        return this;
    }

    @Override
    public RtmpMessage touch() {
        super.touch();
        return this;
    }

    @Override
    public RtmpMessage touch(Object hint) {
        super.touch(hint);
        return this;
    }

    /** The same message with another timestamp; shares (and retains) the payload. */
    public RtmpMessage withTimestamp(long newTimestamp) {
        return new RtmpMessage(typeId, newTimestamp, streamId, chunkStreamId, content().retainedDuplicate());
    }

    @Override
    public String toString() {
        return MessageType.name(typeId) + "{ts=" + timestamp + ", msid=" + streamId + ", csid=" + chunkStreamId
                + ", len=" + (refCnt() > 0 ? content().readableBytes() : -1) + "}";
    }
}
