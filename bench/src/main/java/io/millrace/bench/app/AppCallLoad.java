package io.millrace.bench.app;

import io.millrace.amf.AmfObject;
import io.millrace.rtmp.client.ClientEvent;
import io.millrace.rtmp.client.RtmpClient;
import io.millrace.rtmp.so.SharedObjectEvent;
import io.millrace.server.MillraceServer;
import io.millrace.server.config.ConfigLoader;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

/**
 * Server-side application load: the example chat application (examples/chat) in a Millrace server started
 * in this JVM, and N clients of one room.
 *
 * <ol>
 *   <li><b>Calls</b>: every client calls {@code whoami} (a {@code @Remote} method, answered with an object) over
 *       and over, one call at a time, for the given seconds: round trips per second in all, and the latency of
 *       each (median, p99, max). Each round trip crosses the client's event loop, the room's executor and back.</li>
 *   <li><b>Shared object fan-out</b>: every client subscribes to the persistent {@code history} object; one
 *       client sets {@code topic} 200 times, one change at a time: the time from its request until the last
 *       subscriber has the change (median, p99).</li>
 * </ol>
 *
 * <pre>java -cp bench/target/benchmarks.jar io.millrace.bench.app.AppCallLoad --clients 50 --seconds 10
 *   [--jar examples/chat/target/chat.jar]</pre>
 */
public final class AppCallLoad {
    private static final Duration WAIT = Duration.ofSeconds(10);

    private AppCallLoad() {
    }

