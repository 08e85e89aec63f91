package io.millrace.server.http;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.MultiGauge;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.binder.BaseUnits;
import io.micrometer.core.instrument.binder.MeterBinder;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.FileDescriptorMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.millrace.server.monitor.AppStats;
import io.millrace.server.monitor.Monitoring;
import io.millrace.server.monitor.ServerStats;
import io.millrace.server.monitor.StreamStats;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.LongSupplier;
import java.util.function.ToDoubleFunction;

/**
 * Micrometer meters that read {@link Monitoring}, plus the JVM and process binders. Every metric name of
 * Millrace lives here. Names as Prometheus shows them:
 *
 * <pre>
 * millrace_connections                      gauge    RTMP connections open now
 * millrace_connects_total                   counter  connections accepted by an application
 * millrace_disconnects_total                counter
 * millrace_connects_rejected_total          counter  connects refused (unknown app, rejected)
 * millrace_network_in_bytes_total           counter  RTMP bytes client to server (chunk headers included)
 * millrace_network_out_bytes_total          counter  RTMP bytes server to client
 * millrace_messages_in_total                counter  RTMP messages received
 * millrace_messages_out_total               counter  RTMP messages sent
 * millrace_messages_dropped_total           counter  messages dropped (slow viewers)
 * millrace_live_streams                     gauge
 * millrace_netstreams                       gauge    NetStreams playing or publishing
 * millrace_app_connections{app}             gauge
 * millrace_app_network_in_bytes_total{app}  counter
 * millrace_app_network_out_bytes_total{app} counter
 * millrace_live_stream_viewers{app,instance,stream}  gauge
 * </pre>
 * and Micrometer's JVM and process meters ({@code jvm_memory_*}, {@code jvm_gc_*}, {@code jvm_threads_*},
 * {@code jvm_classes_*}, {@code process_cpu_usage}, {@code system_cpu_*}, {@code process_uptime_seconds},
 * {@code process_files_*}).
 *
 * <p>Snapshots: the meters read one cached snapshot (server, applications, live streams) that is taken
 * again when it is older than {@code maxAge} (one second by default), so one scrape costs one snapshot,
 * not one per meter. {@link #refresh()} takes a snapshot now and brings the tagged meters up to date:
 * meters of applications and streams that appeared are registered, those of streams that ended are
 * removed (no series of dead streams pile up). {@link HttpAdminServer} calls it before every scrape of
 * {@code /metrics}; the untagged meters are current whoever scrapes.
 */
public final class MonitoringMetrics implements MeterBinder, AutoCloseable {

    public static final String CONNECTIONS = "millrace.connections";
    public static final String CONNECTS = "millrace.connects";
    public static final String DISCONNECTS = "millrace.disconnects";
    public static final String CONNECTS_REJECTED = "millrace.connects.rejected";
    public static final String NETWORK_IN = "millrace.network.in";
    public static final String NETWORK_OUT = "millrace.network.out";
    public static final String MESSAGES_IN = "millrace.messages.in";
    public static final String MESSAGES_OUT = "millrace.messages.out";
    public static final String MESSAGES_DROPPED = "millrace.messages.dropped";
    public static final String LIVE_STREAMS = "millrace.live.streams";
    public static final String NETSTREAMS = "millrace.netstreams";
    public static final String APP_CONNECTIONS = "millrace.app.connections";
    public static final String APP_NETWORK_IN = "millrace.app.network.in";
    public static final String APP_NETWORK_OUT = "millrace.app.network.out";
    public static final String STREAM_VIEWERS = "millrace.live.stream.viewers";

    private final Monitoring monitoring;
    private final long maxAgeNanos;
    private final LongSupplier nanoClock;

    /** Guards taking a snapshot; never held while calling into the registry (a scrape may wait on it). */
    private final Object snapshotLock = new Object();
    private volatile Snapshot snapshot;
    private volatile long snapshotAt;

    private MeterRegistry registry;
    private JvmGcMetrics gcMetrics;
    private MultiGauge viewers;
    private final Map<String, List<Meter>> appMeters = new HashMap<>();

    /** One snapshot: the server, applications by name, live streams by [app, instance, name]. */
    private record Snapshot(ServerStats server, Map<String, AppStats> apps, Map<List<String>, StreamStats> streams) {
    }

    public MonitoringMetrics(Monitoring monitoring) {
        this(monitoring, Duration.ofSeconds(1), System::nanoTime);
    }

    MonitoringMetrics(Monitoring monitoring, Duration maxAge, LongSupplier nanoClock) {
        this.monitoring = monitoring;
        this.maxAgeNanos = maxAge.toNanos();
        this.nanoClock = nanoClock;
    }

