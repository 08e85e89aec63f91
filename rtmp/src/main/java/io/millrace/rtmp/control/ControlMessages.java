package io.millrace.rtmp.control;

import io.millrace.rtmp.RtmpProtocolException;
import io.millrace.rtmp.message.MessageType;
import io.millrace.rtmp.message.RtmpMessage;
import io.netty.buffer.ByteBuf;

/**
 * Decodes protocol control (types 1, 2, 3, 5, 6) and user control (type 4) messages into
 * {@link ControlMessage} values. Payload lengths must be exactly those of RTMP 2012 §5.4 / §7.1.7
 * (4 bytes; 5 for Set Peer Bandwidth; user control: 6, 10 for SetBufferLength, 3 for the SWF
 * verification request); anything else is a {@link RtmpProtocolException}. Exceptions: a SWF verification
 * request whose type byte is not 1 and a SWF verification response (event 27) that is not 44 bytes long
 * decode as {@link UnknownUserControl}, the latter so that a server can answer it as a failed
 * verification (NetConnection.Connect.Rejected) rather than close the connection without a word.
 */
public final class ControlMessages {

    private ControlMessages() {
    }

    /** True for the message types this class decodes: 1..6. */
    public static boolean isControl(int typeId) {
        return MessageType.isProtocolControl(typeId) || typeId == MessageType.USER_CONTROL;
    }

    /**
     * Decodes {@code message}. Borrows it: neither releases it nor moves its reader index. The message
     * stream id, chunk stream id and timestamp are not checked (peers are known to get them wrong).
     *
     * @throws RtmpProtocolException if the payload is malformed (wrong length, Set Chunk Size 0 or with
     *         the top bit set, unknown limit type)
     * @throws IllegalArgumentException if the message is not a control message ({@link #isControl})
     */
    public static ControlMessage decode(RtmpMessage message) {
        ByteBuf p = message.content();
        int at = p.readerIndex();
        int length = p.readableBytes();
        int type = message.typeId();
        switch (type) {
            case MessageType.SET_CHUNK_SIZE -> {
                expectLength("Set Chunk Size", length, 4);
                int size = p.getInt(at);
                if (size <= 0) {
                    throw new RtmpProtocolException("Set Chunk Size: invalid chunk size 0x"
                            + Integer.toHexString(size) + " (must be 1..0x7FFFFFFF with the top bit clear)");
                }
                return new SetChunkSize(size);
            }
            case MessageType.ABORT -> {
                expectLength("Abort", length, 4);
                return new Abort(p.getInt(at));
            }
            case MessageType.ACKNOWLEDGEMENT -> {
                expectLength("Acknowledgement", length, 4);
                return new Acknowledgement(p.getUnsignedInt(at));
            }
            case MessageType.WINDOW_ACK_SIZE -> {
                expectLength("Window Acknowledgement Size", length, 4);
                return new WindowAckSize(p.getUnsignedInt(at));
            }
            case MessageType.SET_PEER_BANDWIDTH -> {
                expectLength("Set Peer Bandwidth", length, 5);
                return new SetPeerBandwidth(p.getUnsignedInt(at), LimitType.fromValue(p.getUnsignedByte(at + 4)));
            }
            case MessageType.USER_CONTROL -> {
                return decodeUserControl(p, at, length);
            }
            default -> throw new IllegalArgumentException("not a control message: " + MessageType.name(type));
        }
    }

    private static UserControlEvent decodeUserControl(ByteBuf p, int at, int length) {
        if (length < 2) {
            throw new RtmpProtocolException("User Control: payload of " + length + " bytes has no event type");
        }
        int event = p.getUnsignedShort(at);
        int d = at + 2;
        switch (event) {
            case UserControlEvent.STREAM_BEGIN:
                expectLength("StreamBegin", length, 6);
                return new StreamBegin(p.getInt(d));
            case UserControlEvent.STREAM_EOF:
                expectLength("StreamEOF", length, 6);
                return new StreamEof(p.getInt(d));
            case UserControlEvent.STREAM_DRY:
                expectLength("StreamDry", length, 6);
                return new StreamDry(p.getInt(d));
            case UserControlEvent.SET_BUFFER_LENGTH:
                expectLength("SetBufferLength", length, 10);
                return new SetBufferLength(p.getInt(d), p.getUnsignedInt(d + 4));
            case UserControlEvent.STREAM_IS_RECORDED:
                expectLength("StreamIsRecorded", length, 6);
                return new StreamIsRecorded(p.getInt(d));
            case UserControlEvent.PING_REQUEST:
                expectLength("PingRequest", length, 6);
                return new PingRequest(p.getUnsignedInt(d));
            case UserControlEvent.PING_RESPONSE:
                expectLength("PingResponse", length, 6);
                return new PingResponse(p.getUnsignedInt(d));
            case UserControlEvent.SWF_VERIFY_REQUEST:
                expectLength("SWFVerification request", length, 3);
                if (p.getUnsignedByte(d) == SwfVerifyRequest.TYPE) {
                    return new SwfVerifyRequest();
                }
                return new UnknownUserControl(event, bytes(p, d, 1));
            case UserControlEvent.SWF_VERIFY_RESPONSE:
                if (length != 2 + SwfVerifyResponse.DATA_LENGTH) {
                    // Not a protocol error: the answer to a verification the server asked for, which the
                    // server then counts as failed (and says so to the client) instead of dropping the line.
                    return new UnknownUserControl(event, bytes(p, d, length - 2));
                }
                return new SwfVerifyResponse(bytes(p, d, SwfVerifyResponse.DATA_LENGTH));
            case UserControlEvent.BUFFER_EMPTY:
                expectLength("BufferEmpty", length, 6);
                return new BufferEmpty(p.getInt(d));
            case UserControlEvent.BUFFER_READY:
                expectLength("BufferReady", length, 6);
                return new BufferReady(p.getInt(d));
            default:
                return new UnknownUserControl(event, bytes(p, d, length - 2));
        }
    }

    private static byte[] bytes(ByteBuf p, int at, int length) {
        byte[] out = new byte[length];
        p.getBytes(at, out);
        return out;
    }

    private static void expectLength(String what, int actual, int expected) {
        if (actual != expected) {
            throw new RtmpProtocolException(what + ": payload must be " + expected + " bytes, got " + actual);
        }
    }
}
