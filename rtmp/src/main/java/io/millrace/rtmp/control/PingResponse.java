package io.millrace.rtmp.control;

import io.netty.buffer.ByteBuf;

/** User control event 7, client to server: the timestamp (unsigned 32-bit) from the {@link PingRequest} being answered. */
public record PingResponse(long timestamp) implements UserControlEvent {

    public PingResponse {
        Unsigned.check32("ping timestamp", timestamp);
    }

    @Override
    public int eventType() {
        return PING_RESPONSE;
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
