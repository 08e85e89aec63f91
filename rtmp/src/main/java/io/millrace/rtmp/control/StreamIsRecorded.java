package io.millrace.rtmp.control;

import io.netty.buffer.ByteBuf;

/** User control event 4, server to client: stream {@code streamId} is a recorded (VOD) stream. */
public record StreamIsRecorded(int streamId) implements UserControlEvent {

    @Override
    public int eventType() {
        return STREAM_IS_RECORDED;
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
