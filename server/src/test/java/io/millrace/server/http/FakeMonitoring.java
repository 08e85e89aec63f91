package io.millrace.server.http;

import io.millrace.server.monitor.AppStats;
import io.millrace.server.monitor.ClientStats;
import io.millrace.server.monitor.InstanceStats;
import io.millrace.server.monitor.Monitoring;
import io.millrace.server.monitor.NetStreamStats;
import io.millrace.server.monitor.ServerSample;
import io.millrace.server.monitor.ServerStats;
import io.millrace.server.monitor.StreamStats;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Predicate;

/**
 * An in-memory {@link Monitoring} with a small fixed world: applications {@code live} and {@code vod},
 * client 1 publishing {@code cam one} on live/_definst_, client 2 watching it, client 3 playing a file on
 * vod/_definst_, and a second live stream {@code a/b&c<d>} that waits for a publisher. Tests may replace
 * any list; kicks and stops are recorded.
 */
final class FakeMonitoring implements Monitoring {
    static final long T0 = 1_700_000_000_000L;

    volatile ServerStats server = new ServerStats("0.1.0-test", T0, 3600, 3, 42, 39, 5,
            123_456_789L, 987_654_321L, 1_500, 250_000, 1_000, 2_000, 7,
            0.25, 2, 100L << 20, 1L << 30, 16L << 20, 2, 3);

    final List<AppStats> apps = new CopyOnWriteArrayList<>(List.of(
            new AppStats("live", "live", T0 + 1_000, 2, 10, 1, 8, 5_000, 70_000, 100, 2_000, 50, 60, 4, 1, 2),
            new AppStats("vod", "vod", T0 + 2_000, 1, 20, 4, 19, 3_000, 90_000, 30, 4_000, 40, 80, 0, 1, 0)));

    final List<InstanceStats> instances = new CopyOnWriteArrayList<>(List.of(
            new InstanceStats("live", "_definst_", T0 + 1_500, 2, 10, 1, 8, 5_000, 70_000, 100, 2_000, 50, 60, 4, 2),
            new InstanceStats("vod", "_definst_", T0 + 2_500, 1, 20, 4, 19, 3_000, 90_000, 30, 4_000, 40, 80, 0, 0)));

    final List<ClientStats> clients = new CopyOnWriteArrayList<>(List.of(
            client("1", "live", "10.0.0.5", 4_000_000, 1_000),
            client("2", "live", "10.0.0.6", 2_000, 3_000_000),
            client("3", "vod", "10.0.0.7", 1_000, 9_000_000)));

    final List<StreamStats> streams = new CopyOnWriteArrayList<>(List.of(
            new StreamStats("live", "_definst_", "cam one", "1", "live", T0 + 10_000, 600, "H.264", "AAC",
                    1280, 720, 29.97, 2_500_000, 2_000, 18_000, 4_000_000, 3_000_000, 12, 1, List.of("2")),
            new StreamStats("live", "_definst_", "a/b&c<d>", null, null, 0, 0, null, null,
                    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, List.of())));

    final List<NetStreamStats> netStreams = new CopyOnWriteArrayList<>(List.of(
            new NetStreamStats("1", 1, "live", "_definst_", "cam one", "publish", "live", T0 + 10_000, "10.0.0.5"),
            new NetStreamStats("2", 1, "live", "_definst_", "cam one", "play", "live", T0 + 20_000, "10.0.0.6"),
            new NetStreamStats("3", 2, "vod", "_definst_", "movie.mp4", "play", "vod", T0 + 30_000, "10.0.0.7")));

    /** Three seconds of history, the last sample one hour after T0. */
    final List<ServerSample> history = new CopyOnWriteArrayList<>(List.of(
            new ServerSample(7, T0 + 3_598_000, 2, 1_000, 200_000, 0.5, 1, 2_400_000, 1),
            new ServerSample(8, T0 + 3_599_000, 3, 1_200, 240_000, 0.25, 1, 2_500_000, 1),
            new ServerSample(9, T0 + 3_600_000, 3, 1_500, 250_000, -1, 2, 2_500_000, 1)));

