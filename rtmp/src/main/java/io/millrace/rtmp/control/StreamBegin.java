package io.millrace.rtmp.control;

import io.netty.buffer.ByteBuf;

/** User control event 0, server to client: message stream {@code streamId} is ready for use. */
public record StreamBegin(int streamId) implements UserControlEvent {

    @Override
    public int eventType() {
        return STREAM_BEGIN;
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
