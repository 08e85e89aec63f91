package io.millrace.rtmp.control;

import io.millrace.rtmp.message.MessageType;
import io.netty.buffer.ByteBuf;

/** Acknowledgement (type 3): the sender has received {@code sequenceNumber} bytes (unsigned 32-bit, wraps). */
public record Acknowledgement(long sequenceNumber) implements ControlMessage {

    public Acknowledgement {
        Unsigned.check32("sequence number", sequenceNumber);
    }

    @Override
    public int typeId() {
        return MessageType.ACKNOWLEDGEMENT;
    }

    @Override
    public int payloadLength() {
        return 4;
    }

    @Override
    public void writePayload(ByteBuf out) {
        out.writeInt((int) sequenceNumber);
    }
}