    public static void main(String[] args) throws Exception {
        int clients = 50;
        int seconds = 10;
        Path jar = Path.of("examples/chat/target/chat.jar");
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--clients" -> clients = Integer.parseInt(args[++i]);
                case "--seconds" -> seconds = Integer.parseInt(args[++i]);
                case "--jar" -> jar = Path.of(args[++i]);
                default -> {
                    System.err.println("usage: AppCallLoad [--clients N] [--seconds S] [--jar chat.jar]");
                    System.exit(2);
                }
            }
        }
        if (!Files.isRegularFile(jar)) {
            System.err.println(jar + " not found: build the example first (mvn -q install -DskipTests)");
            System.exit(2);
        }
        Path root = Files.createTempDirectory("appcallload");
        Path app = Files.createDirectories(root.resolve("apps/chat"));
        Files.copy(jar, app.resolve("chat.jar"));
        Files.writeString(app.resolve("app.yaml"), "class: io.millrace.examples.chat.ChatRoom\nsettings:\n  maxUsers: 100000\n");
        var cfg = ConfigLoader.loadText("rtmp:\n  port: 0\n  bind: 127.0.0.1\n  maxConnections: 0\n  maxConnectionsPerIp: 0\n"
                + "  maxConnectionRatePerIp: 0\n  idleTimeoutMillis: 0\n  pingIntervalMillis: 0\nhttp:\n  port: 0\n"
                + "accessLog:\n  enabled: false\napps:\n  folder: " + root.resolve("apps") + "\n", "appcallload", root)
                .withDirs(root, root.resolve("data"));
        MillraceServer server = new MillraceServer(cfg);
        server.start();
        List<RtmpClient> cs = new ArrayList<>();
        ExecutorService pool = Executors.newFixedThreadPool(clients);
        try {
            for (int i = 0; i < clients; i++) {
                RtmpClient c = RtmpClient.open("127.0.0.1", server.rtmpPort(), RtmpClient.Options.plain());
                double tid = c.sendConnect("chat/lobby", "rtmp://127.0.0.1:" + server.rtmpPort() + "/chat/lobby", "user" + i);
                ClientEvent.CommandEvent r = answer(c, tid);
                if (!"NetConnection.Connect.Success".equals(r.code())) {
                    throw new IllegalStateException("connect: " + r.code());
                }
                cs.add(c);
            }
            calls(cs, pool, 2); // warm-up
            long[] lat = calls(cs, pool, seconds);
            System.out.printf(Locale.ROOT, "calls: %d clients, %d s: %d round trips, %.0f/s; latency median %.3f ms, p99 %.3f ms, max %.3f ms%n",
                    clients, seconds, lat.length, lat.length / (double) seconds, pct(lat, 0.5), pct(lat, 0.99), pct(lat, 1.0));
            long[] fan = fanOut(cs, 20);
            fan = fanOut(cs, 200);
            System.out.printf(Locale.ROOT, "shared object fan-out to %d subscribers, %d changes: median %.3f ms, p99 %.3f ms%n",
                    clients, fan.length, pct(fan, 0.5), pct(fan, 0.99));
        } finally {
            pool.shutdownNow();
            cs.forEach(RtmpClient::close);
            server.stop();
        }
    }

    private static ClientEvent.CommandEvent answer(RtmpClient c, double tid) throws Exception {
        return (ClientEvent.CommandEvent) c.await(e -> e instanceof ClientEvent.CommandEvent ce
                && ce.command().transactionId() == tid, WAIT);
    }

    /** Each client calls whoami in a loop for {@code seconds}; the latencies of every round trip, in ns. */
    private static long[] calls(List<RtmpClient> cs, ExecutorService pool, int seconds) throws Exception {
        long end = System.nanoTime() + seconds * 1_000_000_000L;
        List<Future<long[]>> fs = new ArrayList<>();
        for (RtmpClient c : cs) {
            fs.add(pool.submit(() -> {
                long[] l = new long[1 << 16];
                int n = 0;
                while (System.nanoTime() < end) {
                    long t0 = System.nanoTime();
                    ClientEvent.CommandEvent r = answer(c, c.send("whoami", null));
                    if (!"_result".equals(r.name()) || !(r.command().arguments().get(0) instanceof AmfObject)) {
                        throw new IllegalStateException("whoami answered " + r.name());
                    }
                    if (n == l.length) {
                        l = Arrays.copyOf(l, n * 2);
                    }
                    l[n++] = System.nanoTime() - t0;
                }
                return Arrays.copyOf(l, n);
            }));
        }
        List<long[]> all = new ArrayList<>();
        for (Future<long[]> f : fs) {
            all.add(f.get(seconds + 30L, TimeUnit.SECONDS));
        }
        return all.stream().flatMapToLong(Arrays::stream).sorted().toArray();
    }

    /** One client sets history.topic {@code changes} times; ns until every client has seen each change. */
    private static long[] fanOut(List<RtmpClient> cs, int changes) throws Exception {
        for (RtmpClient c : cs) {
            c.useSharedObject("history", true);
        }
        for (RtmpClient c : cs) {
            c.await(e -> e instanceof ClientEvent.SharedObject so && so.has(SharedObjectEvent.UseSuccess.class), WAIT);
        }
        long[] lat = new long[changes];
        RtmpClient writer = cs.get(0);
        for (int k = 0; k < changes; k++) {
            String value = "topic " + k + " " + System.nanoTime();
            long t0 = System.nanoTime();
            writer.setSharedObjectProperty("history", true, "topic", value);
            for (RtmpClient c : cs) {
                c.await(e -> e instanceof ClientEvent.SharedObject so && so.events().stream().anyMatch(ev ->
                        ev instanceof SharedObjectEvent.Success
                                || ev instanceof SharedObjectEvent.Change ch && value.equals(ch.value())), WAIT);
            }
            lat[k] = System.nanoTime() - t0;
        }
        for (RtmpClient c : cs) {
            c.releaseSharedObject("history", true);
        }
        Arrays.sort(lat);
        return lat;
    }

    private static double pct(long[] sorted, double p) {
        if (sorted.length == 0) {
            return Double.NaN;
        }
        int i = (int) Math.min(sorted.length - 1, Math.ceil(p * sorted.length) - 1);
        return sorted[Math.max(0, i)] / 1e6;
    }
}
