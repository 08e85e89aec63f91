package io.millrace.bench;

import io.millrace.amf.AmfObject;
import io.millrace.rtmp.client.ClientEvent;
import io.millrace.rtmp.client.RtmpClient;

import java.io.IOException;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

/**
 * VOD load runner: N RTMP players play the sample at once against a Millrace server and the runner
 * reports what was delivered, how fast, and what it cost the server.
 *
 * <p>Each player is an {@link RtmpClient} (plain handshake, AMF0) that connects to {@code vod},
 * creates a stream, sends SetBufferLength 36,000,000 ms (as rtmpdump does, so the server's pacing lets it
 * send as fast as the socket allows) and, once every player is set up, plays {@code sample}, counting
 * audio and video messages and payload bytes until {@code onPlayStatus NetStream.Play.Complete}.
 *
 * <p>The server is started in this JVM (default), in a separate JVM ({@code --external-server}, the
 * cleaner CPU and heap figures), or is one already running on a loopback address
 * ({@code --host/--port}). Only loopback addresses are accepted. The whole run is bounded by
 * {@code --timeout-seconds}: whatever has not finished by then counts as failed and the runner stops.
 *
 * <p>With {@code --window-seconds} the runner measures a fixed span of wall time instead of rounds
 * ({@link VodLoadWindow}): players play over and over and the report gives payload delivered and server CPU
 * per delivered Gbit over the window, which compares servers that pace differently
 * ({@code bench/scripts/vod-vs-nginx.sh} uses it against nginx-rtmp).
 *
 * <p>Known limitation: {@link RtmpClient} starts one event-loop thread per client, so N players mean N
 * client I/O threads plus N player threads in this JVM, which on a small machine competes with the
 * server for the same cores.
 *
 * <p>Run {@code --help} for the options.
 */
public final class VodLoad {
    private static final PrintStream OUT = System.out;

    // ---------------------------------------------------------------------------------------------
    // Options

    static final class Options {
        int players = 200;
        int rounds = 10;
        int warmupRounds = 20;
        boolean externalServer;
        String host = "127.0.0.1";
        int port = -1;
        List<Long> serverPids = new ArrayList<>();
        String app = "vod";
        String stream = "sample";
        long bufferMillis = 36_000_000L;
        int timeoutSeconds = 110;
        boolean timeoutGiven;
        int windowSeconds;
        int leadInSeconds = 10;
        int sliceSeconds = 5;
        int probeSeconds = 4;
        long probeBufferMillis = 1000;
        List<String> serverJvmArgs = new ArrayList<>();
        Path sample;

        static Options parse(String[] args) {
            Options o = new Options();
            for (int i = 0; i < args.length; i++) {
                String a = args[i];
                String v = null;
                int eq = a.indexOf('=');
                if (a.startsWith("--") && eq > 0) {
                    v = a.substring(eq + 1);
                    a = a.substring(0, eq);
                }
                switch (a) {
                    case "--help", "-h" -> {
                        usage(OUT);
                        return null;
                    }
                    case "--external-server" -> o.externalServer = true;
                    default -> {
                        if (v == null) {
                            if (i + 1 >= args.length) {
                                throw new IllegalArgumentException(a + " needs a value");
                            }
                            v = args[++i];
                        }
                        switch (a) {
                            case "--players" -> o.players = positive(a, v);
                            case "--rounds" -> o.rounds = positive(a, v);
                            case "--warmup-rounds" -> o.warmupRounds = nonNegative(a, v);
                            case "--host" -> o.host = v;
                            case "--port" -> o.port = positive(a, v);
                            case "--server-pid" -> {
                                for (String pid : v.split(",")) {
                                    o.serverPids.add(Long.parseLong(pid.trim()));
                                }
                            }
                            case "--app" -> o.app = v;
                            case "--stream" -> o.stream = v;
                            case "--buffer-ms" -> o.bufferMillis = Long.parseLong(v);
                            case "--timeout-seconds" -> {
                                o.timeoutSeconds = positive(a, v);
                                o.timeoutGiven = true;
                            }
                            case "--window-seconds" -> o.windowSeconds = positive(a, v);
                            case "--lead-in-seconds" -> o.leadInSeconds = nonNegative(a, v);
                            case "--slice-seconds" -> o.sliceSeconds = positive(a, v);
                            case "--probe-seconds" -> o.probeSeconds = nonNegative(a, v);
                            case "--probe-buffer-ms" -> o.probeBufferMillis = Long.parseLong(v);
                            case "--server-jvm-arg" -> o.serverJvmArgs.add(v);
                            case "--sample" -> o.sample = Path.of(v);
                            default -> throw new IllegalArgumentException("unknown option " + a + " (see --help)");
                        }
                    }
                }
            }
            if (o.port > 0 && o.externalServer) {
                throw new IllegalArgumentException("--port (an already running server) and --external-server exclude each other");
            }
            if (o.windowSeconds > 0 && o.sliceSeconds > o.windowSeconds) {
                throw new IllegalArgumentException("--slice-seconds must not exceed --window-seconds");
            }
            if (o.windowSeconds > 0 && !o.timeoutGiven) {
                o.timeoutSeconds = o.leadInSeconds + o.windowSeconds + 60;
            }
            return o;
        }

        private static int positive(String name, String v) {
            int n = Integer.parseInt(v);
            if (n <= 0) {
                throw new IllegalArgumentException(name + " must be positive: " + v);
            }
            return n;
        }

        private static int nonNegative(String name, String v) {
            int n = Integer.parseInt(v);
            if (n < 0) {
                throw new IllegalArgumentException(name + " must not be negative: " + v);
            }
            return n;
        }

