package io.millrace.server.http;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.millrace.server.monitor.AppStats;
import io.millrace.server.monitor.ServerStats;
import io.millrace.server.monitor.StreamStats;
import org.junit.jupiter.api.Test;

import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code /metrics}: the exposition format, Millrace's values from the fake, tagged meters that follow streams. */
class MonitoringMetricsTest {

    private static final String CAM = PromText.key("millrace_live_stream_viewers",
            Map.of("app", "live", "instance", "_definst_", "stream", "cam one"));

    @Test
    void scrapeShowsMonitoringValuesInPrometheusText() throws Exception {
        try (HttpTestServer http = HttpTestServer.start()) {
            HttpResponse<String> r = http.get("/metrics");
            assertThat(r.statusCode()).isEqualTo(200);
            assertThat(r.headers().firstValue("Content-Type")).contains("text/plain; version=0.0.4; charset=utf-8");
            assertThat(r.body()).contains("\nmillrace_connections 3.0\n");

            PromText p = PromText.parse(r.body());
            assertThat(p.types).containsEntry("millrace_connections", "gauge")
                    .containsEntry("millrace_live_streams", "gauge")
                    .containsEntry("millrace_live_stream_viewers", "gauge")
                    .containsEntry("millrace_app_connections", "gauge");
            assertThat(p.samples).containsEntry("millrace_connections", 3.0)
                    .containsEntry("millrace_connects_total", 42.0)
                    .containsEntry("millrace_disconnects_total", 39.0)
                    .containsEntry("millrace_connects_rejected_total", 5.0)
                    .containsEntry("millrace_network_in_bytes_total", 123_456_789.0)
                    .containsEntry("millrace_network_out_bytes_total", 987_654_321.0)
                    .containsEntry("millrace_messages_in_total", 1_000.0)
                    .containsEntry("millrace_messages_out_total", 2_000.0)
                    .containsEntry("millrace_messages_dropped_total", 7.0)
                    .containsEntry("millrace_live_streams", 2.0)
                    .containsEntry("millrace_netstreams", 3.0)
                    .containsEntry("millrace_app_connections{app=\"live\"}", 2.0)
                    .containsEntry("millrace_app_connections{app=\"vod\"}", 1.0)
                    .containsEntry("millrace_app_network_in_bytes_total{app=\"live\"}", 5_000.0)
                    .containsEntry("millrace_app_network_out_bytes_total{app=\"vod\"}", 90_000.0)
                    .containsEntry(CAM, 1.0)
                    .containsEntry(PromText.key("millrace_live_stream_viewers",
                            Map.of("app", "live", "instance", "_definst_", "stream", "a/b&c<d>")), 0.0);
            assertThat(p.types).containsEntry("millrace_connects_total", "counter")
                    .containsEntry("millrace_network_in_bytes_total", "counter")
                    .containsEntry("millrace_messages_dropped_total", "counter")
                    .containsEntry("millrace_app_network_out_bytes_total", "counter");
            // JVM and process binders.
            assertThat(p.series("jvm_memory_used_bytes")).isNotEmpty();
            assertThat(p.series("jvm_threads_live_threads")).isNotEmpty();
            assertThat(p.series("process_uptime_seconds")).isNotEmpty();
            assertThat(p.series("system_cpu_count")).isNotEmpty();
        }
    }

    @Test
    void scrapeFollowsTheCurrentValues() throws Exception {
        try (HttpTestServer http = HttpTestServer.start()) {
            ServerStats s = http.monitoring.server;
            http.monitoring.server = new ServerStats(s.version(), s.launchTimeMillis(), s.uptimeSeconds(), 17,
                    s.totalConnects() + 1, s.totalDisconnects(), s.rejectedConnects(), s.bytesIn() + 1_000, s.bytesOut(),
                    s.bwIn(), s.bwOut(), s.msgIn(), s.msgOut(), s.msgDropped(), s.cpuUsage(), s.cores(),
                    s.heapUsedBytes(), s.heapMaxBytes(), s.directMemoryUsedBytes(), s.liveStreams(), s.netStreams());
            PromText p = PromText.parse(http.get("/metrics").body());
            assertThat(p.samples).containsEntry("millrace_connections", 17.0)
                    .containsEntry("millrace_connects_total", 43.0)
                    .containsEntry("millrace_network_in_bytes_total", 123_457_789.0);
        }
    }