    @Override
    public synchronized void bindTo(MeterRegistry registry) {
        if (this.registry != null) {
            throw new IllegalStateException("already bound to a registry");
        }
        this.registry = registry;
        gauge(CONNECTIONS, "RTMP connections open now", s -> s.server.connections());
        counter(CONNECTS, null, "connections accepted by an application", s -> s.server.totalConnects());
        counter(DISCONNECTS, null, "connections that ended", s -> s.server.totalDisconnects());
        counter(CONNECTS_REJECTED, null, "connects refused (unknown application, rejected by it)",
                s -> s.server.rejectedConnects());
        counter(NETWORK_IN, BaseUnits.BYTES, "RTMP bytes received, client to server", s -> s.server.bytesIn());
        counter(NETWORK_OUT, BaseUnits.BYTES, "RTMP bytes sent, server to client", s -> s.server.bytesOut());
        counter(MESSAGES_IN, null, "RTMP messages received", s -> s.server.msgIn());
        counter(MESSAGES_OUT, null, "RTMP messages sent", s -> s.server.msgOut());
        counter(MESSAGES_DROPPED, null, "RTMP messages dropped", s -> s.server.msgDropped());
        gauge(LIVE_STREAMS, "live streams", s -> s.server.liveStreams());
        gauge(NETSTREAMS, "NetStreams playing or publishing", s -> s.server.netStreams());
        viewers = MultiGauge.builder(STREAM_VIEWERS).description("clients playing the live stream").register(registry);

        new JvmMemoryMetrics().bindTo(registry);
        gcMetrics = new JvmGcMetrics();
        gcMetrics.bindTo(registry);
        new JvmThreadMetrics().bindTo(registry);
        new ClassLoaderMetrics().bindTo(registry);
        new ProcessorMetrics().bindTo(registry);
        new UptimeMetrics().bindTo(registry);
        new FileDescriptorMetrics().bindTo(registry);
        refresh();
    }

    /**
     * Takes a snapshot now and registers or removes the per-application and per-stream meters to match it.
     * Call it before a scrape; cheap enough to call on every one.
     */
    public synchronized void refresh() {
        Snapshot s = load();
        if (registry == null) {
            return;
        }
        for (String app : s.apps.keySet()) {
            appMeters.computeIfAbsent(app, this::registerApp);
        }
        appMeters.entrySet().removeIf(e -> {
            if (s.apps.containsKey(e.getKey())) {
                return false;
            }
            e.getValue().forEach(registry::remove);
            return true;
        });
        List<MultiGauge.Row<?>> rows = new ArrayList<>(s.streams.size());
        for (List<String> key : s.streams.keySet()) {
            rows.add(MultiGauge.Row.of(Tags.of("app", key.get(0), "instance", key.get(1), "stream", key.get(2)),
                    this, m -> m.streamValue(key, StreamStats::viewers)));
        }
        viewers.register(rows, false);
    }

    /** Stops the GC listener. The registry belongs to the caller; its meters stay in it. */
    @Override
    public synchronized void close() {
        if (gcMetrics != null) {
            gcMetrics.close();
            gcMetrics = null;
        }
    }

    private List<Meter> registerApp(String app) {
        Tags tags = Tags.of("app", app);
        List<Meter> meters = new ArrayList<>(3);
        meters.add(Gauge.builder(APP_CONNECTIONS, this, m -> m.appValue(app, AppStats::connections))
                .description("clients connected to the application").tags(tags).strongReference(true).register(registry));
        meters.add(FunctionCounter.builder(APP_NETWORK_IN, this, m -> m.appValue(app, AppStats::bytesIn))
                .description("RTMP bytes the application's clients sent").baseUnit(BaseUnits.BYTES).tags(tags)
                .register(registry));
        meters.add(FunctionCounter.builder(APP_NETWORK_OUT, this, m -> m.appValue(app, AppStats::bytesOut))
                .description("RTMP bytes sent to the application's clients").baseUnit(BaseUnits.BYTES).tags(tags)
                .register(registry));
        return meters;
    }

    private void gauge(String name, String description, ToDoubleFunction<Snapshot> f) {
        Gauge.builder(name, this, m -> f.applyAsDouble(m.current())).description(description)
                .strongReference(true).register(registry);
    }

    private void counter(String name, String baseUnit, String description, ToDoubleFunction<Snapshot> f) {
        FunctionCounter.builder(name, this, m -> f.applyAsDouble(m.current())).description(description)
                .baseUnit(baseUnit).register(registry);
    }

    private double appValue(String app, ToDoubleFunction<AppStats> f) {
        AppStats a = current().apps.get(app);
        return a == null ? Double.NaN : f.applyAsDouble(a);
    }

    private double streamValue(List<String> key, ToDoubleFunction<StreamStats> f) {
        StreamStats st = current().streams.get(key);
        return st == null ? Double.NaN : f.applyAsDouble(st);
    }

    /** The cached snapshot, taken again when older than maxAge. */
    private Snapshot current() {
        Snapshot s = snapshot;
        if (s == null || nanoClock.getAsLong() - snapshotAt > maxAgeNanos) {
            synchronized (snapshotLock) {
                s = snapshot;
                if (s == null || nanoClock.getAsLong() - snapshotAt > maxAgeNanos) {
                    s = loadLocked();
                }
            }
        }
        return s;
    }

    private Snapshot load() {
        synchronized (snapshotLock) {
            return loadLocked();
        }
    }

    private Snapshot loadLocked() {
        Map<String, AppStats> apps = new LinkedHashMap<>();
        for (AppStats a : monitoring.applications()) {
            apps.put(a.name(), a);
        }
        Map<List<String>, StreamStats> streams = new LinkedHashMap<>();
        for (StreamStats st : monitoring.liveStreams(null, null)) {
            streams.put(List.of(st.app(), st.instance(), st.name()), st);
        }
        Snapshot s = new Snapshot(monitoring.server(), Map.copyOf(apps), Map.copyOf(streams));
        snapshot = s;
        snapshotAt = nanoClock.getAsLong();
        return s;
    }
}
