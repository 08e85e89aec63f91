package io.millrace.server.monitor;

import io.millrace.server.session.Application;
import io.millrace.server.session.RtmpSession;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.channel.group.ChannelGroup;
import io.netty.util.internal.PlatformDependent;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryUsage;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Predicate;

/**
 * The live {@link Monitoring} of one server: a registry of connected clients (added when an application
 * accepts them, removed when they leave), per-application and per-instance totals, and a sampler thread
 * that once a second records every client's byte counters (for the bandwidth over the last
 * {@value ClientStats#BW_WINDOW_SECONDS} seconds) and the process's CPU time, then appends the
 * server-wide figures to a {@link ServerHistory} of the last ten minutes. The event loops only bump
 * counters; everything here reads them from the admin side.
 */
public final class ServerMonitor implements Monitoring {
    private static final Logger LOG = LoggerFactory.getLogger(ServerMonitor.class);
    private static final String VERSION = "Millrace/" + RtmpSession.FMS_VERSION;

    private final Map<String, Application> applications;
    private final ChannelGroup channels;
    private volatile Map<String, io.millrace.server.app.AppHost> hosts = Map.of();
    private final AccessLog accessLog;
    private final long launchTimeMillis = System.currentTimeMillis();
    private final long launchNanos = System.nanoTime();
    private final ConcurrentHashMap<String, RtmpSession> clients = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, Totals> apps = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, Totals> instances = new ConcurrentHashMap<>();
    private final Totals server = new Totals();
    private final ScheduledExecutorService sampler;
    private final ServerHistory history = new ServerHistory(ServerHistory.DEFAULT_CAPACITY);
    private volatile double cpuUsage = -1;
    private long lastCpuNanos = -1;
    private long lastSampleNanos;
    private long sampleSeq;

    /** Accumulated figures of one scope (server, application or instance). */
    static final class Totals {
        final long launchTimeMillis = System.currentTimeMillis();
        final AtomicLong accepted = new AtomicLong();
        final AtomicLong rejected = new AtomicLong();
        final AtomicLong disconnected = new AtomicLong();
        /** Bytes and messages of the clients that have left (the connected ones are added when read). */
        final AtomicLong bytesIn = new AtomicLong();
        final AtomicLong bytesOut = new AtomicLong();
        final AtomicLong msgIn = new AtomicLong();
        final AtomicLong msgOut = new AtomicLong();
        final AtomicLong msgDropped = new AtomicLong();
    }

    public ServerMonitor(Map<String, Application> applications, ChannelGroup channels) {
        this(applications, channels, AccessLog.OFF);
    }