        static void usage(PrintStream out) {
            out.println("""
                    usage: java -cp bench/target/benchmarks.jar io.millrace.bench.VodLoad [options]

                    N RTMP players play vod/sample (or --stream) at once; reports delivery, latency to first media,
                    server CPU time and heap. Only loopback addresses are used.

                      --players N           players per round (default 200)
                      --rounds R            measured rounds (default 10)
                      --warmup-rounds W     unmeasured rounds first, for the JIT (default 20)
                      --external-server     run the server as a separate JVM (java -cp <this classpath>
                                            io.millrace.server.Main); CPU from /proc/<pid>/stat, heap via JMX
                      --server-jvm-arg ARG  a JVM option for that server (repeatable), e.g. -Xmx512m
                      --host H --port P     use a server that is already running (loopback only)
                      --server-pid PID[,PID...]  ... and read its CPU time from /proc/PID/stat (summed over
                                            the PIDs, e.g. an nginx master and its workers)
                      --app NAME            application (default vod)
                      --stream NAME         stream to play (default sample), e.g. mp4:test.mp4; a server this
                                            runner starts gets the --sample file under that name
                      --buffer-ms MS        SetBufferLength sent before play (default 36000000, as rtmpdump)
                      --probe-seconds S     after the rounds, one real-time-paced round (SetBufferLength
                                            --probe-buffer-ms, default 1000) in which, S seconds into play
                                            (default 4), the server's heap is measured after a forced GC;
                                            0 skips it
                      --timeout-seconds T   bound on the whole run (default 110; with --window-seconds,
                                            lead-in + window + 60)
                      --sample FILE         the file to serve (default: apps/vod/media/sample.flv
                                            found from the working directory)

                    Fixed-window mode (instead of rounds; for servers that pace differently):
                      --window-seconds S    the players play the stream over and over (a new connection
                                            per play) and the runner reports payload delivered and
                                            server CPU over S seconds of wall time: CPU s per Gbit
                      --lead-in-seconds L   ... after L seconds of the same load, not measured (default 10)
                      --slice-seconds D     ... read every D seconds, for the spread (default 5)
                    """);
        }
    }

    // ---------------------------------------------------------------------------------------------
    // Results

    /** What one player saw. Times in nanoseconds; -1 where it did not happen. */
    record PlayerResult(boolean ok, String failure, long setupNanos, long firstMediaNanos, long playNanos,
                        long messages, long bytes) {
    }

    /** One round. CPU and GC figures are of the server process (or the whole JVM in-process), -1 if unknown. */
    record RoundResult(String label, List<PlayerResult> players, long setupWallNanos, long wallNanos,
                       long serverCpuNanos, long serverIoThreadCpuNanos, long loadGenCpuNanos,
                       long gcCount, long gcMillis) {
        long completed() {
            return players.stream().filter(PlayerResult::ok).count();
        }

        long messages() {
            return players.stream().mapToLong(PlayerResult::messages).sum();
        }

        long bytes() {
            return players.stream().mapToLong(PlayerResult::bytes).sum();
        }

        double mbitPerSecond() {
            return bytes() * 8.0 / 1e6 / (wallNanos / 1e9);
        }
    }

    // ---------------------------------------------------------------------------------------------
    // Main

    public static void main(String[] args) throws Exception {
        int code = run(args);
        // RtmpClient's and the server's threads are shut down by now; exit explicitly anyway.
        System.exit(code);
    }

