package io.millrace.rtmp.control;

import io.millrace.rtmp.message.MessageType;
import io.netty.buffer.ByteBuf;

/**
 * A user control message (type 4): a 2-byte big-endian event type followed by the event data
 * (RTMP 2012 §6.2, §7.1.7; SWF verification and buffer events from librtmp).
 */
public sealed interface UserControlEvent extends ControlMessage
        permits StreamBegin, StreamEof, StreamDry, SetBufferLength, StreamIsRecorded, PingRequest, PingResponse,
        SwfVerifyRequest, SwfVerifyResponse, BufferEmpty, BufferReady, UnknownUserControl {

    int STREAM_BEGIN = 0;
    int STREAM_EOF = 1;
    int STREAM_DRY = 2;
    int SET_BUFFER_LENGTH = 3;
    int STREAM_IS_RECORDED = 4;
    int PING_REQUEST = 6;
    int PING_RESPONSE = 7;
    int SWF_VERIFY_REQUEST = 0x1A;
    int SWF_VERIFY_RESPONSE = 0x1B;
    int BUFFER_EMPTY = 31;
    int BUFFER_READY = 32;

    /** The 16-bit event type id. */
    int eventType();

    /** Number of event data bytes after the event type. */
    int dataLength();

    /** Writes the event data (without the event type). */
    void writeData(ByteBuf out);

    @Override
    default int typeId() {
        return MessageType.USER_CONTROL;
    }

    @Override
    default int payloadLength() {
        return 2 + dataLength();
    }

    @Override
    default void writePayload(ByteBuf out) {
        out.writeShort(eventType());
        writeData(out);
    }
}
