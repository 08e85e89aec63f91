package io.millrace.rtmp.control;

import io.netty.buffer.ByteBuf;

/** User control event 31 (FMS 3.5+), server to client: a full buffer of stream {@code streamId} has been sent. */
public record BufferEmpty(int streamId) implements UserControlEvent {

    @Override
    public int eventType() {
        return BUFFER_EMPTY;
    }

    @Override
    public int dataLength() {
        return 4;
    }

    @Override
    public void writeData(ByteBuf out) {
        out.writeInt(streamId);
    }
}
