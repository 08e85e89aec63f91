package io.millrace.rtmp.control;

import io.millrace.rtmp.message.MessageType;
import io.netty.buffer.ByteBuf;

/** Abort Message (type 2): discard the partially received message on chunk stream {@code chunkStreamId}. */
public record Abort(int chunkStreamId) implements ControlMessage {

    @Override
    public int typeId() {
        return MessageType.ABORT;
    }

    @Override
    public int payloadLength() {
        return 4;
    }

    @Override
    public void writePayload(ByteBuf out) {
        out.writeInt(chunkStreamId);
    }
}
