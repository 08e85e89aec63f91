package io.millrace.rtmp.control;

import io.netty.buffer.ByteBuf;

/** User control event 2, server to client: no more data for now on live stream {@code streamId}. */
public record StreamDry(int streamId) implements UserControlEvent {

    @Override
    public int eventType() {
        return STREAM_DRY;
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
