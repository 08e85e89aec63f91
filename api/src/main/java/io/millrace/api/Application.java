package io.millrace.api;

/**
 * A server-side application, FMS's {@code application} object. One object is made per instance; every
 * method runs on that instance's executor (see the package documentation) and has a default, so an
 * application overrides only what it needs.
 *
 * <p>Hooks that decide ({@link #onConnect}, {@link #onPublish}, {@link #onPlay}) get a {@link Decision}. A hook
 * that returns without deciding accepts. To decide later, call {@link Decision#async} before returning and
 * complete the returned {@link Decision.Pending} from any thread; if it is not completed in time its fallback
 * applies. Nothing blocks a network thread while a decision waits.
 *
 * <p>Methods clients may call with {@code NetConnection.call("name", responder, args...)} are the public
 * methods annotated {@link Remote}.
 */
public interface Application {

    /** The instance was loaded (its first client is connecting, or the application was started). */
    default void onAppStart(Instance instance) {
    }

    /** The instance is being unloaded (idle, reloaded or server stopping): its clients are already gone. */
    default void onAppStop(Instance instance) {
    }

    /**
     * A client asks to connect. {@link Client#parameters()} holds the extra arguments it passed to
     * {@code NetConnection.connect(uri, ...)}. Decide with {@link ConnectDecision#accept()},
     * {@link ConnectDecision#reject(String, Object)} or {@link ConnectDecision#redirect(String, String)}.
     */
    default void onConnect(Client client, ConnectDecision decision) {
        decision.accept();
    }

    /** An accepted client left (it closed, was disconnected or the instance is shutting down). */
    default void onDisconnect(Client client) {
    }

    /** A client wants to publish a stream (after the server's own access rules allowed it). */
    default void onPublish(Client client, StreamRequest stream, Decision decision) {
        decision.accept();
    }

    /** A publication that {@link #onPublish} accepted ended. */
    default void onUnpublish(Client client, String streamName) {
    }

    /** A client wants to play a stream (after the server's own access rules allowed it). */
    default void onPlay(Client client, StreamRequest stream, Decision decision) {
        decision.accept();
    }

    /** A play that {@link #onPlay} accepted ended (stopped, closed, or the client left). */
    default void onPlayStop(Client client, String streamName) {
    }
}