    /**
     * Runs the load and prints the report; returns the exit status: 0 when every player of every measured
     * round completed, 1 otherwise, 2 for a usage error.
     */
    static int run(String[] args) throws Exception {
        Options o;
        try {
            o = Options.parse(args);
        } catch (IllegalArgumentException e) {
            System.err.println("vodload: " + e.getMessage());
            return 2;
        }
        if (o == null) {
            return 0; // --help
        }
        // The server logs four INFO lines per player; keep the report readable (and the in-process and
        // separate-JVM runs alike) unless the caller chose a level.
        if (System.getProperty("millrace.log.level") == null) {
            System.setProperty("millrace.log.level", "WARN");
        }
        InetAddress address = InetAddress.getByName(o.host);
        if (!address.isLoopbackAddress()) {
            System.err.println("vodload: " + o.host + " is not a loopback address; this runner only targets this machine");
            return 2;
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(o.timeoutSeconds);
        try (Target target = Target.start(o, deadline)) {
            if (o.windowSeconds > 0) {
                return new VodLoadWindow(o, target, deadline).run();
            }
            return new VodLoad(o, target, deadline).run();
        }
    }

    private final Options o;
    private final Target target;
    private final long deadline;

    private VodLoad(Options o, Target target, long deadline) {
        this.o = o;
        this.target = target;
        this.deadline = deadline;
    }

    private int run() throws Exception {
        printHeader();
        long idleHeap = target.heapAfterGc();
        List<RoundResult> measured = new ArrayList<>();
        int total = o.warmupRounds + o.rounds;
        for (int r = 0; r < total; r++) {
            if (remainingNanos() <= 0) {
                OUT.println("time bound reached: skipping the remaining rounds");
                break;
            }
            boolean warmup = r < o.warmupRounds;
            String label = warmup ? "warmup " + (r + 1) : "round " + (r - o.warmupRounds + 1);
            RoundResult rr = runRound(label, o.bufferMillis, 0);
            printRound(rr);
            if (!warmup) {
                measured.add(rr);
            }
        }
        Probe probe = null;
        if (o.probeSeconds > 0 && remainingNanos() > TimeUnit.SECONDS.toNanos(o.probeSeconds + 5)) {
            probe = runProbe();
        } else if (o.probeSeconds > 0) {
            OUT.println("time bound reached: no heap probe round");
        }
        printSummary(measured, idleHeap, probe);
        boolean allOk = !measured.isEmpty() && measured.stream().allMatch(rr -> rr.completed() == o.players);
        return allOk ? 0 : 1;
    }

    private long remainingNanos() {
        return deadline - System.nanoTime();
    }

    // ---------------------------------------------------------------------------------------------
    // A round

    /**
     * Sets up every player (connect, createStream, SetBufferLength), then starts them all at once and
     * waits for all to complete. With {@code probeAfterMillis > 0} the round instead ends that long after
     * the start, with a heap measurement (the players are told to stop).
     */
    private RoundResult runRound(String label, long bufferMillis, long probeAfterMillis) throws Exception {
        return runRound(label, bufferMillis, probeAfterMillis, null);
    }

    private RoundResult runRound(String label, long bufferMillis, long probeAfterMillis, Probe probe) throws Exception {
        int n = o.players;
        AtomicInteger threadNo = new AtomicInteger();
        ExecutorService pool = Executors.newFixedThreadPool(n, r -> {
            Thread t = new Thread(r, "vodload-player-" + threadNo.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        CountDownLatch ready = new CountDownLatch(n);
        CountDownLatch go = new CountDownLatch(1);
        Player[] players = new Player[n];
        List<Future<PlayerResult>> futures = new ArrayList<>(n);
        long setupStart = System.nanoTime();
        for (int i = 0; i < n; i++) {
            Player p = new Player(bufferMillis, ready, go);
            players[i] = p;
            futures.add(pool.submit(p));
        }
        RoundResult result;
        try {
            if (!ready.await(Math.max(0, remainingNanos()), TimeUnit.NANOSECONDS)) {
                OUT.println(label + ": not every player was set up within the time bound");
            }
            long setupWall = System.nanoTime() - setupStart;
            CpuSnapshot before = target.cpu();
            long start = System.nanoTime();
            go.countDown();

            if (probeAfterMillis > 0) {
                long probeAt = start + TimeUnit.MILLISECONDS.toNanos(probeAfterMillis);
                while (System.nanoTime() < probeAt && remainingNanos() > 0) {
                    Thread.sleep(Math.max(1, Math.min(50, (probeAt - System.nanoTime()) / 1_000_000)));
                }
                CpuSnapshot atProbe = target.cpu();
                long probeWall = System.nanoTime() - start;
                int streaming = 0;
                int finished = 0;
                for (Player p : players) {
                    if (p.done) {
                        finished++;
                    } else if (p.firstMedia > 0) {
                        streaming++;
                    }
                }
                probe.streaming = streaming;
                probe.finished = finished;
                probe.heapAfterGc = target.heapAfterGc();
                probe.wallNanos = probeWall;
                probe.serverCpuNanos = diff(atProbe.serverCpu, before.serverCpu);
                probe.serverIoCpuNanos = diff(atProbe.serverIoThreads, before.serverIoThreads);
                for (Player p : players) {
                    p.stop = true;
                }
            }

            List<PlayerResult> results = new ArrayList<>(n);
            long wallEnd = start;
            for (Future<PlayerResult> f : futures) {
                PlayerResult pr;
                try {
                    pr = f.get(Math.max(0, remainingNanos()) + TimeUnit.SECONDS.toNanos(2), TimeUnit.NANOSECONDS);
                } catch (TimeoutException e) {
                    pr = new PlayerResult(false, "not finished within the time bound", -1, -1, -1, 0, 0);
                } catch (java.util.concurrent.ExecutionException e) {
                    pr = new PlayerResult(false, String.valueOf(e.getCause()), -1, -1, -1, 0, 0);
                }
                results.add(pr);
            }
            for (Player p : players) {
                wallEnd = Math.max(wallEnd, p.endedAt);
            }
            CpuSnapshot after = target.cpu();
            long wall = (probeAfterMillis > 0 ? System.nanoTime() : wallEnd) - start;
            result = new RoundResult(label, results, setupWall, wall,
                    diff(after.serverCpu, before.serverCpu), diff(after.serverIoThreads, before.serverIoThreads),
                    diff(after.selfCpu, before.selfCpu), diff(after.gcCount, before.gcCount), diff(after.gcMillis, before.gcMillis));
        } finally {
            go.countDown();
            for (Player p : players) {
                p.stop = true;
            }
            closeAll(pool, players);
        }
        return result;
    }

    private static long diff(long a, long b) {
        return a < 0 || b < 0 ? -1 : a - b;
    }

    /** Closes every client (in parallel: each close waits for its own event loop to end), then the pool. */
    private void closeAll(ExecutorService pool, Player[] players) throws InterruptedException {
        for (Player p : players) {
            if (p != null) {
                pool.execute(p::close);
            }
        }
        pool.shutdown();
        if (!pool.awaitTermination(15, TimeUnit.SECONDS)) {
            OUT.println("warning: some clients did not close within 15 s");
            pool.shutdownNow();
        }
    }

    /** One player: set up, wait for the start, play to Play.Complete. */
    private final class Player implements java.util.concurrent.Callable<PlayerResult> {
        private final long bufferMillis;
        private final CountDownLatch ready;
        private final CountDownLatch go;
        private volatile RtmpClient client;
        volatile boolean stop;
        volatile boolean done;
        volatile long firstMedia;
        volatile long endedAt;

        Player(long bufferMillis, CountDownLatch ready, CountDownLatch go) {
            this.bufferMillis = bufferMillis;
            this.ready = ready;
            this.go = go;
        }

        @Override
        public PlayerResult call() {
            long t0 = System.nanoTime();
            long setup = -1;
            long playStart = -1;
            long messages = 0;
            long bytes = 0;
            boolean readySignalled = false;
            try {
                Duration wait = Duration.ofMillis(Math.max(1, Math.min(10_000, remainingNanos() / 1_000_000)));
                // Options.plain(): handshake and connect as librtmp/ffmpeg do (its own 10 s timeouts apply).
                RtmpClient c = RtmpClient.open(target.host, target.port, RtmpClient.Options.plain());
                client = c;
                double tid = c.sendConnect(o.app, "rtmp://" + target.host + ":" + target.port + "/" + o.app);
                ClientEvent.CommandEvent connected = reply(c, tid, wait);
                if (!"NetConnection.Connect.Success".equals(connected.code())) {
                    throw new IllegalStateException("connect: " + connected.command().name() + " " + connected.code());
                }
                double csTid = c.send("createStream", null);
                ClientEvent.CommandEvent created = reply(c, csTid, wait);
                if (!"_result".equals(created.name()) || !(created.command().arg(0) instanceof Number id)) {
                    throw new IllegalStateException("createStream: " + created.command());
                }
                int streamId = id.intValue();
                c.setBufferLength(streamId, bufferMillis);
                setup = System.nanoTime() - t0;
                ready.countDown();
                readySignalled = true;
                if (!go.await(Math.max(0, remainingNanos()), TimeUnit.NANOSECONDS) || stop) {
                    throw new TimeoutException("never started");
                }

                playStart = System.nanoTime();
                c.notify(streamId, "play", o.stream);
                while (true) {
                    long left = remainingNanos();
                    if (stop) {
                        return finish(false, "stopped", setup, playStart, messages, bytes);
                    }
                    if (left <= 0) {
                        return finish(false, "no Play.Complete within the time bound", setup, playStart, messages, bytes);
                    }
                    ClientEvent e;
                    try {
                        e = c.next(Duration.ofNanos(Math.min(left, 250_000_000L)));
                    } catch (TimeoutException slice) {
                        continue;
                    }
                    if (e instanceof ClientEvent.Media m) {
                        if (m.streamId() == streamId && (m.isVideo() || m.isAudio())) {
                            if (firstMedia == 0) {
                                firstMedia = System.nanoTime();
                            }
                            messages++;
                            bytes += m.size();
                        }
                    } else if (e instanceof ClientEvent.Data d) {
                        if (d.data().streamId() == streamId && "onPlayStatus".equals(d.name())
                                && d.data().value(0) instanceof AmfObject info
                                && "NetStream.Play.Complete".equals(info.getString("code"))) {
                            return finish(true, null, setup, playStart, messages, bytes);
                        }
                    } else if (e instanceof ClientEvent.CommandEvent ce) {
                        String code = ce.code();
                        if (code != null && (code.equals("NetStream.Play.Failed") || code.equals("NetStream.Play.StreamNotFound"))) {
                            return finish(false, code, setup, playStart, messages, bytes);
                        }
                    } else if (e instanceof ClientEvent.Closed) {
                        return finish(false, "connection closed before Play.Complete", setup, playStart, messages, bytes);
                    } else if (e instanceof ClientEvent.Error err) {
                        return finish(false, "error: " + err.cause(), setup, playStart, messages, bytes);
                    }
                }
            } catch (Exception e) {
                return finish(false, e.toString(), setup, playStart, messages, bytes);
            } finally {
                if (!readySignalled) {
                    ready.countDown();
                }
            }
        }

        /** The answer to transaction {@code tid}; fails at once if the connection closes first. */
        private ClientEvent.CommandEvent reply(RtmpClient c, double tid, Duration wait) throws Exception {
            ClientEvent e = c.await(x -> x instanceof ClientEvent.CommandEvent ce && ce.command().transactionId() == tid
                    || x instanceof ClientEvent.Closed || x instanceof ClientEvent.Error, wait);
            if (e instanceof ClientEvent.CommandEvent ce) {
                return ce;
            }
            throw new IllegalStateException("connection lost during setup: " + e);
        }

        private PlayerResult finish(boolean ok, String failure, long setup, long playStart, long messages, long bytes) {
            long now = System.nanoTime();
            endedAt = now;
            done = true;
            long first = firstMedia > 0 && playStart > 0 ? firstMedia - playStart : -1;
            return new PlayerResult(ok, failure, setup, first, playStart > 0 ? now - playStart : -1, messages, bytes);
        }

        void close() {
            RtmpClient c = client;
            if (c != null) {
                c.close();
            }
        }
    }

    // ---------------------------------------------------------------------------------------------
    // Heap probe round

    static final class Probe {
        int streaming;
        int finished;
        long heapAfterGc = -1;
        long wallNanos;
        long serverCpuNanos = -1;
        long serverIoCpuNanos = -1;
    }

    private Probe runProbe() throws Exception {
        Probe p = new Probe();
        OUT.printf(Locale.ROOT, "probe: %d players paced in real time (SetBufferLength %d ms), heap measured %d s into play%n",
                o.players, o.probeBufferMillis, o.probeSeconds);
        runRound("probe", o.probeBufferMillis, TimeUnit.SECONDS.toMillis(o.probeSeconds), p);
        return p;
    }

    // ---------------------------------------------------------------------------------------------
    // Reporting

    private void printHeader() {
        OUT.println("Millrace VOD load run, " + ZonedDateTime.now().format(DateTimeFormatter.ISO_OFFSET_DATE_TIME));
        OUT.printf(Locale.ROOT, "machine: %d processors, %.1f GiB memory; java %s (%s)%n",
                Runtime.getRuntime().availableProcessors(), totalMemoryGiB(), System.getProperty("java.version"),
                System.getProperty("java.vm.name"));
        OUT.println("server: " + target.description);
        OUT.printf(Locale.ROOT, "players %d, rounds %d (+%d warm-up), stream %s/%s, SetBufferLength %d ms, time bound %d s%n",
                o.players, o.rounds, o.warmupRounds, o.app, o.stream, o.bufferMillis, o.timeoutSeconds);
        OUT.println();
    }

    private static double totalMemoryGiB() {
        if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os) {
            return os.getTotalMemorySize() / (double) (1L << 30);
        }
        return -1;
    }

    private void printRound(RoundResult r) {
        OUT.printf(Locale.ROOT, "%s: %d/%d completed, %d media messages, %.1f MB in %.3f s = %.1f Mbit/s; setup %.2f s; "
                        + "first media median %.1f ms p95 %.1f ms max %.1f ms; %s %s%s%s; GC %s%n",
                r.label(), r.completed(), r.players().size(), r.messages(), r.bytes() / 1e6, r.wallNanos() / 1e9,
                r.mbitPerSecond(), r.setupWallNanos() / 1e9,
                percentileMillis(firstMedia(List.of(r)), 50), percentileMillis(firstMedia(List.of(r)), 95),
                percentileMillis(firstMedia(List.of(r)), 100),
                target.inProcess ? "JVM CPU (server and clients)" : "server CPU", seconds(r.serverCpuNanos()),
                r.serverIoThreadCpuNanos() >= 0 ? " (server I/O threads " + seconds(r.serverIoThreadCpuNanos()) + ")" : "",
                target.inProcess ? "" : "; load generator CPU " + seconds(r.loadGenCpuNanos()),
                r.gcCount() >= 0 ? r.gcCount() + " collections, " + r.gcMillis() + " ms" : "n/a");
        r.players().stream().filter(p -> !p.ok()).map(PlayerResult::failure)
                .collect(java.util.stream.Collectors.groupingBy(f -> f, java.util.TreeMap::new, java.util.stream.Collectors.counting()))
                .forEach((f, count) -> OUT.println("  failed x" + count + ": " + f));
    }

    private static String seconds(long nanos) {
        return nanos < 0 ? "n/a" : String.format(Locale.ROOT, "%.3f s", nanos / 1e9);
    }

    private static long[] firstMedia(List<RoundResult> rounds) {
        return rounds.stream().flatMap(r -> r.players().stream()).mapToLong(PlayerResult::firstMediaNanos)
                .filter(v -> v >= 0).sorted().toArray();
    }

    /** Nearest-rank percentile of sorted nanosecond values, in ms (NaN when there are none). */
    static double percentileMillis(long[] sorted, double p) {
        if (sorted.length == 0) {
            return Double.NaN;
        }
        int rank = (int) Math.ceil(p / 100.0 * sorted.length);
        return sorted[Math.max(0, Math.min(sorted.length - 1, rank - 1))] / 1e6;
    }

    /** "mean ± sample standard deviation" of the values (just the value for one). */
    static String meanSd(double[] v, String format) {
        return meanSd(v, format, "rounds");
    }

    /** The same, naming what the values are of ("rounds", "slices"). */
    static String meanSd(double[] v, String format, String of) {
        if (v.length == 0) {
            return "n/a";
        }
        double mean = Arrays.stream(v).average().orElse(Double.NaN);
        if (v.length == 1) {
            return String.format(Locale.ROOT, format, mean) + " (1 of the " + of + ", no error bar)";
        }
        double ss = Arrays.stream(v).map(x -> (x - mean) * (x - mean)).sum();
        double sd = Math.sqrt(ss / (v.length - 1));
        return String.format(Locale.ROOT, format + " ± " + format + " (mean ± sd of %d " + of + "; min " + format + ", max " + format + ")",
                mean, sd, v.length, Arrays.stream(v).min().orElse(0), Arrays.stream(v).max().orElse(0));
    }

    private void printSummary(List<RoundResult> rounds, long idleHeap, Probe probe) {
        OUT.println();
        OUT.println("== summary (" + rounds.size() + " measured rounds of " + o.players + " players; " + target.shortName + ") ==");
        if (rounds.isEmpty()) {
            OUT.println("no measured round finished");
            return;
        }
        long completed = rounds.stream().mapToLong(RoundResult::completed).sum();
        long attempted = rounds.stream().mapToLong(r -> r.players().size()).sum();
        OUT.printf(Locale.ROOT, "players completed     %d of %d (failed %d)%n", completed, attempted, attempted - completed);
        OUT.println("media messages/round  " + meanSd(rounds.stream().mapToDouble(RoundResult::messages).toArray(), "%.0f"));
        OUT.println("payload MB/round      " + meanSd(rounds.stream().mapToDouble(r -> r.bytes() / 1e6).toArray(), "%.2f"));
        OUT.println("wall time s           " + meanSd(rounds.stream().mapToDouble(r -> r.wallNanos() / 1e9).toArray(), "%.3f"));
        OUT.println("delivered Mbit/s      " + meanSd(rounds.stream().mapToDouble(RoundResult::mbitPerSecond).toArray(), "%.1f"));
        if (rounds.size() >= 4) {
            // Rounds are short: a mean over rounds that still speed up is not a steady state. Show it.
            int half = rounds.size() / 2;
            OUT.printf(Locale.ROOT, "drift                 delivered Mbit/s: first %d rounds %.1f, last %d rounds %.1f%n",
                    half, rounds.subList(0, half).stream().mapToDouble(RoundResult::mbitPerSecond).average().orElse(0),
                    rounds.size() - half, rounds.subList(half, rounds.size()).stream().mapToDouble(RoundResult::mbitPerSecond).average().orElse(0));
        }
        OUT.println("setup (connect..SetBufferLength, all players) s "
                + meanSd(rounds.stream().mapToDouble(r -> r.setupWallNanos() / 1e9).toArray(), "%.2f"));
        long[] fm = firstMedia(rounds);
        OUT.printf(Locale.ROOT, "play -> first media   median %.1f ms, p95 %.1f ms, max %.1f ms (%d players, all measured rounds pooled)%n",
                percentileMillis(fm, 50), percentileMillis(fm, 95), percentileMillis(fm, 100), fm.length);
        if (rounds.get(0).serverCpuNanos() >= 0) {
            String cpu = target.inProcess ? "JVM CPU (server and clients)" : "server CPU";
            OUT.println(cpu + " s/round " + meanSd(rounds.stream().mapToDouble(r -> r.serverCpuNanos() / 1e9).toArray(), "%.3f")
                    + target.cpuNote);
            OUT.println(cpu + " % of one core " + meanSd(rounds.stream()
                    .mapToDouble(r -> 100.0 * r.serverCpuNanos() / r.wallNanos()).toArray(), "%.0f"));
            OUT.println(cpu + " ms per delivered MB " + meanSd(rounds.stream()
                    .mapToDouble(r -> r.serverCpuNanos() / 1e6 / (r.bytes() / 1e6)).toArray(), "%.1f"));
        } else {
            OUT.println("server CPU            n/a (pass --server-pid for a server you started yourself)");
        }
        if (rounds.get(0).serverIoThreadCpuNanos() >= 0) {
            OUT.println("server I/O threads CPU s/round " + meanSd(rounds.stream()
                    .mapToDouble(r -> r.serverIoThreadCpuNanos() / 1e9).toArray(), "%.3f")
                    + " (ThreadMXBean, the server's epoll event-loop threads only: no GC, JIT or client work)");
        }
        if (!target.inProcess) {
            OUT.println("load generator CPU s/round " + meanSd(rounds.stream().mapToDouble(r -> r.loadGenCpuNanos() / 1e9).toArray(), "%.3f")
                    + " (this JVM: clients only)");
        }
        if (rounds.get(0).gcCount() >= 0) {
            OUT.println((target.inProcess ? "JVM GC/round (server and clients) " : "server GC/round       ") + meanSd(rounds.stream().mapToDouble(RoundResult::gcCount).toArray(), "%.1f")
                    + " collections, " + meanSd(rounds.stream().mapToDouble(RoundResult::gcMillis).toArray(), "%.0f") + " ms");
        }
        OUT.println("heap after GC, idle   " + mib(idleHeap) + target.heapNote);
        if (probe != null) {
            OUT.printf(Locale.ROOT, "heap after GC, peak   %s with %d players streaming (%d already finished) %.1f s into real-time play%s%n",
                    mib(probe.heapAfterGc), probe.streaming, probe.finished, probe.wallNanos / 1e9, target.heapNote);
            if (probe.serverCpuNanos >= 0) {
                OUT.printf(Locale.ROOT, "real-time play CPU    %s %s over the first %.1f s (%.0f%% of one core)%s%n",
                        seconds(probe.serverCpuNanos), target.inProcess ? "JVM CPU" : "server CPU", probe.wallNanos / 1e9,
                        100.0 * probe.serverCpuNanos / probe.wallNanos, target.cpuNote);
            }
        }
    }

    private static String mib(long bytes) {
        return bytes < 0 ? "n/a" : String.format(Locale.ROOT, "%.1f MiB", bytes / (double) (1L << 20));
    }

    // ---------------------------------------------------------------------------------------------
    // Where the server runs and how it is measured

    record CpuSnapshot(long serverCpu, long serverIoThreads, long selfCpu, long gcCount, long gcMillis) {
    }

    abstract static class Target implements AutoCloseable {
        final String host;
        final int port;
        final String description;
        final String shortName;
        final boolean inProcess;
        String cpuNote = "";
        String heapNote = "";

        Target(String host, int port, String description, String shortName, boolean inProcess) {
            this.host = host;
            this.port = port;
            this.description = description;
            this.shortName = shortName;
            this.inProcess = inProcess;
        }

        static Target start(Options o, long deadline) throws Exception {
            if (o.port > 0) {
                return new ExistingServer(o);
            }
            Path sample = o.sample != null ? o.sample : Payloads.sampleFlv();
            Path root = Files.createTempDirectory("millrace-vodload");
            Path media = Files.createDirectories(root.resolve("media"));
            Path data = Files.createDirectories(root.resolve("data"));
            Files.copy(sample, media.resolve(fileNameOf(o.stream)), StandardCopyOption.REPLACE_EXISTING);
            try {
                return o.externalServer ? ExternalServer.start(o, root, media, data, deadline)
                        : InProcessServer.start(root, media, data);
            } catch (Exception | Error e) {
                deleteTree(root);
                throw e;
            }
        }

        /**
         * The file a stream name plays in the media folder: the name without its format prefix
         * ({@code mp4:test.mp4} is {@code test.mp4}), with {@code .flv} added when it has no extension.
         */
        static String fileNameOf(String stream) {
            String name = stream;
            int colon = name.indexOf(':');
            if (colon > 0 && colon < 5) {
                name = name.substring(colon + 1);
            }
            return name.lastIndexOf('.') > name.lastIndexOf('/') ? name : name + ".flv";
        }

        abstract CpuSnapshot cpu();

        /** Heap used after a forced full GC of the server's JVM, or -1. */
        abstract long heapAfterGc();

        static long selfCpu() {
            if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os) {
                return os.getProcessCpuTime();
            }
            return -1;
        }

        static long[] gc(List<java.lang.management.GarbageCollectorMXBean> beans) {
            long count = 0;
            long millis = 0;
            for (var b : beans) {
                count += Math.max(0, b.getCollectionCount());
                millis += Math.max(0, b.getCollectionTime());
            }
            return new long[] {count, millis};
        }

        @Override
        public void close() {
        }
    }

    /** The server in this JVM: CPU and heap figures include the clients. */
    static final class InProcessServer extends Target {
        private final io.millrace.server.MillraceServer server;
        private final Path root;
        private final boolean epoll;

        private InProcessServer(io.millrace.server.MillraceServer server, Path root, boolean epoll) {
            super("127.0.0.1", server.rtmpPort(), "in-process MillraceServer on 127.0.0.1:" + server.rtmpPort()
                    + " (" + (epoll ? "epoll" : "nio") + "), sharing this JVM with the clients", "in-process server", true);
            this.server = server;
            this.root = root;
            this.epoll = epoll;
            cpuNote = " (process CPU of the one JVM: server AND clients)";
            heapNote = " (the one JVM: server AND clients)";
        }

        static InProcessServer start(Path root, Path media, Path data) throws Exception {
            var cfg = io.millrace.server.config.ConfigLoader.loadText("rtmp:\n  port: 0\n  bind: 127.0.0.1\n  maxConnections: 0\n  maxConnectionsPerIp: 0\n  maxConnectionRatePerIp: 0\n  idleTimeoutMillis: 0\nhttp:\n  port: 0\n", "vodload", root)
                    .withDirs(media, data);
            var server = new io.millrace.server.MillraceServer(cfg);
            server.start();
            return new InProcessServer(server, root, io.netty.channel.epoll.Epoll.isAvailable());
        }

        @Override
        CpuSnapshot cpu() {
            long[] gc = gc(ManagementFactory.getGarbageCollectorMXBeans());
            return new CpuSnapshot(selfCpu(), epoll ? serverIoThreadCpu() : -1, selfCpu(), gc[0], gc[1]);
        }

        /** CPU of the server's event-loop threads: with epoll they are the only "epollEventLoopGroup-*" threads (clients use NIO). */
        private static long serverIoThreadCpu() {
            var threads = ManagementFactory.getThreadMXBean();
            long sum = 0;
            for (Thread t : Thread.getAllStackTraces().keySet()) {
                if (t.getName().startsWith("epollEventLoopGroup")) {
                    long c = threads.getThreadCpuTime(t.getId());
                    if (c > 0) {
                        sum += c;
                    }
                }
            }
            return sum;
        }

        @Override
        long heapAfterGc() {
            var mem = ManagementFactory.getMemoryMXBean();
            mem.gc();
            return mem.getHeapMemoryUsage().getUsed();
        }

        @Override
        public void close() {
            server.stop();
            deleteTree(root);
        }
    }

    /**
     * The server as a separate JVM ({@code java -cp <this classpath> io.millrace.server.Main}) on a free
     * loopback port. CPU time from /proc/PID/stat; heap and GC through JMX after attaching to it.
     */
    static final class ExternalServer extends Target {
        private final Process process;
        private final Path root;
        private final long ticksPerSecond;
        private final Jmx jmx;

        private ExternalServer(Process process, int port, Path root, long ticksPerSecond, Jmx jmx, List<String> command) {
            super("127.0.0.1", port, "separate JVM, pid " + process.pid() + ": " + String.join(" ", command.subList(0, 1))
                    + " ... " + String.join(" ", command.subList(command.indexOf(MAIN), command.size())),
                    "server in a separate JVM", false);
            this.process = process;
            this.root = root;
            this.ticksPerSecond = ticksPerSecond;
            this.jmx = jmx;
            cpuNote = " (/proc/" + process.pid() + "/stat utime+stime, " + (1000 / ticksPerSecond) + " ms resolution)";
            heapNote = jmx == null ? " (JMX attach failed)" : " (server JVM only, via JMX)";
        }

        static final String MAIN = "io.millrace.server.Main";

        static ExternalServer start(Options o, Path root, Path media, Path data, long deadline) throws Exception {
            Path config = root.resolve("vodload.yaml");
            Files.writeString(config, "rtmp:\n  bind: 127.0.0.1\n");
            int port;
            try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
                port = s.getLocalPort();
            }
            List<String> cmd = new ArrayList<>();
            cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
            cmd.addAll(o.serverJvmArgs);
            cmd.add("-Dmillrace.log.level=" + System.getProperty("millrace.log.level", "WARN"));
            cmd.add("-cp");
            cmd.add(System.getProperty("java.class.path"));
            cmd.add(MAIN);
            cmd.addAll(List.of("--rtmp-port", String.valueOf(port), "--media", media.toString(),
                    "--data", data.toString(), "--config", config.toString()));
            Path log = root.resolve("server.log");
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
            Thread killer = new Thread(p::destroyForcibly, "vodload-server-killer");
            Runtime.getRuntime().addShutdownHook(killer);
            try {
                waitForPort(p, port, log, Math.min(deadline, System.nanoTime() + TimeUnit.SECONDS.toNanos(30)));
                Jmx jmx = Jmx.attach(p.pid());
                return new ExternalServer(p, port, root, clockTicks(), jmx, cmd);
            } catch (Exception | Error e) {
                p.destroyForcibly();
                throw e;
            }
        }

        private static void waitForPort(Process p, int port, Path log, long until) throws Exception {
            while (true) {
                if (!p.isAlive()) {
                    throw new IllegalStateException("the server exited with status " + p.exitValue() + ":\n" + tail(log));
                }
                try (Socket s = new Socket()) {
                    s.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 200);
                    return;
                } catch (IOException notYet) {
                    if (System.nanoTime() > until) {
                        throw new TimeoutException("the server did not listen on 127.0.0.1:" + port + " in time:\n" + tail(log));
                    }
                    Thread.sleep(100);
                }
            }
        }

        private static String tail(Path log) {
            try {
                List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
                return String.join("\n", lines.subList(Math.max(0, lines.size() - 20), lines.size()));
            } catch (IOException e) {
                return "(no log: " + e + ")";
            }
        }

        private static long clockTicks() {
            try {
                Process g = new ProcessBuilder("getconf", "CLK_TCK").redirectErrorStream(true).start();
                String s = new String(g.getInputStream().readAllBytes(), StandardCharsets.US_ASCII).trim();
                if (g.waitFor(5, TimeUnit.SECONDS) && g.exitValue() == 0) {
                    return Long.parseLong(s);
                }
            } catch (Exception ignored) {
                // fall through
            }
            return 100;
        }

        @Override
        CpuSnapshot cpu() {
            long server = procCpuNanos(process.pid(), ticksPerSecond);
            long gcCount = -1;
            long gcMillis = -1;
            if (jmx != null) {
                long[] gc = jmx.gc();
                if (gc != null) {
                    gcCount = gc[0];
                    gcMillis = gc[1];
                }
            }
            return new CpuSnapshot(server, -1, selfCpu(), gcCount, gcMillis);
        }

        @Override
        long heapAfterGc() {
            return jmx == null ? -1 : jmx.heapAfterGc();
        }

        @Override
        public void close() {
            if (jmx != null) {
                jmx.close();
            }
            process.destroy(); // SIGTERM: the server shuts down cleanly
            try {
                if (!process.waitFor(10, TimeUnit.SECONDS)) {
                    process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
                }
            } catch (InterruptedException e) {
                process.destroyForcibly();
                Thread.currentThread().interrupt();
            }
            deleteTree(root);
        }
    }

