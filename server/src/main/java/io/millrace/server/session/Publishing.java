package io.millrace.server.session;

import io.millrace.rtmp.command.DataMessage;
import io.millrace.rtmp.message.RtmpMessage;

/**
 * A stream being published on a {@link NetStream}: takes what the encoder sends on that stream. Driven by
 * its NetStream on the publisher's event loop.
 */
public interface Publishing {

    /** An audio, video or aggregate message from the publisher. Borrows {@code msg}. */
    void onMedia(RtmpMessage msg);

    /** A data message from the publisher: {@code @setDataFrame}, {@code @clearDataFrame} or NetStream.send. */
    void onData(DataMessage data);

    /** The publisher's connection finished a read: what arrived may go out now. */
    default void onReadComplete() {
    }

    /**
     * Ends the publication and frees what it holds. {@code status} says whether the publisher is told
     * (NetStream.Unpublish.Success); viewers are always told. Idempotent.
     */
    void close(String reason, boolean status);

    /** The stream name as the publisher gave it, without its query. */
    String name();

    /** Adds this stream's figures to an access log line: the bytes received (cs-stream-bytes) and the publication type. */
    default void accessFields(io.millrace.server.monitor.AccessLog.Entry entry) {
    }
}
