package io.millrace.api;

import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionStage;

/** A client connection, FMS's {@code Client} object. Usable from any thread. */
public interface Client {

    /** The server's id for this connection (as the admin API and the access log show it). */
    String id();

    /** The instance it connected to. */
    Instance instance();

    /** Its IP address. */
    String ip();

    /** {@code rtmp} or {@code rtmps}. */
    String protocol();

    /** The connect command's {@code flashVer} (FMS's {@code agent}), e.g. {@code WIN 32,0,0,465} or {@code LNX 9,0,124,2}. */
    String agent();

    /** The connect command's {@code tcUrl} (FMS's {@code uri}). */
    String uri();

    /** The connect command's {@code pageUrl}, or null. */
    String pageUrl();

    /** The connect command's {@code swfUrl} (FMS's {@code referrer}), or null. */
    String referrer();

    /** The query of the connect URL ({@code rtmp://host/app?this}), or null. */
    String query();

    /** 0 (AMF0) or 3 (AMF3): the encoding the client asked for. */
    int objectEncoding();

    /** The extra arguments the client passed to {@code NetConnection.connect(uri, ...)}, in order. */
    List<Object> parameters();

    /** Application data about this client (a thread-safe map the server never reads). */
    Map<String, Object> attributes();

    /**
     * Calls a method of the client's NetConnection (FMS's {@code client.call(name, responder, ...)}). The stage
     * completes with the client's {@code _result} value, or exceptionally with {@link CallFailedException} on
     * {@code _error} or when the client leaves first. Its continuations run on the instance's executor.
     */
    CompletionStage<Object> call(String method, Object... args);

    /** Calls a method of the client's NetConnection without asking for an answer. */
    void send(String method, Object... args);

    /** Closes the connection (the client sees {@code NetConnection.Connect.Closed}). */
    void disconnect();

    /** True until the connection is gone. */
    boolean isConnected();
}
