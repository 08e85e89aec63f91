package io.millrace.rtmp.control;

import io.millrace.rtmp.message.MessageType;
import io.netty.buffer.ByteBuf;

/**
 * Set Chunk Size (type 1): the sender's chunks are at most {@code size} bytes from now on. The wire
 * value has its top bit clear; valid sizes are 1..0x7FFFFFFF (sizes above 0xFFFFFF act like 0xFFFFFF
 * since no message is longer).
 */
public record SetChunkSize(int size) implements ControlMessage {
    public static final int MIN = 1;
    public static final int MAX = 0x7FFFFFFF;

    public SetChunkSize {
        if (size < MIN) {
            throw new IllegalArgumentException("chunk size must be 1..0x7FFFFFFF, got " + Integer.toUnsignedString(size));
        }
    }

    @Override
    public int typeId() {
        return MessageType.SET_CHUNK_SIZE;
    }

    @Override
    public int payloadLength() {
        return 4;
    }

    @Override
    public void writePayload(ByteBuf out) {
        out.writeInt(size);
    }
}
