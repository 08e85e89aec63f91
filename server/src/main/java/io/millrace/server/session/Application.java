package io.millrace.server.session;

import io.millrace.rtmp.command.NetCommand;
import io.millrace.rtmp.command.NetStreamStatus;

/**
 * What a server application does with a connected client. The session owns the NetConnection and
 * NetStream state machine; the application decides about calls and what a stream plays.
 * Every method runs on the connection's event loop and must not block.
 */
public interface Application {

    String name();

    /** "vod" or "live": the kind of application, for monitoring. */
    String type();

    /** The live streams of {@code instance} (null: of every instance), for monitoring. Any thread. */
    default java.util.List<io.millrace.server.monitor.StreamStats> liveStreams(String instance) {
        return java.util.List.of();
    }

    /** Ends the publication of a live stream (admin); false if there is none. Any thread. */
    default boolean stopStream(String instance, String name) {
        return false;
    }

    /** A client connected and was accepted. */
    default void onConnect(RtmpSession session) {
    }

    /** The client's connection ended; everything it held is being freed. */
    default void onDisconnect(RtmpSession session) {
    }

    /**
     * A client call to a method that is not a protocol command. Answer with {@link RtmpSession#reply}
     * or {@link RtmpSession#replyCallFailed}; returning false means "no such method" and the session
     * answers NetConnection.Call.Failed naming it.
     */
    default boolean call(RtmpSession session, NetCommand.Call call) {
        return false;
    }

    /** play on a NetStream of this application: start something playing on {@code stream} or refuse with a status. */
    void play(RtmpSession session, NetStream stream, NetCommand.Play play);

    /**
     * publish on a NetStream of this application: start a {@link Publishing} with
     * {@link NetStream#startPublishing} or refuse with a status. By default an application takes no
     * publishers (FMS's vod service).
     */
    default void publish(RtmpSession session, NetStream stream, NetCommand.Publish publish) {
        session.channel().writeAndFlush(session.status(stream.id(), NetStreamStatus.PUBLISH_DENIED,
                "Application " + name() + " does not take published streams.", publish.name()));
    }
}
