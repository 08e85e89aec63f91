package io.millrace.server.monitor;

import java.util.List;
import java.util.Optional;

/**
 * The server's state as the HTTP side (admin API, JSON API, metrics, dashboard) sees it: snapshots of
 * the server, its applications and instances, clients, live streams and NetStreams, plus the two admin
 * actions. Every method may be called from any thread and never blocks an event loop; the figures are
 * read from counters the event loops keep, so one snapshot's figures may be a few microseconds apart.
 *
 * <p>Filters: a null {@code app} or {@code instance} matches all. Instance names are as in the URL
 * ({@code _definst_} by default).
 */
public interface Monitoring {

    ServerStats server();

    List<AppStats> applications();

    Optional<AppStats> application(String app);

    List<InstanceStats> instances(String app);

    Optional<InstanceStats> instance(String app, String instance);

    List<ClientStats> clients(String app, String instance);

    Optional<ClientStats> client(String clientId);

    List<StreamStats> liveStreams(String app, String instance);

    Optional<StreamStats> liveStream(String app, String instance, String name);

    /** Every NetStream of every client that plays or publishes (live and on demand). */
    List<NetStreamStats> netStreams(String app, String instance);

    /**
     * The server-wide samples of the last minutes ({@link ServerHistory}: one a second, ten minutes kept)
     * whose {@code seq} is above {@code afterSeq}, oldest first; 0 gives all of them.
     */
    List<ServerSample> history(long afterSeq);

    /** Closes the client's connection. False if there is no such client. */
    boolean kick(String clientId);

    /**
     * Sets a client's bandwidth limits in bytes per second (FMS's Client.setBandwidthLimit): {@code out} server
     * to client, {@code in} client to server; 0 removes a limit, a negative value leaves it as it is. False if
     * there is no such client.
     */
    boolean setBandwidthLimit(String clientId, long out, long in);

    /**
     * Ends a live stream's publication (the publisher gets NetStream.Unpublish.Success and its viewers
     * NetStream.Play.UnpublishNotify; the publisher stays connected). False if no such stream is live.
     */
    boolean stopStream(String app, String instance, String name);

    /** The shared objects an instance holds in memory now (FMS's getSharedObjects); empty if none or no instance. */
    List<SharedObjectStats> sharedObjects(String app, String instance);

    /**
     * Reloads an application (FMS's reloadApp): its code is loaded again from its jars and every instance is
     * unloaded, its clients told NetConnection.Connect.AppShutdown. False if there is no such application, or its
     * new code does not load (the running code then stays).
     */
    boolean reloadApp(String app);

    /** Unloads one instance (FMS's unloadApp): its clients are told AppShutdown. False if it is not loaded. */
    boolean unloadInstance(String app, String instance);
}
