package io.millrace.rtmp.control;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;

import java.util.Arrays;

/**
 * User control event 27 (0x1B), client to server: the 42-byte SWF verification response
 * (see swf-verification.md). The array is copied in and out, so the record stays immutable.
 */
public record SwfVerifyResponse(byte[] data) implements UserControlEvent {
    public static final int DATA_LENGTH = 42;

    public SwfVerifyResponse {
        if (data == null || data.length != DATA_LENGTH) {
            throw new IllegalArgumentException("SWF verification response must be " + DATA_LENGTH + " bytes, got "
                    + (data == null ? "null" : data.length));
        }
        data = data.clone();
    }

    /** A copy of the 42 response bytes. */
    @Override
    public byte[] data() {
        return data.clone();
    }

    @Override
    public int eventType() {
        return SWF_VERIFY_RESPONSE;
    }

    @Override
    public int dataLength() {
        return DATA_LENGTH;
    }

    @Override
    public void writeData(ByteBuf out) {
        out.writeBytes(data);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof SwfVerifyResponse other && Arrays.equals(data, other.data);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(data);
    }

    @Override
    public String toString() {
        return "SwfVerifyResponse[data=" + ByteBufUtil.hexDump(data) + "]";
    }
}