    @Test
    void metersOfEndedStreamsAndRemovedAppsGoAway() throws Exception {
        try (HttpTestServer http = HttpTestServer.start()) {
            assertThat(PromText.parse(http.get("/metrics").body()).samples).containsKey(CAM);

            StreamStats cam = http.monitoring.streams.get(0);
            StreamStats other = new StreamStats("live", "room2", "guest", "9", "live", 0, 0, null, null, 0, 0, 0,
                    0, 0, 0, 0, 0, 0, 3, List.of("10", "11", "12"));
            http.monitoring.setStreams(List.of(other));
            http.monitoring.apps.removeIf(a -> a.name().equals("vod"));

            PromText p = PromText.parse(http.get("/metrics").body());
            assertThat(p.samples).doesNotContainKey(CAM);
            assertThat(p.series("millrace_live_stream_viewers")).containsExactly(PromText.key(
                    "millrace_live_stream_viewers", Map.of("app", "live", "instance", "room2", "stream", "guest")));
            assertThat(p.samples.get(p.series("millrace_live_stream_viewers").get(0))).isEqualTo(3.0);
            assertThat(p.series("millrace_app_connections")).containsExactly("millrace_app_connections{app=\"live\"}");
            assertThat(p.series("millrace_app_network_in_bytes_total")).hasSize(1);

            // The stream comes back: its series too, with the current value.
            http.monitoring.setStreams(List.of(cam, other));
            http.monitoring.apps.add(new AppStats("vod", "vod", 0, 6, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0));
            PromText back = PromText.parse(http.get("/metrics").body());
            assertThat(back.samples).containsEntry(CAM, 1.0).containsEntry("millrace_app_connections{app=\"vod\"}", 6.0);
        }
    }

    @Test
    void oneSnapshotServesAWholeScrape() {
        FakeMonitoring fake = new FakeMonitoring();
        AtomicInteger serverCalls = new AtomicInteger();
        AtomicInteger streamCalls = new AtomicInteger();
        CountingMonitoring counting = new CountingMonitoring(fake, serverCalls, streamCalls);
        AtomicLong nanos = new AtomicLong();
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        try (MonitoringMetrics metrics = new MonitoringMetrics(counting, Duration.ofSeconds(1), nanos::get)) {
            metrics.bindTo(registry);
            serverCalls.set(0);
            streamCalls.set(0);
            metrics.refresh();
            registry.scrape();
            registry.scrape();
            assertThat(serverCalls.get()).isEqualTo(1);
            assertThat(streamCalls.get()).isEqualTo(1);

            // Older than the cache's age: the next read takes one new snapshot.
            nanos.addAndGet(Duration.ofSeconds(2).toNanos());
            String text = registry.scrape();
            assertThat(serverCalls.get()).isEqualTo(2);
            assertThat(PromText.parse(text).samples).containsEntry("millrace_connections", 3.0);
        } finally {
            registry.close();
        }
    }

    /** Delegates to a {@link FakeMonitoring}, counting server and live-stream snapshots. */
    private static final class CountingMonitoring implements io.millrace.server.monitor.Monitoring {
        private final FakeMonitoring d;
        private final AtomicInteger serverCalls;
        private final AtomicInteger streamCalls;

        CountingMonitoring(FakeMonitoring d, AtomicInteger serverCalls, AtomicInteger streamCalls) {
            this.d = d;
            this.serverCalls = serverCalls;
            this.streamCalls = streamCalls;
        }

        @Override
        public ServerStats server() {
            serverCalls.incrementAndGet();
            return d.server();
        }

        @Override
        public List<AppStats> applications() {
            return d.applications();
        }

        @Override
        public java.util.Optional<AppStats> application(String app) {
            return d.application(app);
        }

        @Override
        public List<io.millrace.server.monitor.InstanceStats> instances(String app) {
            return d.instances(app);
        }

        @Override
        public java.util.Optional<io.millrace.server.monitor.InstanceStats> instance(String app, String instance) {
            return d.instance(app, instance);
        }

        @Override
        public List<io.millrace.server.monitor.ClientStats> clients(String app, String instance) {
            return d.clients(app, instance);
        }

        @Override
        public java.util.Optional<io.millrace.server.monitor.ClientStats> client(String clientId) {
            return d.client(clientId);
        }

        @Override
        public List<StreamStats> liveStreams(String app, String instance) {
            streamCalls.incrementAndGet();
            return d.liveStreams(app, instance);
        }

        @Override
        public java.util.Optional<StreamStats> liveStream(String app, String instance, String name) {
            return d.liveStream(app, instance, name);
        }

        @Override
        public List<io.millrace.server.monitor.NetStreamStats> netStreams(String app, String instance) {
            return d.netStreams(app, instance);
        }

        @Override
        public List<io.millrace.server.monitor.ServerSample> history(long afterSeq) {
            return d.history(afterSeq);
        }

        @Override
        public boolean kick(String clientId) {
            return d.kick(clientId);
        }

        @Override
        public boolean setBandwidthLimit(String clientId, long out, long in) {
            return d.setBandwidthLimit(clientId, out, in);
        }

        @Override
        public boolean stopStream(String app, String instance, String name) {
            return d.stopStream(app, instance, name);
        }

        @Override
        public java.util.List<io.millrace.server.monitor.SharedObjectStats> sharedObjects(String app, String instance) {
            return d.sharedObjects(app, instance);
        }

        @Override
        public boolean reloadApp(String app) {
            return d.reloadApp(app);
        }

        @Override
        public boolean unloadInstance(String app, String instance) {
            return d.unloadInstance(app, instance);
        }
    }
}
