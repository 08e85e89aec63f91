package io.millrace.rtmp.control;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;

import java.util.Arrays;

/**
 * A user control event Millrace does not interpret (for example event 5, or a SWF verification request
 * whose type byte is not 1): the 16-bit event type and the raw event data, kept so it can be logged or
 * relayed unchanged. The array is copied in and out.
 */
public record UnknownUserControl(int eventType, byte[] data) implements UserControlEvent {

    public UnknownUserControl {
        if (eventType < 0 || eventType > 0xFFFF) {
            throw new IllegalArgumentException("user control event type must be 0..65535, got " + eventType);
        }
        if (data == null) {
            throw new IllegalArgumentException("data must not be null");
        }
        if (data.length > 0xFFFFFF - 2) {
            throw new IllegalArgumentException("user control data too long: " + data.length);
        }
        data = data.clone();
    }

    /** A copy of the event data. */
    @Override
    public byte[] data() {
        return data.clone();
    }

    @Override
    public int dataLength() {
        return data.length;
    }

    @Override
    public void writeData(ByteBuf out) {
        out.writeBytes(data);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof UnknownUserControl other && eventType == other.eventType && Arrays.equals(data, other.data);
    }

    @Override
    public int hashCode() {
        return 31 * eventType + Arrays.hashCode(data);
    }

    @Override
    public String toString() {
        return "UnknownUserControl[eventType=" + eventType + ", data=" + ByteBufUtil.hexDump(data) + "]";
    }
}
