package io.millrace.server.so;

import io.millrace.rtmp.so.SharedObjectMessage;

/**
 * A connected client as the shared objects see it: one instance per connection, kept in hash sets, so an
 * implementation must not override {@code equals}/{@code hashCode} (identity is what counts).
 */
public interface SoClient {

    /**
     * Writes a message to the client. Callable from any thread (the session hands it to its event loop);
     * must not block and must not call back into {@link SharedObjects} on the calling thread. Messages sent
     * one after the other reach the client in that order.
     */
    void send(SharedObjectMessage m);

    /** Whether the client takes type 16 (it connected with objectEncoding 3) rather than type 19. */
    boolean amf3();

    /** The client as the application sees it (listener arguments, {@code subscribers()}). */
    io.millrace.api.Client api();
}
