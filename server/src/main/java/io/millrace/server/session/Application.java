package io.millrace.server.session;

import io.millrace.rtmp.command.NetCommand;

/**
 * What a server application does with a connected client. The session owns the NetConnection and
 * NetStream state machine; the application decides about calls and what a stream plays.
 * Every method runs on the connection's event loop and must not block.
 */
public interface Application {

    String name();

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
}
