package io.millrace.rtmp.control;

import io.millrace.rtmp.message.MessageType;
import io.netty.buffer.ByteBuf;

/**
 * Window Acknowledgement Size (type 5): the receiver of this message must send an
 * {@link Acknowledgement} each time it has received {@code size} more bytes (unsigned 32-bit).
 */
public record WindowAckSize(long size) implements ControlMessage {

    public WindowAckSize {
        Unsigned.check32("window acknowledgement size", size);
    }

    @Override
    public int typeId() {
        return MessageType.WINDOW_ACK_SIZE;
    }

    @Override
    public int payloadLength() {
        return 4;
    }

    @Override
    public void writePayload(ByteBuf out) {
        out.writeInt((int) size);
    }
}
