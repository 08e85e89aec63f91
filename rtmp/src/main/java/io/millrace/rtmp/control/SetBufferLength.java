package io.millrace.rtmp.control;

import io.netty.buffer.ByteBuf;

/**
 * User control event 3, client to server: the client buffers {@code bufferMillis} milliseconds
 * (unsigned 32-bit) of stream {@code streamId}.
 */
public record SetBufferLength(int streamId, long bufferMillis) implements UserControlEvent {

    public SetBufferLength {
        Unsigned.check32("buffer length", bufferMillis);
    }

    @Override
    public int eventType() {
        return SET_BUFFER_LENGTH;
    }

    @Override
    public int dataLength() {
        return 8;
    }

    @Override
    public void writeData(ByteBuf out) {
        out.writeInt(streamId);
        out.writeInt((int) bufferMillis);
    }
}
