package io.millrace.api;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * An application instance ({@code rtmp://host/app/instance}): its clients, shared objects and server-side
 * streams. Usable from any thread.
 */
public interface Instance {

    /** The application's name ({@code chat}). */
    String application();

    /** The instance's name ({@code _definst_} by default). */
    String name();

    /** The application's own settings: the {@code settings} map of its {@code app.yaml} (empty when none). */
    Map<String, Object> settings();

    /** A folder of the data folder that belongs to this instance, created on first use. */
    Path dataDir();

    /** The clients connected and accepted now. */
    List<Client> clients();

    /** Calls a method on every client of the instance, with no answer asked (FMS's {@code broadcastMsg}). */
    void broadcast(String method, Object... args);

    /**
     * The shared object of this name, created if needed (FMS's {@code SharedObject.get(name, persistent)}). A
     * persistent one is stored under the data folder and survives restarts. Clients reach the same object with
     * {@code SharedObject.getRemote(name, uri, persistent)}.
     */
    SharedObject sharedObject(String name, boolean persistent);

    /**
     * The server-side stream of this name, created if needed (FMS's {@code Stream.get(name)}): a live stream
     * the application feeds from files, which clients play by this name.
     */
    ServerStream stream(String name);

    /** Runs {@code task} on the instance's executor after {@code delay}. */
    Cancellable schedule(Duration delay, Runnable task);

    /** Runs {@code task} on the instance's executor every {@code period}, the first time after one period. */
    Cancellable scheduleEvery(Duration period, Runnable task);

    /** Runs {@code task} on the instance's executor, after what is queued. */
    void execute(Runnable task);
}