    final List<String> kicked = new CopyOnWriteArrayList<>();
    final List<String> limits = new CopyOnWriteArrayList<>();
    final List<String> stopped = new CopyOnWriteArrayList<>();

    static ClientStats client(String id, String app, String ip, long bytesIn, long bytesOut) {
        return new ClientStats(id, app, "_definst_", ip, 50_000 + Integer.parseInt(id), "rtmp", "LNX 9,0,124,2",
                "http://example.com/player.swf", "http://example.com/", "rtmp://example.com/" + app,
                0.0, T0 + 5_000, bytesIn, bytesOut, 11, 22, 1, 35, 800, 250_000, 3, 4, 300, 4_000, 512,
                5, 6, 700, 8_000, 0, 1_000_000, 1);
    }

    private static boolean matches(String filter, String value) {
        return filter == null || filter.equals(value);
    }

    @Override
    public ServerStats server() {
        return server;
    }

    @Override
    public List<AppStats> applications() {
        return List.copyOf(apps);
    }

    @Override
    public Optional<AppStats> application(String app) {
        return apps.stream().filter(a -> a.name().equals(app)).findFirst();
    }

    @Override
    public List<InstanceStats> instances(String app) {
        return instances.stream().filter(i -> matches(app, i.app())).toList();
    }

    @Override
    public Optional<InstanceStats> instance(String app, String instance) {
        return instances.stream().filter(i -> i.app().equals(app) && i.instance().equals(instance)).findFirst();
    }

    @Override
    public List<ClientStats> clients(String app, String instance) {
        return clients.stream().filter(c -> matches(app, c.app()) && matches(instance, c.instance())).toList();
    }

    @Override
    public Optional<ClientStats> client(String clientId) {
        return clients.stream().filter(c -> c.clientId().equals(clientId)).findFirst();
    }

    @Override
    public List<StreamStats> liveStreams(String app, String instance) {
        return streams.stream().filter(s -> matches(app, s.app()) && matches(instance, s.instance())).toList();
    }

    @Override
    public Optional<StreamStats> liveStream(String app, String instance, String name) {
        return streams.stream().filter(s -> s.app().equals(app) && s.instance().equals(instance)
                && s.name().equals(name)).findFirst();
    }

    @Override
    public List<NetStreamStats> netStreams(String app, String instance) {
        return netStreams.stream().filter(n -> matches(app, n.app()) && matches(instance, n.instance())).toList();
    }

    @Override
    public List<ServerSample> history(long afterSeq) {
        return history.stream().filter(s -> s.seq() > afterSeq).toList();
    }

    @Override
    public boolean kick(String clientId) {
        kicked.add(clientId);
        return clients.removeIf(c -> c.clientId().equals(clientId));
    }

    @Override
    public boolean setBandwidthLimit(String clientId, long out, long in) {
        limits.add(clientId + "|" + out + "|" + in);
        return clients.stream().anyMatch(c -> c.clientId().equals(clientId));
    }

    @Override
    public boolean stopStream(String app, String instance, String name) {
        stopped.add(app + "|" + instance + "|" + name);
        Predicate<StreamStats> it = s -> s.app().equals(app) && s.instance().equals(instance)
                && Objects.equals(s.name(), name) && s.publisherClientId() != null;
        return streams.removeIf(it);
    }

    final List<String> reloaded = new java.util.concurrent.CopyOnWriteArrayList<>();
    final List<String> unloaded = new java.util.concurrent.CopyOnWriteArrayList<>();

    @Override
    public List<io.millrace.server.monitor.SharedObjectStats> sharedObjects(String app, String instance) {
        return instance(app, instance).isEmpty() ? List.of() : List.of(new io.millrace.server.monitor.SharedObjectStats(
                app, instance, "users", false, 7, 2, 2, 40));
    }

    @Override
    public boolean reloadApp(String app) {
        reloaded.add(app);
        return !app.equals("broken");
    }

    @Override
    public boolean unloadInstance(String app, String instance) {
        unloaded.add(app + "/" + instance);
        return instance(app, instance).isPresent();
    }

    /** Replaces the stream list (for metric churn tests). */
    void setStreams(List<StreamStats> newStreams) {
        streams.clear();
        streams.addAll(new ArrayList<>(newStreams));
    }
}
