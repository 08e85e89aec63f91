package io.millrace.rtmp.message;

/**
 * The chunk stream ids Millrace writes on. Receivers must not depend on them (RTMP 2012 §5.3.1.1), but
 * keeping control, commands, audio and video apart keeps header compression effective.
 */
public final class ChunkStreams {
    /** Protocol control and user control messages (required by the spec). */
    public static final int CONTROL = 2;
    /** NetConnection commands (msid 0). */
    public static final int COMMAND = 3;
    /** NetStream commands, status and data messages. */
    public static final int STREAM_COMMAND = 5;
    public static final int AUDIO = 6;
    public static final int VIDEO = 7;

    private ChunkStreams() {
    }

    /** The csid an outbound message goes on when it did not name one. */
    public static int forMessage(int typeId, int streamId) {
        return switch (typeId) {
            case MessageType.SET_CHUNK_SIZE, MessageType.ABORT, MessageType.ACKNOWLEDGEMENT,
                 MessageType.USER_CONTROL, MessageType.WINDOW_ACK_SIZE, MessageType.SET_PEER_BANDWIDTH -> CONTROL;
            case MessageType.AUDIO -> AUDIO;
            case MessageType.VIDEO -> VIDEO;
            default -> streamId == 0 ? COMMAND : STREAM_COMMAND;
        };
    }
}