    /** A server someone else started: only its address is known (and, with --server-pid, its CPU time). */
    static final class ExistingServer extends Target {
        private final List<Long> pids;
        private final long ticks;

        ExistingServer(Options o) {
            super(o.host, o.port, "already running server at " + o.host + ":" + o.port
                    + (o.serverPids.isEmpty() ? "" : " (pid " + pidList(o.serverPids) + ")"), "server at " + o.host + ":" + o.port, false);
            this.pids = List.copyOf(o.serverPids);
            this.ticks = ExternalServer.clockTicks();
            if (!pids.isEmpty()) {
                cpuNote = " (/proc/PID/stat utime+stime" + (pids.size() > 1 ? ", summed over pids " + pidList(pids) : "") + ")";
            }
            heapNote = " (not measured for a server this runner did not start)";
        }

        private static String pidList(List<Long> pids) {
            return String.join(",", pids.stream().map(String::valueOf).toList());
        }

        @Override
        CpuSnapshot cpu() {
            long sum = pids.isEmpty() ? -1 : 0;
            for (long pid : pids) {
                long c = procCpuNanos(pid, ticks);
                if (c < 0) {
                    sum = -1;
                    break;
                }
                sum += c;
            }
            return new CpuSnapshot(sum, -1, selfCpu(), -1, -1);
        }

