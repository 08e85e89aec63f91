package io.millrace.rtmp.control;

import io.millrace.rtmp.RtmpProtocolException;

/**
 * The limit type of Set Peer Bandwidth, numbered as in RTMP 2012 §5.4.5 (nginx-rtmp swaps 0 and 1 in
 * its constants but only ever sends 2, as do ffmpeg and SRS).
 */
public enum LimitType {
    /** 0: limit the output bandwidth to the given window. */
    HARD(0),
    /** 1: limit the output to the given window or the current limit, whichever is smaller. */
    SOFT(1),
    /** 2: treat as HARD if the previous limit type was HARD, else ignore. */
    DYNAMIC(2);

    private final int value;

    LimitType(int value) {
        this.value = value;
    }

    /** The wire value. */
    public int value() {
        return value;
    }

    /** @throws RtmpProtocolException for a value other than 0, 1 or 2 */
    public static LimitType fromValue(int value) {
        return switch (value) {
            case 0 -> HARD;
            case 1 -> SOFT;
            case 2 -> DYNAMIC;
            default -> throw new RtmpProtocolException("Set Peer Bandwidth: unknown limit type " + value);
        };
    }
}
