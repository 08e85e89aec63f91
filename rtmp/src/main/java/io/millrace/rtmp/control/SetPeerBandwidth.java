package io.millrace.rtmp.control;

import io.millrace.rtmp.message.MessageType;
import io.netty.buffer.ByteBuf;

import java.util.Objects;

/**
 * Set Peer Bandwidth (type 6): limits the receiver's unacknowledged output to {@code size} bytes
 * (unsigned 32-bit), according to {@code limitType}. Payload: 4-byte window, 1-byte limit type.
 */
public record SetPeerBandwidth(long size, LimitType limitType) implements ControlMessage {

    public SetPeerBandwidth {
        Unsigned.check32("peer bandwidth", size);
        Objects.requireNonNull(limitType, "limitType");
    }

    @Override
    public int typeId() {
        return MessageType.SET_PEER_BANDWIDTH;
    }

    @Override
    public int payloadLength() {
        return 5;
    }

    @Override
    public void writePayload(ByteBuf out) {
        out.writeInt((int) size);
        out.writeByte(limitType.value());
    }
}