        @Override
        long heapAfterGc() {
            return -1;
        }
    }

    /**
     * connect to {@code app}, createStream and SetBufferLength on an open client, as {@link Player} does;
     * returns the stream id. Used by the fixed-window mode.
     */
    static int setUp(RtmpClient c, String host, int port, String app, long bufferMillis, Duration wait) throws Exception {
        double tid = c.sendConnect(app, "rtmp://" + host + ":" + port + "/" + app);
        ClientEvent.CommandEvent connected = reply(c, tid, wait);
        if (!"NetConnection.Connect.Success".equals(connected.code())) {
            throw new IllegalStateException("connect: " + connected.command().name() + " " + connected.code());
        }
        double csTid = c.send("createStream", null);
        ClientEvent.CommandEvent created = reply(c, csTid, wait);
        if (!"_result".equals(created.name()) || !(created.command().arg(0) instanceof Number id)) {
            throw new IllegalStateException("createStream: " + created.command());
        }
        int streamId = id.intValue();
        c.setBufferLength(streamId, bufferMillis);
        return streamId;
    }

    private static ClientEvent.CommandEvent reply(RtmpClient c, double tid, Duration wait) throws Exception {
        ClientEvent e = c.await(x -> x instanceof ClientEvent.CommandEvent ce && ce.command().transactionId() == tid
                || x instanceof ClientEvent.Closed || x instanceof ClientEvent.Error, wait);
        if (e instanceof ClientEvent.CommandEvent ce) {
            return ce;
        }
        throw new IllegalStateException("connection lost during setup: " + e);
    }

