package io.millrace.bench.live;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.Future;

import java.io.IOException;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.nio.file.Path;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Live load generator: one or more publishers push a stream in real time to an RTMP server's live
 * application while thousands of viewers play it, and the runner reports what was delivered, how late,
 * what was lost, and what it cost the server.
 *
 * <p>Everything runs in this JVM on Netty event loops (epoll when available, else NIO): the viewers on
 * {@code --viewer-loops} threads (default one), the publishers on a thread of their own so that their pacing
 * does not wait behind thousands of viewers. Each connection is a minimal RTMP client made of the rtmp
 * module's stages ({@link ClientChannels}); a viewer ({@link Viewer}) costs a pipeline and a few counters,
 * no thread.
 *
 * <p>A run: the publishers connect and publish ({@link Publisher}: FMLE/ffmpeg's sequence, then
 * {@code @setDataFrame onMetaData}, the AVC and AAC sequence headers and frames paced in real time from a
 * {@link SyntheticSource} or a looped FLV file, {@link FlvFileSource}); then the viewers connect in batches
 * ({@code --ramp-batch} every {@code --ramp-interval-millis}), each doing connect, createStream,
 * SetBufferLength ({@code --buffer-millis}) and {@code play(stream, --play-start)}; once all play (or
 * failed, or {@code --setup-timeout-seconds} passed) comes an unmeasured lead-in, then the measured window.
 * Every video frame carries the publisher's {@link System#nanoTime()} and a sequence number
 * ({@link FrameStamp}); a viewer takes its end-to-end delay on arrival and counts the frames stamped inside
 * the window, which the report compares with the number the publisher stamped there. After the window the
 * runner waits (at most {@code --grace-seconds}) until every viewer has received a frame stamped after it,
 * so frames in flight at its end are not counted as missing.
 *
 * <p>The report ({@link LiveReport}; plain text, a {@code RESULT} line for scripts and, with {@code --json},
 * a JSON file with the same figures): viewers requested, connected and playing, failures by reason,
 * delivered payload (audio and video message bodies) over the window, play → first video frame and first
 * keyframe per viewer, end-to-end delay over all frames of the window ({@link MicrosHistogram}), frames
 * missing, the server's CPU time (utime + stime of {@code --server-pid}, summed) and resident memory
 * (VmRSS) over the window, CPU seconds per delivered Gbit, and this JVM's own CPU and that of its event-loop
 * threads, to tell whether the load generator was the bottleneck.
 *
 * <p>Idle mode ({@code --idle N}): N connections do connect and createStream and then stay idle for
 * {@code --window-seconds}; the runner prints {@code IDLE READY} when they are all up (a script then reads the
 * server's heap, e.g. with {@code jcmd PID GC.heap_info}) and reports the server's RSS before and with them.
 *
 * <p>Only loopback addresses are accepted. The whole run is bounded by {@code --timeout-seconds}. Exit
 * status: 0 when every viewer played through the window (idle: every connection was established), 1
 * otherwise, 2 for bad options, 3 when the server refused the publisher or the application (e.g.
 * {@code NetConnection.Connect.InvalidApp}: no live application). Used by {@code bench/scripts/live-vs-nginx.sh}.
 *
 * <p>Run {@code --help} for the options.
 */
public final class LiveLoad {
    /** Where the report goes: System.out as it is at the time of the call (tests replace it). */
    static PrintStream out() {
        return System.out;
    }
    static final int EXIT_OK = 0;
    static final int EXIT_INCOMPLETE = 1;
    static final int EXIT_USAGE = 2;
    static final int EXIT_REFUSED = 3;

    // ---------------------------------------------------------------------------------------------
    // Options

    static final class Options {
        String host = "127.0.0.1";
        int port = 1935;
        String app = "live";
        String stream = "bench";
        int viewers = 100;
        int publishers = 1;
        String source = "synthetic";
        int bitrateKbps = 2000;
        int fps = 30;
        double gopSeconds = 2;
        long bufferMillis = 100;
        double playStart = -2;
        int leadInSeconds = 5;
        int windowSeconds = 20;
        List<Long> serverPids = new ArrayList<>();
        Path json;
        int timeoutSeconds;
        int viewerLoops = 1;
        int idle;
        int rampBatch = 200;
        int rampIntervalMillis = 100;
        int setupTimeoutSeconds = 15;
        int graceSeconds = 5;
        String label = "";

        static Options parse(String[] args) {
            Options o = new Options();
            boolean timeoutGiven = false;
            for (int i = 0; i < args.length; i++) {
                String a = args[i];
                String v = null;
                int eq = a.indexOf('=');
                if (a.startsWith("--") && eq > 0) {
                    v = a.substring(eq + 1);
                    a = a.substring(0, eq);
                }
                if (a.equals("--help") || a.equals("-h")) {
                    usage(out());
                    return null;
                }
                if (v == null) {
                    if (i + 1 >= args.length) {
                        throw new IllegalArgumentException(a + " needs a value");
                    }
                    v = args[++i];
                }
                switch (a) {
                    case "--host" -> o.host = v;
                    case "--port" -> o.port = range(a, v, 1, 65535);
                    case "--app" -> o.app = v;
                    case "--stream" -> o.stream = v;
                    case "--viewers" -> o.viewers = range(a, v, 0, 1_000_000);
                    case "--publishers" -> o.publishers = range(a, v, 1, 1000);
                    case "--source" -> o.source = v;
                    case "--bitrate-kbps" -> o.bitrateKbps = range(a, v, 16, 1_000_000);
                    case "--fps" -> o.fps = range(a, v, 1, 1000);
                    case "--gop-seconds" -> {
                        o.gopSeconds = Double.parseDouble(v);
                        if (!(o.gopSeconds > 0 && o.gopSeconds <= 3600)) {
                            throw new IllegalArgumentException(a + " must be in (0, 3600]: " + v);
                        }
                    }
                    case "--buffer-millis" -> o.bufferMillis = range(a, v, 0, Integer.MAX_VALUE);
                    case "--play-start" -> o.playStart = Double.parseDouble(v);
                    case "--lead-in-seconds" -> o.leadInSeconds = range(a, v, 0, 3600);
                    case "--window-seconds" -> o.windowSeconds = range(a, v, 1, 86_400);
                    case "--server-pid" -> {
                        for (String pid : v.split(",")) {
                            if (!pid.isBlank()) {
                                o.serverPids.add(Long.parseLong(pid.trim()));
                            }
                        }
                    }
                    case "--json" -> o.json = Path.of(v);
                    case "--timeout-seconds" -> {
                        o.timeoutSeconds = range(a, v, 1, 86_400);
                        timeoutGiven = true;
                    }
                    case "--viewer-loops" -> o.viewerLoops = range(a, v, 1, 256);
                    case "--idle" -> o.idle = range(a, v, 1, 1_000_000);
                    case "--ramp-batch" -> o.rampBatch = range(a, v, 1, 1_000_000);
                    case "--ramp-interval-millis" -> o.rampIntervalMillis = range(a, v, 0, 60_000);
                    case "--setup-timeout-seconds" -> o.setupTimeoutSeconds = range(a, v, 1, 3600);
                    case "--grace-seconds" -> o.graceSeconds = range(a, v, 0, 3600);
                    case "--label" -> o.label = v;
                    default -> throw new IllegalArgumentException("unknown option " + a + " (see --help)");
                }
            }
            if (o.idle == 0 && o.viewers == 0) {
                throw new IllegalArgumentException("--viewers must be positive (or use --idle N)");
            }
            if (!timeoutGiven) {
                int connections = o.idle > 0 ? o.idle : o.viewers;
                int ramp = (int) ((long) (connections / o.rampBatch + 1) * o.rampIntervalMillis / 1000);
                o.timeoutSeconds = o.idle > 0
                        ? 15 + ramp + o.setupTimeoutSeconds + o.windowSeconds + 30
                        : 15 + ramp + o.setupTimeoutSeconds + o.leadInSeconds + o.windowSeconds + o.graceSeconds + 30;
            }
            return o;
        }

        private static int range(String name, String v, long min, long max) {
            long n;
            try {
                n = Long.parseLong(v.trim());
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException(name + " needs a whole number: " + v);
            }
            if (n < min || n > max) {
                throw new IllegalArgumentException(name + " must be in " + min + ".." + max + ": " + v);
            }
            return (int) n;
        }

        /** The stream publisher {@code k} publishes: {@code --stream} alone, or NAME-1 ... NAME-P for several. */
        String streamName(int k) {
            return publishers == 1 ? stream : stream + "-" + (k + 1);
        }

        static void usage(PrintStream out) {
            out.println("""
                    usage: java -cp bench/target/benchmarks.jar io.millrace.bench.live.LiveLoad [options]

                    Publishes a live stream in real time to an RTMP server (loopback only) and plays it with N
                    viewers, all on Netty event loops in this JVM; reports delivered bitrate, play -> first frame,
                    end-to-end delay, frames missing, and the server's CPU time and RSS over a measured window.

                    Target:
                      --host H                 server address, loopback only (default 127.0.0.1)
                      --port P                 RTMP port (default 1935)
                      --app NAME               application (default live)
                      --stream NAME            stream name (default bench; with several publishers NAME-1 ... NAME-P)
                      --server-pid PID[,PID]   the server's processes (repeatable): CPU (utime+stime) and RSS
                                               (VmRSS) are read from /proc and summed, e.g. nginx's master and worker

                    Publishers:
                      --publishers P           streams published at once (default 1); viewer i plays stream i mod P
                      --source S               synthetic (default) or an FLV file, published in real time and looped
                      --bitrate-kbps K         synthetic payload bitrate, audio 128 kbit/s included (default 2000)
                      --fps F                  synthetic frame rate (default 30)
                      --gop-seconds G          synthetic keyframe interval (default 2)

                    Viewers:
                      --viewers N              viewers (default 100)
                      --viewer-loops L         event-loop threads for the viewers (default 1)
                      --buffer-millis MS       SetBufferLength sent before play (default 100)
                      --play-start S           play's start argument (default -2: live, else recorded; -1 live only)
                      --ramp-batch B           viewers started together (default 200) ...
                      --ramp-interval-millis I ... every I ms (default 100)
                      --setup-timeout-seconds T a viewer without video T s after it started fails (default 15)

                    Measurement:
                      --lead-in-seconds L      unmeasured time after every viewer plays (default 5)
                      --window-seconds W       the measured window (default 20; in idle mode how long the
                                               connections are held)
                      --grace-seconds G        after the window, wait at most G s for frames still in flight (default 5)
                      --json FILE              also write the figures as JSON
                      --label TEXT             a name for this run in the report (e.g. nginx)
                      --timeout-seconds T      bound on the whole run (default: enough for the phases above + 30 s)

                    Idle mode:
                      --idle N                 N connections do connect + createStream and stay idle for
                                               --window-seconds; prints 'IDLE READY' once all are up; reports the
                                               server's RSS before and with them (no publisher)

                    Exit status: 0 all viewers played through the window (idle: all connected), 1 otherwise,
                    2 bad options, 3 the server refused the publisher or the application (e.g. InvalidApp).
                    """);
        }
    }

    // ---------------------------------------------------------------------------------------------
    // Main

    public static void main(String[] args) throws Exception {
        System.exit(run(args));
    }

    /** Runs the load and prints the report; returns the exit status (see the class comment). */
    static int run(String[] args) throws Exception {
        Options o;
        try {
            o = Options.parse(args);
        } catch (IllegalArgumentException e) {
            System.err.println("liveload: " + e.getMessage());
            return EXIT_USAGE;
        }
        if (o == null) {
            return EXIT_OK; // --help
        }
        InetAddress address;
        try {
            address = InetAddress.getByName(o.host);
        } catch (IOException e) {
            System.err.println("liveload: cannot resolve " + o.host + ": " + e.getMessage());
            return EXIT_USAGE;
        }
        if (!address.isLoopbackAddress()) {
            System.err.println("liveload: " + o.host + " is not a loopback address; this runner only targets this machine");
            return EXIT_USAGE;
        }
        if (!o.source.equals("synthetic") && !java.nio.file.Files.isRegularFile(Path.of(o.source))) {
            System.err.println("liveload: --source must be 'synthetic' or an FLV file: " + o.source);
            return EXIT_USAGE;
        }
        return new LiveLoad(o).execute();
    }

    private final Options o;
    private final long deadline;
    private final RunContext run;
    private final List<Thread> viewerThreads = ClientChannels.threadList();
    private final List<Thread> publisherThreads = ClientChannels.threadList();

    private LiveLoad(Options o) {
        this.o = o;
        this.deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(o.timeoutSeconds);
        this.run = new RunContext(o.host, o.port, o.app, o.bufferMillis, o.playStart,
                TimeUnit.SECONDS.toNanos(o.setupTimeoutSeconds));
    }

    private long remaining() {
        return deadline - System.nanoTime();
    }

    private int execute() throws Exception {
        EventLoopGroup viewerGroup = ClientChannels.group(o.viewerLoops, "liveload-viewer", viewerThreads);
        EventLoopGroup publisherGroup = o.idle > 0 ? null : ClientChannels.group(1, "liveload-publisher", publisherThreads);
        try {
            return o.idle > 0 ? runIdle(viewerGroup) : runLive(viewerGroup, publisherGroup);
        } finally {
            run.closing = true;
            Future<?> a = viewerGroup.shutdownGracefully(0, 2, TimeUnit.SECONDS);
            Future<?> b = publisherGroup == null ? null : publisherGroup.shutdownGracefully(0, 2, TimeUnit.SECONDS);
            a.awaitUninterruptibly(10, TimeUnit.SECONDS);
            if (b != null) {
                b.awaitUninterruptibly(10, TimeUnit.SECONDS);
            }
        }
    }

    /** CPU and memory at one instant; -1 where unknown. */
    record Snapshot(long at, long serverCpu, long serverRss, long selfCpu, long[] viewerLoopCpu, long[] publisherLoopCpu) {
    }

    Snapshot snapshot() {
        long at = System.nanoTime();
        long server = ProcStats.cpuNanos(o.serverPids);
        long rss = ProcStats.rssBytes(o.serverPids);
        long self = ProcStats.cpuNanos("self");
        return new Snapshot(at, server, rss, self, threadCpu(viewerThreads), threadCpu(publisherThreads));
    }

    /** Each thread's CPU time in ns (0 where unknown), in the list's order. */
    private static long[] threadCpu(List<Thread> threads) {
        var mx = ManagementFactory.getThreadMXBean();
        long[] cpu = new long[threads.size()];
        for (int i = 0; i < cpu.length; i++) {
            cpu[i] = Math.max(0, mx.getThreadCpuTime(threads.get(i).getId()));
        }
        return cpu;
    }

    private static List<EventLoop> loops(EventLoopGroup group) {
        List<EventLoop> loops = new ArrayList<>();
        for (EventExecutor e : group) {
            loops.add((EventLoop) e);
        }
        return loops;
    }

    private void printHeader(String what) {
        out().println("Millrace live load run" + (o.label.isEmpty() ? "" : " [" + o.label + "]") + ", "
                + ZonedDateTime.now().format(DateTimeFormatter.ISO_OFFSET_DATE_TIME));
        out().println("target: " + run.tcUrl + (o.serverPids.isEmpty() ? " (no --server-pid: no server CPU or RSS)"
                : " (server pids " + o.serverPids + ")"));
        out().println(what);
        long limit = ProcStats.openFilesLimit();
        int needed = (o.idle > 0 ? o.idle : o.viewers + o.publishers) + 200;
        if (limit >= 0 && limit < needed) {
            out().println("warning: this process may open " + limit + " files, fewer than the " + needed
                    + " its connections need (raise ulimit -n)");
        }
    }

    // ---------------------------------------------------------------------------------------------
    // Live

    private int runLive(EventLoopGroup viewerGroup, EventLoopGroup publisherGroup) throws Exception {
        // Publishers first: viewers should find the stream live.
        EventLoop pubLoop = publisherGroup.next();
        List<Publisher> publishers = new ArrayList<>();
        List<MediaSource> sources = new ArrayList<>();
        for (int k = 0; k < o.publishers; k++) {
            MediaSource s = o.source.equals("synthetic")
                    ? new SyntheticSource(k, o.bitrateKbps, o.fps, o.gopSeconds)
                    : new FlvFileSource(Path.of(o.source), k);
            sources.add(s);
        }
        printHeader(String.format(Locale.ROOT,
                "load: %d publisher(s), %d viewers on %d event loop(s) (%s), ramp %d every %d ms, SetBufferLength %d ms, "
                        + "play start %s; lead-in %d s, window %d s; time bound %d s%nsource: %s",
                o.publishers, o.viewers, o.viewerLoops, ClientChannels.epoll() ? "epoll" : "nio", o.rampBatch,
                o.rampIntervalMillis, o.bufferMillis, LiveReport.number(o.playStart), o.leadInSeconds, o.windowSeconds,
                o.timeoutSeconds, sources.get(0).describe()));
        Snapshot initial = snapshot();
        for (int k = 0; k < o.publishers; k++) {
            String name = o.streamName(k);
            Publisher p = new Publisher(k, name, pubLoop, run, sources.get(k));
            publishers.add(p);
            p.start(ClientChannels.bootstrap(pubLoop, 10_000));
        }
        for (Publisher p : publishers) {
            long wait = Math.min(remaining(), TimeUnit.SECONDS.toNanos(15));
            if (!p.awaitReady(Math.max(1, wait))) {
                String why = p.failure;
                out().println("publisher " + (p.index + 1) + " (" + p.stream + "): " + why);
                if (why != null && why.contains("InvalidApp")) {
                    out().println("the server has no application '" + o.app + "' (NetConnection.Connect.InvalidApp): nothing to measure");
                }
                for (Publisher q : publishers) {
                    pubLoop.submit(q::stop).awaitUninterruptibly(2, TimeUnit.SECONDS);
                }
                LiveReport.refused(o, why);
                return EXIT_REFUSED;
            }
        }
        long published = System.nanoTime();
        out().printf(Locale.ROOT, "publishing: %d stream(s) %s%n", publishers.size(),
                publishers.stream().map(p -> p.stream).toList());

        // Viewers, in batches.
        List<EventLoop> loops = loops(viewerGroup);
        Map<EventLoop, LoopStats> stats = new HashMap<>();
        List<Bootstrap> bootstraps = new ArrayList<>();
        List<Viewer> viewers = new ArrayList<>(o.viewers);
        for (EventLoop loop : loops) {
            stats.put(loop, new LoopStats());
        }
        for (int i = 0; i < o.viewers; i++) {
            EventLoop loop = loops.get(i % loops.size());
            int pub = i % o.publishers;
            viewers.add(new Viewer(i, pub, o.streamName(pub), false, loop, run, stats.get(loop)));
        }
        for (EventLoop loop : loops) {
            bootstraps.add(ClientChannels.bootstrap(loop, 10_000));
        }
        long rampStart = System.nanoTime();
        ramp(viewers.size(), i -> viewers.get(i).start(bootstraps.get(i % loops.size())));
        long rampEnd = System.nanoTime();
        // Wait until every viewer plays or has failed.
        long setupUntil = Math.min(deadline, rampEnd + run.setupTimeoutNanos + TimeUnit.SECONDS.toNanos(1));
        long nextLine = System.nanoTime() + TimeUnit.SECONDS.toNanos(1);
        while (run.playing.get() + run.failed.get() < o.viewers && System.nanoTime() < setupUntil) {
            Thread.sleep(20);
            if (System.nanoTime() >= nextLine) {
                nextLine += TimeUnit.SECONDS.toNanos(1);
                out().printf(Locale.ROOT, "  setup +%.1f s: connected %d, playing %d, failed %d%n",
                        (System.nanoTime() - rampStart) / 1e9, run.connected.get(), run.playing.get(), run.failed.get());
            }
        }
        long setupDone = System.nanoTime();
        out().printf(Locale.ROOT, "setup: %d viewers started in %.2f s; %d playing, %d failed %.2f s after the first started%n",
                o.viewers, (rampEnd - rampStart) / 1e9, run.playing.get(), run.failed.get(), (setupDone - rampStart) / 1e9);

        // Lead-in, then the window (none when no viewer plays: nothing to measure, report at once).
        boolean nobody = run.playing.get() == 0;
        if (nobody) {
            out().println("no viewer plays: nothing to measure");
        }
        long windowStart = nobody ? setupDone : setupDone + TimeUnit.SECONDS.toNanos(o.leadInSeconds);
        long windowEnd = nobody ? setupDone : windowStart + TimeUnit.SECONDS.toNanos(o.windowSeconds);
        run.windowStart = windowStart;
        run.windowEnd = windowEnd;
        if (windowEnd + TimeUnit.SECONDS.toNanos(1) > deadline) {
            out().println("warning: the time bound (--timeout-seconds) ends before the window does");
        }
        sleepUntil(windowStart);
        Snapshot before = snapshot();
        long maxRss = before.serverRss();
        long lastBytes = windowBytes(loops, stats);
        long lastAt = System.nanoTime();
        long tick = windowStart;
        int tickSeconds = o.windowSeconds <= 20 ? 5 : 10;
        while (System.nanoTime() < windowEnd && remaining() > 0) {
            tick = Math.min(windowEnd, tick + TimeUnit.SECONDS.toNanos(1));
            sleepUntil(tick);
            maxRss = Math.max(maxRss, ProcStats.rssBytes(o.serverPids));
            long sec = Math.round((tick - windowStart) / 1e9);
            if (tick < windowEnd && sec % tickSeconds == 0) {
                long b = windowBytes(loops, stats);
                long now = System.nanoTime();
                out().printf(Locale.ROOT, "  window +%d s: playing %d, failed %d, %.1f Mbit/s delivered (last %d s)%n",
                        sec, run.playing.get() - failedWhilePlaying(loops, viewers), run.failed.get(),
                        (b - lastBytes) * 8 / 1e6 / ((now - lastAt) / 1e9), tickSeconds);
                lastBytes = b;
                lastAt = now;
            }
        }
        Snapshot after = snapshot();
        maxRss = Math.max(maxRss, after.serverRss());
        boolean windowComplete = !nobody && after.at() >= windowEnd;

        // Frames stamped before the end of the window may still be on their way: wait for them.
        long graceUntil = Math.min(deadline, System.nanoTime() + TimeUnit.SECONDS.toNanos(o.graceSeconds));
        while (System.nanoTime() < graceUntil && run.pastWindow.get() < o.viewers - run.failed.get()) {
            Thread.sleep(20);
        }
        long graceWaited = System.nanoTime() - after.at();

        // Collect on each loop's thread, then close everything.
        List<Viewer.ViewerResult> results = new ArrayList<>(o.viewers);
        LoopStats total = new LoopStats();
        for (EventLoop loop : loops) {
            var f = loop.submit(() -> {
                List<Viewer.ViewerResult> mine = new ArrayList<>();
                for (Viewer v : viewers) {
                    if (v.loop == loop) {
                        mine.add(v.result());
                    }
                }
                return Map.entry(mine, stats.get(loop).snapshot());
            });
            var e = f.get(30, TimeUnit.SECONDS);
            results.addAll(e.getKey());
            LoopStats s = e.getValue();
            total.e2e.add(s.e2e);
            total.bytes += s.bytes;
            total.windowBytes += s.windowBytes;
            total.windowMessages += s.windowMessages;
        }
        List<Publisher.PublisherResult> pubResults = new ArrayList<>();
        for (Publisher p : publishers) {
            pubResults.add(pubLoop.submit(p::result).get(10, TimeUnit.SECONDS));
        }
        run.closing = true;
        for (Publisher p : publishers) {
            pubLoop.execute(p::stop);
        }
        for (EventLoop loop : loops) {
            loop.submit(() -> {
                for (Viewer v : viewers) {
                    if (v.loop == loop) {
                        v.close();
                    }
                }
            }).awaitUninterruptibly(10, TimeUnit.SECONDS);
        }
        results.sort(java.util.Comparator.comparingInt(Viewer.ViewerResult::index));
        LiveReport report = new LiveReport(o, sources.get(0).describe(), initial, published, rampStart, rampEnd, setupDone,
                windowStart, windowEnd, before, after, maxRss, windowComplete, graceWaited, results, total, pubResults);
        return report.print();
    }

    private interface Starter {
        void start(int i);
    }

    /** Starts {@code n} connections, {@code --ramp-batch} at a time every {@code --ramp-interval-millis}. */
    private void ramp(int n, Starter starter) throws InterruptedException {
        long next = System.nanoTime();
        for (int i = 0; i < n; i += o.rampBatch) {
            if (remaining() <= 0) {
                out().println("time bound reached during the ramp: " + i + " of " + n + " started");
                return;
            }
            sleepUntil(next);
            for (int j = i; j < Math.min(n, i + o.rampBatch); j++) {
                starter.start(j);
            }
            next += TimeUnit.MILLISECONDS.toNanos(o.rampIntervalMillis);
        }
    }

    /** Payload bytes received inside the window so far, read on each loop's thread. */
    private static long windowBytes(List<EventLoop> loops, Map<EventLoop, LoopStats> stats) throws Exception {
        long sum = 0;
        for (EventLoop loop : loops) {
            sum += loop.submit(() -> stats.get(loop).windowBytes).get(10, TimeUnit.SECONDS);
        }
        return sum;
    }

    /** Viewers that had played and failed since (for the progress lines). */
    private static int failedWhilePlaying(List<EventLoop> loops, List<Viewer> viewers) throws Exception {
        int n = 0;
        for (EventLoop loop : loops) {
            n += loop.submit(() -> {
                int c = 0;
                for (Viewer v : viewers) {
                    if (v.loop == loop && v.stage == Viewer.Stage.FAILED && v.firstVideoNanos > 0) {
                        c++;
                    }
                }
                return c;
            }).get(10, TimeUnit.SECONDS);
        }
        return n;
    }

    private void sleepUntil(long at) throws InterruptedException {
        while (true) {
            long left = Math.min(at, deadline) - System.nanoTime();
            if (left <= 0) {
                return;
            }
            TimeUnit.NANOSECONDS.sleep(Math.min(left, 50_000_000L));
        }
    }

    // ---------------------------------------------------------------------------------------------
    // Idle

    private int runIdle(EventLoopGroup viewerGroup) throws Exception {
        printHeader(String.format(Locale.ROOT, "idle: %d connections (connect + createStream, then nothing) on %d event loop(s) (%s), "
                        + "ramp %d every %d ms, held %d s; time bound %d s",
                o.idle, o.viewerLoops, ClientChannels.epoll() ? "epoll" : "nio", o.rampBatch, o.rampIntervalMillis,
                o.windowSeconds, o.timeoutSeconds));
        Snapshot initial = snapshot();
        List<EventLoop> loops = loops(viewerGroup);
        LoopStats unused = new LoopStats();
        List<Viewer> conns = new ArrayList<>(o.idle);
        for (int i = 0; i < o.idle; i++) {
            conns.add(new Viewer(i, 0, o.stream, true, loops.get(i % loops.size()), run, unused));
        }
        List<Bootstrap> bootstraps = new ArrayList<>();
        for (EventLoop loop : loops) {
            bootstraps.add(ClientChannels.bootstrap(loop, 10_000));
        }
        long rampStart = System.nanoTime();
        ramp(o.idle, i -> conns.get(i).start(bootstraps.get(i % loops.size())));
        long setupUntil = Math.min(deadline, System.nanoTime() + run.setupTimeoutNanos + TimeUnit.SECONDS.toNanos(1));
        long nextLine = System.nanoTime() + TimeUnit.SECONDS.toNanos(2);
        while (run.streamCreated.get() + run.failed.get() < o.idle && System.nanoTime() < setupUntil) {
            Thread.sleep(20);
            if (System.nanoTime() >= nextLine) {
                nextLine += TimeUnit.SECONDS.toNanos(2);
                out().printf(Locale.ROOT, "  setup +%.1f s: connected %d, createStream answered %d, failed %d%n",
                        (System.nanoTime() - rampStart) / 1e9, run.connected.get(), run.streamCreated.get(), run.failed.get());
            }
        }
        long setupDone = System.nanoTime();
        int established = run.streamCreated.get() - failedAfter(loops, conns, Viewer.Stage.IDLE);
        // Refused by the server: no point holding anything.
        if (established == 0 && run.failed.get() > 0) {
            List<Viewer.ViewerResult> results = collect(loops, conns);
            run.closing = true;
            closeAll(loops, conns);
            return new LiveReport(o, "", initial, 0, rampStart, setupDone, setupDone, setupDone, setupDone, initial, initial,
                    initial.serverRss(), false, 0, results, unused, List.of()).printIdle(false);
        }
        Thread.sleep(Math.min(1000, Math.max(0, remaining() / 1_000_000)));
        Snapshot ready = snapshot();
        out().printf(Locale.ROOT, "IDLE READY connections=%d failed=%d server_rss_bytes=%d setup_s=%.2f%n",
                run.streamCreated.get(), run.failed.get(), ready.serverRss(), (setupDone - rampStart) / 1e9);
        out().flush();
        long holdUntil = ready.at() + TimeUnit.SECONDS.toNanos(o.windowSeconds);
        long maxRss = ready.serverRss();
        while (System.nanoTime() < holdUntil && remaining() > 0) {
            sleepUntil(Math.min(holdUntil, System.nanoTime() + TimeUnit.SECONDS.toNanos(1)));
            maxRss = Math.max(maxRss, ProcStats.rssBytes(o.serverPids));
        }
        Snapshot end = snapshot();
        maxRss = Math.max(maxRss, end.serverRss());
        List<Viewer.ViewerResult> results = collect(loops, conns);
        run.closing = true;
        closeAll(loops, conns);
        return new LiveReport(o, "", initial, 0, rampStart, setupDone, setupDone, ready.at(), end.at(), ready, end, maxRss,
                end.at() >= holdUntil, 0, results, unused, List.of()).printIdle(true);
    }

    private static int failedAfter(List<EventLoop> loops, List<Viewer> conns, Viewer.Stage stage) throws Exception {
        int n = 0;
        for (EventLoop loop : loops) {
            n += loop.submit(() -> {
                int c = 0;
                for (Viewer v : conns) {
                    if (v.loop == loop && v.stage == Viewer.Stage.FAILED && v.failedAt == stage) {
                        c++;
                    }
                }
                return c;
            }).get(10, TimeUnit.SECONDS);
        }
        return n;
    }

    private static List<Viewer.ViewerResult> collect(List<EventLoop> loops, List<Viewer> viewers) throws Exception {
        List<Viewer.ViewerResult> results = new ArrayList<>();
        for (EventLoop loop : loops) {
            results.addAll(loop.submit(() -> {
                List<Viewer.ViewerResult> mine = new ArrayList<>();
                for (Viewer v : viewers) {
                    if (v.loop == loop) {
                        mine.add(v.result());
                    }
                }
                return mine;
            }).get(30, TimeUnit.SECONDS));
        }
        results.sort(java.util.Comparator.comparingInt(Viewer.ViewerResult::index));
        return results;
    }

    private static void closeAll(List<EventLoop> loops, List<Viewer> viewers) {
        for (EventLoop loop : loops) {
            loop.submit(() -> {
                for (Viewer v : viewers) {
                    if (v.loop == loop) {
                        v.close();
                    }
                }
            }).awaitUninterruptibly(30, TimeUnit.SECONDS);
        }
    }
}
