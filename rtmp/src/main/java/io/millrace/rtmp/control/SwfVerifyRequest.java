package io.millrace.rtmp.control;

import io.netty.buffer.ByteBuf;

/**
 * User control event 26 (0x1A), server to client: asks for the SWF verification response. The data is
 * one byte, the verification type, always 1 (the only type librtmp supports); a request with another
 * type byte decodes as {@link UnknownUserControl}.
 */
public record SwfVerifyRequest() implements UserControlEvent {
    /** The only verification type. */
    public static final int TYPE = 1;

    @Override
    public int eventType() {
        return SWF_VERIFY_REQUEST;
    }

    @Override
    public int dataLength() {
        return 1;
    }

    @Override
    public void writeData(ByteBuf out) {
        out.writeByte(TYPE);
    }
}