    public ServerMonitor(Map<String, Application> applications, ChannelGroup channels, AccessLog accessLog) {
        this.accessLog = accessLog;
        this.applications = applications;
        this.channels = channels;
        applications.keySet().forEach(name -> apps.put(name, new Totals()));
        this.sampler = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "millrace-stats");
            t.setDaemon(true);
            return t;
        });
        sampler.scheduleAtFixedRate(this::sample, ServerHistory.INTERVAL_MILLIS, ServerHistory.INTERVAL_MILLIS,
                TimeUnit.MILLISECONDS);
    }

    public void stop() {
        sampler.shutdownNow();
    }

    // ---- what sessions report ---------------------------------------------------------------

    /** The access log the server's sessions write to ({@link AccessLog#OFF} when it is switched off). */
    public AccessLog accessLog() {
        return accessLog;
    }

    /** An application accepted the client. */
    public void connected(RtmpSession s) {
        clients.put(s.clientId(), s);
        server.accepted.incrementAndGet();
        totals(s.target().app()).accepted.incrementAndGet();
        instances.computeIfAbsent(instanceKey(s.target().app(), s.target().instance()), k -> new Totals())
                .accepted.incrementAndGet();
    }

    /** A connect was refused (unknown application, or the application said no). */
    public void rejected(String app) {
        server.rejected.incrementAndGet();
        Totals t = apps.get(app);
        if (t != null) {
            t.rejected.incrementAndGet();
        }
    }

    /** A connected client left: its figures join the totals. */
    public void disconnected(RtmpSession s) {
        if (clients.remove(s.clientId()) == null) {
            return;
        }
        ClientStats c = s.stats();
        String key = instanceKey(s.target().app(), s.target().instance());
        Totals inst = instances.get(key);
        for (Totals t : new Totals[] {server, totals(s.target().app()), inst}) {
            if (t == null) {
                continue;
            }
            t.disconnected.incrementAndGet();
            t.bytesIn.addAndGet(c.bytesIn());
            t.bytesOut.addAndGet(c.bytesOut());
            t.msgIn.addAndGet(c.msgIn());
            t.msgOut.addAndGet(c.msgOut());
            t.msgDropped.addAndGet(c.msgDropped());
        }
        // An instance is unloaded when its last client leaves and it has no live stream.
        if (inst != null && clientsOf(s.target().app(), s.target().instance()).isEmpty()
                && liveStreams(s.target().app(), s.target().instance()).isEmpty()) {
            instances.remove(key, inst);
        }
    }

    private Totals totals(String app) {
        return apps.computeIfAbsent(app, k -> new Totals());
    }

    private static String instanceKey(String app, String instance) {
        return app + "/" + instance;
    }

    // ---- sampling ---------------------------------------------------------------------------

    private void sample() {
        long now = System.nanoTime();
        for (RtmpSession s : clients.values()) {
            s.sampleBandwidth(now);
        }
        java.lang.management.OperatingSystemMXBean os = ManagementFactory.getOperatingSystemMXBean();
        if (os instanceof com.sun.management.OperatingSystemMXBean sun) {
            long cpu = sun.getProcessCpuTime();
            if (cpu >= 0 && lastCpuNanos >= 0 && now > lastSampleNanos) {
                cpuUsage = (double) (cpu - lastCpuNanos) / (now - lastSampleNanos);
            }
            lastCpuNanos = cpu;
        }
        lastSampleNanos = now;
        try {
            history.add(summary());
        } catch (RuntimeException e) {
            // A failed tick must not end the sampler (a scheduled task that throws is never run again).
            LOG.warn("server history sample failed", e);
        }
    }

    /** The server-wide figures of this tick (sampler thread only: it numbers them). */
    private ServerSample summary() {
        long bwIn = 0;
        long bwOut = 0;
        for (RtmpSession s : clients.values()) {
            ClientStats c = s.stats();
            bwIn += c.bwIn();
            bwOut += c.bwOut();
        }
        List<StreamStats> live = liveStreams(null, null);
        long bitrate = 0;
        int viewers = 0;
        for (StreamStats s : live) {
            bitrate += s.bitrateIn();
            viewers += s.viewers();
        }
        return new ServerSample(++sampleSeq, System.currentTimeMillis(), channels.size(), bwIn, bwOut, cpuUsage,
                live.size(), bitrate, viewers);
    }

    // ---- Monitoring -------------------------------------------------------------------------

    @Override
    public ServerStats server() {
        List<ClientStats> all = clients(null, null);
        MemoryUsage heap = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage();
        long direct = PlatformDependent.usedDirectMemory();
        if (direct < 0) {
            direct = PooledByteBufAllocator.DEFAULT.metric().usedDirectMemory();
        }
        int netStreams = 0;
        for (RtmpSession s : clients.values()) {
            netStreams += s.activeStreamCount();
        }
        return new ServerStats(VERSION, launchTimeMillis, (System.nanoTime() - launchNanos) / 1_000_000_000L,
                channels.size(), server.accepted.get(), server.disconnected.get(), server.rejected.get(),
                server.bytesIn.get() + sum(all, ClientStats::bytesIn), server.bytesOut.get() + sum(all, ClientStats::bytesOut),
                sum(all, ClientStats::bwIn), sum(all, ClientStats::bwOut),
                server.msgIn.get() + sum(all, ClientStats::msgIn), server.msgOut.get() + sum(all, ClientStats::msgOut),
                server.msgDropped.get() + sum(all, ClientStats::msgDropped),
                cpuUsage, Runtime.getRuntime().availableProcessors(), heap.getUsed(), heap.getMax(), direct,
                liveStreams(null, null).size(), netStreams);
    }

    private static long sum(List<ClientStats> list, java.util.function.ToLongFunction<ClientStats> f) {
        long n = 0;
        for (ClientStats c : list) {
            n += f.applyAsLong(c);
        }
        return n;
    }

    @Override
    public List<AppStats> applications() {
        List<AppStats> out = new ArrayList<>();
        for (String name : applications.keySet()) {
            application(name).ifPresent(out::add);
        }
        return out;
    }

    @Override
    public Optional<AppStats> application(String app) {
        Application a = applications.get(app);
        if (a == null) {
            return Optional.empty();
        }
        Totals t = totals(app);
        List<ClientStats> cs = clients(app, null);
        int instanceCount = instances(app).size();
        return Optional.of(new AppStats(app, a.type(), t.launchTimeMillis, cs.size(), t.accepted.get(), t.rejected.get(),
                t.disconnected.get(), t.bytesIn.get() + sum(cs, ClientStats::bytesIn),
                t.bytesOut.get() + sum(cs, ClientStats::bytesOut), sum(cs, ClientStats::bwIn), sum(cs, ClientStats::bwOut),
                t.msgIn.get() + sum(cs, ClientStats::msgIn), t.msgOut.get() + sum(cs, ClientStats::msgOut),
                t.msgDropped.get() + sum(cs, ClientStats::msgDropped), instanceCount, a.liveStreams(null).size()));
    }

    @Override
    public List<InstanceStats> instances(String app) {
        List<InstanceStats> out = new ArrayList<>();
        for (String key : instances.keySet()) {
            int slash = key.indexOf('/');
            String a = key.substring(0, slash);
            if (app == null || app.equals(a)) {
                instance(a, key.substring(slash + 1)).ifPresent(out::add);
            }
        }
        out.sort(Comparator.comparing(InstanceStats::app).thenComparing(InstanceStats::instance));
        return out;
    }

    @Override
    public Optional<InstanceStats> instance(String app, String instance) {
        Totals t = instances.get(instanceKey(app, instance));
        Application a = applications.get(app);
        if (t == null || a == null) {
            return Optional.empty();
        }
        List<ClientStats> cs = clients(app, instance);
        return Optional.of(new InstanceStats(app, instance, t.launchTimeMillis, cs.size(), t.accepted.get(),
                t.rejected.get(), t.disconnected.get(), t.bytesIn.get() + sum(cs, ClientStats::bytesIn),
                t.bytesOut.get() + sum(cs, ClientStats::bytesOut), sum(cs, ClientStats::bwIn), sum(cs, ClientStats::bwOut),
                t.msgIn.get() + sum(cs, ClientStats::msgIn), t.msgOut.get() + sum(cs, ClientStats::msgOut),
                t.msgDropped.get() + sum(cs, ClientStats::msgDropped), a.liveStreams(instance).size()));
    }

    @Override
    public List<ClientStats> clients(String app, String instance) {
        List<ClientStats> out = new ArrayList<>();
        for (RtmpSession s : clientsOf(app, instance)) {
            out.add(s.stats());
        }
        out.sort(Comparator.comparingLong(c -> Long.parseLong(c.clientId())));
        return out;
    }

    private List<RtmpSession> clientsOf(String app, String instance) {
        Predicate<RtmpSession> match = s -> (app == null || app.equals(s.target().app()))
                && (instance == null || instance.equals(s.target().instance()));
        List<RtmpSession> out = new ArrayList<>();
        for (RtmpSession s : clients.values()) {
            if (match.test(s)) {
                out.add(s);
            }
        }
        return out;
    }

    @Override
    public Optional<ClientStats> client(String clientId) {
        RtmpSession s = clientId == null ? null : clients.get(clientId);
        return s == null ? Optional.empty() : Optional.of(s.stats());
    }

    @Override
    public List<StreamStats> liveStreams(String app, String instance) {
        List<StreamStats> out = new ArrayList<>();
        for (Map.Entry<String, Application> e : applications.entrySet()) {
            if (app == null || app.equals(e.getKey())) {
                out.addAll(e.getValue().liveStreams(instance));
            }
        }
        return out;
    }

    @Override
    public Optional<StreamStats> liveStream(String app, String instance, String name) {
        return liveStreams(app, instance).stream().filter(s -> s.name().equals(name)).findFirst();
    }

    @Override
    public List<NetStreamStats> netStreams(String app, String instance) {
        List<NetStreamStats> out = new ArrayList<>();
        for (RtmpSession s : clientsOf(app, instance)) {
            out.addAll(s.netStreamStats());
        }
        out.sort(Comparator.comparingLong((NetStreamStats n) -> Long.parseLong(n.clientId()))
                .thenComparingInt(NetStreamStats::streamId));
        return out;
    }

    @Override
    public List<ServerSample> history(long afterSeq) {
        return history.after(afterSeq);
    }

    @Override
    public boolean kick(String clientId) {
        RtmpSession s = clientId == null ? null : clients.get(clientId);
        if (s == null) {
            return false;
        }
        s.kick();
        return true;
    }

    @Override
    public boolean setBandwidthLimit(String clientId, long out, long in) {
        RtmpSession s = clientId == null ? null : clients.get(clientId);
        if (s == null) {
            return false;
        }
        s.setBandwidthLimit(out, in);
        return true;
    }

    @Override
    public boolean stopStream(String app, String instance, String name) {
        Application a = app == null ? null : applications.get(app);
        return a != null && a.stopStream(instance == null ? "_definst_" : instance, name);
    }

    /** The application hosts (code, instances, shared objects), set once the server has made them. */
    public void hosts(Map<String, io.millrace.server.app.AppHost> hosts) {
        this.hosts = Map.copyOf(hosts);
    }

    @Override
    public List<SharedObjectStats> sharedObjects(String app, String instance) {
        io.millrace.server.app.AppHost h = app == null ? null : hosts.get(app);
        io.millrace.server.app.AppInstance i = h == null ? null : h.instance(instance == null ? "_definst_" : instance);
        if (i == null) {
            return List.of();
        }
        return i.sharedObjectInfo().stream().map(o -> new SharedObjectStats(app, i.name(), o.name(), o.persistent(),
                o.version(), o.subscribers(), o.properties(), o.bytes())).toList();
    }

    @Override
    public boolean reloadApp(String app) {
        io.millrace.server.app.AppHost h = app == null ? null : hosts.get(app);
        return h != null && h.reloadNow("reloaded by the administrator");
    }

    @Override
    public boolean unloadInstance(String app, String instance) {
        io.millrace.server.app.AppHost h = app == null ? null : hosts.get(app);
        return h != null && h.unload(instance == null ? "_definst_" : instance, "unloaded by the administrator");
    }
}
