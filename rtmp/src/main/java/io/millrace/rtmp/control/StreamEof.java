package io.millrace.rtmp.control;

import io.netty.buffer.ByteBuf;

/** User control event 1, server to client: playback of stream {@code streamId} is over. */
public record StreamEof(int streamId) implements UserControlEvent {

    @Override
    public int eventType() {
        return STREAM_EOF;
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