    /** utime + stime of a process from /proc/PID/stat, in ns (-1 if unreadable). */
    static long procCpuNanos(long pid, long ticksPerSecond) {
        try {
            String stat = Files.readString(Path.of("/proc", String.valueOf(pid), "stat"), StandardCharsets.US_ASCII);
            // The command name (field 2) is in parentheses and may hold spaces: fields resume after the last ')'.
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).trim().split(" +");
            long ticks = Long.parseLong(f[11]) + Long.parseLong(f[12]); // fields 14 (utime) and 15 (stime)
            return ticks * 1_000_000_000L / ticksPerSecond;
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }

    /** JMX on another JVM through the Attach API (its local management agent). */
    static final class Jmx implements AutoCloseable {
        private final javax.management.remote.JMXConnector connector;
        private final java.lang.management.MemoryMXBean memory;
        private final List<java.lang.management.GarbageCollectorMXBean> gcs;

        private Jmx(javax.management.remote.JMXConnector connector) throws IOException {
            this.connector = connector;
            var mbs = connector.getMBeanServerConnection();
            this.memory = ManagementFactory.newPlatformMXBeanProxy(mbs, ManagementFactory.MEMORY_MXBEAN_NAME,
                    java.lang.management.MemoryMXBean.class);
            this.gcs = ManagementFactory.getPlatformMXBeans(mbs, java.lang.management.GarbageCollectorMXBean.class);
        }

