package io.millrace.rtmp.control;

import io.netty.buffer.ByteBuf;

/** User control event 6, server to client: the peer must echo {@code timestamp} (unsigned 32-bit) in a {@link PingResponse}. */
public record PingRequest(long timestamp) implements UserControlEvent {

    public PingRequest {
        Unsigned.check32("ping timestamp", timestamp);
    }

    @Override
    public int eventType() {
        return PING_REQUEST;
    }

    @Override
    public int dataLength() {
        return 4;
    }

    @Override
    public void writeData(ByteBuf out) {
        out.writeInt((int) timestamp);
    }
}
