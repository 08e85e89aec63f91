package io.millrace.rtmp.control;

import io.netty.buffer.ByteBuf;

/** User control event 32 (FMS 3.5+), server to client: the server resumes sending stream {@code streamId}. */
public record BufferReady(int streamId) implements UserControlEvent {

    @Override
    public int eventType() {
        return BUFFER_READY;
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