        static Jmx attach(long pid) {
            try {
                var vm = com.sun.tools.attach.VirtualMachine.attach(String.valueOf(pid));
                String address;
                try {
                    address = vm.startLocalManagementAgent();
                } finally {
                    vm.detach();
                }
                return new Jmx(javax.management.remote.JMXConnectorFactory.connect(
                        new javax.management.remote.JMXServiceURL(address)));
            } catch (Exception | LinkageError e) {
                OUT.println("warning: cannot attach to the server JVM for heap and GC figures: " + e);
                return null;
            }
        }

        long heapAfterGc() {
            try {
                memory.gc();
                return memory.getHeapMemoryUsage().getUsed();
            } catch (RuntimeException e) {
                return -1;
            }
        }

        long[] gc() {
            try {
                return Target.gc(gcs);
            } catch (RuntimeException e) {
                return null;
            }
        }

        @Override
        public void close() {
            try {
                connector.close();
            } catch (IOException ignored) {
                // the server is about to be stopped anyway
            }
        }
    }

    static void deleteTree(Path root) {
        try (Stream<Path> s = Files.walk(root)) {
            s.sorted(Comparator.reverseOrder()).forEach(p -> {
                try {
                    Files.deleteIfExists(p);
                } catch (IOException ignored) {
                    // best effort: a temp folder
                }
            });
        } catch (IOException ignored) {
            // best effort
        }
    }
}
