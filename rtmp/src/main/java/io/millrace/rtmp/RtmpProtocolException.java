package io.millrace.rtmp;

/**
 * The peer broke the RTMP protocol (bad handshake, chunk, message or command). The connection that
 * raised it is closed; the message names what was wrong so it can go into one log line.
 */
public class RtmpProtocolException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public RtmpProtocolException(String message) {
        super(message);
    }

    public RtmpProtocolException(String message, Throwable cause) {
        super(message, cause);
    }
}
