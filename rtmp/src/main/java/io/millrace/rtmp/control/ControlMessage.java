package io.millrace.rtmp.control;

import io.millrace.rtmp.message.ChunkStreams;
import io.millrace.rtmp.message.RtmpMessage;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;

/**
 * A typed protocol control message (types 1, 2, 3, 5, 6; RTMP 2012 §5.4) or user control event
 * (type 4; §6.2, §7.1.7).
 *
 * <p>All of them travel on chunk stream 2 with message stream id 0 and timestamp 0. Instances are
 * immutable values; {@link ControlMessages#decode} turns an inbound {@link RtmpMessage} into one, and
 * {@link #toMessage} turns one back into a message ready for the chunk writer.
 */
public sealed interface ControlMessage
        permits SetChunkSize, Abort, Acknowledgement, WindowAckSize, SetPeerBandwidth, UserControlEvent {

    /** The RTMP message type id ({@link io.millrace.rtmp.message.MessageType}). */
    int typeId();

    /** Number of payload bytes {@link #writePayload} writes. */
    int payloadLength();

    /** Writes the message payload (without any chunk header) to {@code out}. */
    void writePayload(ByteBuf out);

    /**
     * This message as an {@link RtmpMessage} on csid 2, msid 0, timestamp 0. The caller owns (and must
     * release) the returned message.
     */
    default RtmpMessage toMessage(ByteBufAllocator alloc) {
        int length = payloadLength();
        ByteBuf payload = alloc.buffer(length, length);
        try {
            writePayload(payload);
        } catch (RuntimeException | Error e) {
            payload.release();
            throw e;
        }
        return new RtmpMessage(typeId(), 0, 0, ChunkStreams.CONTROL, payload);
    }
}
