package io.millrace.bench.live;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * The figures of one {@link LiveLoad} run, printed three ways from the same numbers: a plain-text summary, one
 * {@code RESULT key=value ...} line for scripts ({@code bench/scripts/live-vs-nginx.sh}), and with
 * {@code --json FILE} a JSON object.
 *
 * <p>Definitions. <b>Playing at the window start</b>: a viewer that had received a video frame before the
 * window opened and had not failed by then; the frame and delay figures are over those viewers.
 * <b>Delivered</b>: payload bytes (bodies of audio and video messages, not chunk headers or TCP) that arrived
 * inside the window, by arrival time; <b>expected</b>: for each viewer playing at the window start, the
 * payload its publisher wrote inside the window. <b>Startup</b>: per viewer, from sending play to the first
 * video frame that is a coded picture (not the sequence header), and to the first keyframe.
 * <b>End-to-end delay</b>: arrival {@code nanoTime} minus the publisher's stamp, for every frame stamped inside
 * the window, all viewers pooled (µs buckets, ≤ 0.1 % rounding up). <b>Frames missing</b>: per viewer, the
 * frames its publisher stamped inside the window minus those it received. <b>Server CPU</b>: utime + stime of
 * the {@code --server-pid} processes from the window's start to its end (clock-tick resolution), and per
 * delivered Gbit. <b>Server RSS</b>: VmRSS summed over those processes at the end of the window, and the
 * largest of the once-a-second readings.
 */
final class LiveReport {
    private static final double MIB = 1024.0 * 1024.0;

    private final LiveLoad.Options o;
    private final String source;
    private final LiveLoad.Snapshot initial;
    private final long published;
    private final long rampStart;
    private final long rampEnd;
    private final long setupDone;
    private final long windowStart;
    private final long windowEnd;
    private final LiveLoad.Snapshot before;
    private final LiveLoad.Snapshot after;
    private final long maxRss;
    private final boolean windowComplete;
    private final long graceWaited;
    private final List<Viewer.ViewerResult> viewers;
    private final LoopStats total;
    private final List<Publisher.PublisherResult> publishers;

    LiveReport(LiveLoad.Options o, String source, LiveLoad.Snapshot initial, long published, long rampStart, long rampEnd,
               long setupDone, long windowStart, long windowEnd, LiveLoad.Snapshot before, LiveLoad.Snapshot after, long maxRss,
               boolean windowComplete, long graceWaited, List<Viewer.ViewerResult> viewers, LoopStats total,
               List<Publisher.PublisherResult> publishers) {
        this.o = o;
        this.source = source;
        this.initial = initial;
        this.published = published;
        this.rampStart = rampStart;
        this.rampEnd = rampEnd;
        this.setupDone = setupDone;
        this.windowStart = windowStart;
        this.windowEnd = windowEnd;
        this.before = before;
        this.after = after;
        this.maxRss = maxRss;
        this.windowComplete = windowComplete;
        this.graceWaited = graceWaited;
        this.viewers = viewers;
        this.total = total;
        this.publishers = publishers;
    }

    // ---------------------------------------------------------------------------------------------
    // Live

    /** Prints the live run's report (and writes --json); returns the exit status. */
    int print() {
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("mode", "live");
        json.put("label", o.label);
        json.put("date", ZonedDateTime.now().format(DateTimeFormatter.ISO_OFFSET_DATE_TIME));
        json.put("target", "rtmp://" + o.host + ":" + o.port + "/" + o.app + "/" + o.stream);
        json.put("serverPids", o.serverPids);
        json.put("options", optionsJson());
        json.put("source", source);

        double window = (after.at() - before.at()) / 1e9;
        long requested = o.viewers;
        long connected = viewers.stream().filter(v -> v.connectedNanos() > 0).count();
        long everPlayed = viewers.stream().filter(v -> v.firstVideoNanos() > 0).count();
        List<Viewer.ViewerResult> atStart = viewers.stream().filter(v -> v.firstVideoNanos() > 0 && v.firstVideoNanos() < windowStart
                && !(v.failed() && v.failedNanos() < windowStart)).toList();
        long through = atStart.stream().filter(v -> !(v.failed() && v.failedNanos() < windowEnd)).count();
        Map<String, Long> reasons = new TreeMap<>();
        long[] when = new long[4]; // setup, lead-in, window, after
        for (Viewer.ViewerResult v : viewers) {
            if (v.failed()) {
                reasons.merge(v.failure(), 1L, Long::sum);
                long t = v.failedNanos();
                when[t < setupDone ? 0 : t < windowStart ? 1 : t < windowEnd ? 2 : 3]++;
            }
        }
        long failed = reasons.values().stream().mapToLong(Long::longValue).sum();
        Map<String, Object> vj = new LinkedHashMap<>();
        vj.put("requested", requested);
        vj.put("connected", connected);
        vj.put("everPlayed", everPlayed);
        vj.put("playingAtWindowStart", atStart.size());
        vj.put("playingThroughWindow", through);
        vj.put("failed", failed);
        vj.put("failedDuringSetup", when[0]);
        vj.put("failedDuringLeadIn", when[1]);
        vj.put("failedDuringWindow", when[2]);
        vj.put("failedAfterWindow", when[3]);
        vj.put("failureReasons", reasons);
        vj.put("rampSeconds", (rampEnd - rampStart) / 1e9);
        vj.put("setupSeconds", (setupDone - rampStart) / 1e9);
        json.put("viewers", vj);

        // Delivered and expected.
        long bytes = total.windowBytes;
        double gbit = bytes * 8 / 1e9;
        long expectedBytes = 0;
        for (Viewer.ViewerResult v : atStart) {
            expectedBytes += publisher(v.publisher()).bytesInWindow();
        }
        double mbitPerSecond = gbit * 1000 / window;
        double expectedMbit = expectedBytes * 8 / 1e6 / window;
        Map<String, Object> dj = new LinkedHashMap<>();
        dj.put("windowSeconds", window);
        dj.put("payloadBytes", bytes);
        dj.put("gbit", gbit);
        dj.put("mbitPerSecond", mbitPerSecond);
        dj.put("expectedMbitPerSecond", expectedMbit);
        dj.put("deliveredPercentOfExpected", expectedBytes > 0 ? 100.0 * bytes / expectedBytes : Double.NaN);
        dj.put("messages", total.windowMessages);
        json.put("delivered", dj);

        // Startup.
        long[] firstVideo = viewers.stream().filter(v -> v.firstVideoNanos() > 0 && v.playSentNanos() > 0)
                .mapToLong(v -> v.firstVideoNanos() - v.playSentNanos()).sorted().toArray();
        long[] firstKey = viewers.stream().filter(v -> v.firstKeyNanos() > 0 && v.playSentNanos() > 0)
                .mapToLong(v -> v.firstKeyNanos() - v.playSentNanos()).sorted().toArray();
        Map<String, Object> sj = new LinkedHashMap<>();
        sj.put("firstVideoFrameMs", percentilesJson(firstVideo));
        sj.put("firstKeyframeMs", percentilesJson(firstKey));
        json.put("startup", sj);

        // End-to-end delay.
        MicrosHistogram h = total.e2e;
        Map<String, Object> ej = new LinkedHashMap<>();
        ej.put("frames", h.count());
        ej.put("p50Ms", ms(h.percentile(50)));
        ej.put("p90Ms", ms(h.percentile(90)));
        ej.put("p99Ms", ms(h.percentile(99)));
        ej.put("p999Ms", ms(h.percentile(99.9)));
        ej.put("maxMs", ms(h.max()));
        ej.put("minMs", ms(h.min()));
        ej.put("meanMs", h.count() == 0 ? Double.NaN : h.mean() / 1000);
        json.put("endToEndDelay", ej);

        // Frames.
        long framesExpected = 0;
        long missing = 0;
        long maxMissing = 0;
        long complete = 0;
        long extra = 0;
        long gaps = 0;
        for (Viewer.ViewerResult v : atStart) {
            long pub = publisher(v.publisher()).framesInWindow();
            framesExpected += pub;
            long m = pub - v.framesInWindow();
            if (m < 0) {
                extra += -m;
                m = 0;
            }
            missing += m;
            maxMissing = Math.max(maxMissing, m);
            if (m == 0) {
                complete++;
            }
            gaps += v.gaps();
        }
        long published0 = publishers.isEmpty() ? 0 : publishers.get(0).framesInWindow();
        Map<String, Object> fj = new LinkedHashMap<>();
        fj.put("publishedInWindowPerStream", publishers.stream().map(Publisher.PublisherResult::framesInWindow).toList());
        fj.put("expectedOverViewers", framesExpected);
        fj.put("viewersWithEveryFrame", complete);
        fj.put("viewersCounted", atStart.size());
        fj.put("missing", missing);
        fj.put("maxMissingPerViewer", maxMissing);
        fj.put("missingPercent", framesExpected > 0 ? 100.0 * missing / framesExpected : Double.NaN);
        fj.put("unexpectedExtra", extra);
        fj.put("sequenceGapsWholeRun", gaps);
        json.put("frames", fj);

        // Server.
        long serverCpu = diff(after.serverCpu(), before.serverCpu());
        double serverCpuS = serverCpu / 1e9;
        Map<String, Object> svj = new LinkedHashMap<>();
        svj.put("cpuSeconds", serverCpu < 0 ? null : serverCpuS);
        svj.put("cpuPercentOfOneCore", serverCpu < 0 ? null : 100 * serverCpuS / window);
        svj.put("cpuSecondsPerGbit", serverCpu < 0 || gbit <= 0 ? null : serverCpuS / gbit);
        svj.put("rssMiBAtStart", mib(initial.serverRss()));
        svj.put("rssMiBWindowEnd", mib(after.serverRss()));
        svj.put("rssMiBMax", mib(maxRss));
        svj.put("clockTicksPerSecond", ProcStats.ticksPerSecond());
        json.put("server", svj);

        // Load generator.
        long self = diff(after.selfCpu(), before.selfCpu());
        long[] loopCpu = diffs(after.viewerLoopCpu(), before.viewerLoopCpu());
        long loopSum = Arrays.stream(loopCpu).sum();
        long loopMax = Arrays.stream(loopCpu).max().orElse(0);
        long pubCpu = Arrays.stream(diffs(after.publisherLoopCpu(), before.publisherLoopCpu())).sum();
        Map<String, Object> lj = new LinkedHashMap<>();
        lj.put("cpuSeconds", self < 0 ? null : self / 1e9);
        lj.put("cpuPercentOfOneCore", self < 0 ? null : 100 * self / 1e9 / window);
        lj.put("viewerLoopsCpuSeconds", loopSum / 1e9);
        lj.put("busiestViewerLoopPercent", 100 * loopMax / 1e9 / window);
        lj.put("publisherLoopCpuSeconds", pubCpu / 1e9);
        lj.put("graceWaitedSeconds", graceWaited / 1e9);
        json.put("loadGenerator", lj);

        List<Object> pj = new ArrayList<>();
        long lateMax = 0;
        long unwritable = 0;
        boolean publishersOk = true;
        for (Publisher.PublisherResult p : publishers) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("stream", p.stream());
            m.put("state", p.stage().name().toLowerCase());
            m.put("failure", p.failure());
            m.put("framesSent", p.framesSent());
            m.put("videoFramesSent", p.videoFramesSent());
            m.put("bytesSent", p.bytesSent());
            m.put("videoFramesInWindow", p.framesInWindow());
            m.put("bytesInWindow", p.bytesInWindow());
            m.put("framesSentWhileSocketBackedUp", p.sentWhileUnwritable());
            m.put("maxLateMs", p.maxLateNanos() / 1e6);
            m.put("framesLateOver20ms", p.lateOver20ms());
            pj.add(m);
            lateMax = Math.max(lateMax, p.maxLateNanos());
            unwritable += p.sentWhileUnwritable();
            publishersOk &= p.failure() == null;
        }
        json.put("publishers", pj);
        boolean ok = windowComplete && publishersOk && failed == 0 && atStart.size() == requested;
        json.put("ok", ok);
        json.put("windowComplete", windowComplete);

        // ---- text
        LiveLoad.out().println();
        LiveLoad.out().println("== live load summary" + (o.label.isEmpty() ? "" : " [" + o.label + "]") + ": " + requested + " viewers of "
                + o.publishers + " stream(s) on " + o.app + "/" + o.stream + ", SetBufferLength " + o.bufferMillis + " ms ==");
        LiveLoad.out().printf(Locale.ROOT, "window                %.2f s, %.1f s after the first viewer started%s%n", window,
                (before.at() - rampStart) / 1e9, windowComplete ? "" : " (INCOMPLETE: time bound)");
        LiveLoad.out().printf(Locale.ROOT, "viewers               requested %d, connected %d, played %d, playing at the window start %d, "
                        + "through the window %d; failed %d (setup %d, lead-in %d, window %d, after %d)%n",
                requested, connected, everPlayed, atStart.size(), through, failed, when[0], when[1], when[2], when[3]);
        reasons.forEach((r, c) -> LiveLoad.out().println("  failed x" + c + ": " + r));
        LiveLoad.out().printf(Locale.ROOT, "ramp                  %.2f s to start all, %.2f s until all played or failed%n",
                (rampEnd - rampStart) / 1e9, (setupDone - rampStart) / 1e9);
        LiveLoad.out().printf(Locale.ROOT, "delivered (payload)   %.3f Gbit (%.1f MB) = %.1f Mbit/s; expected %.1f Mbit/s (%.2f %%)%n",
                gbit, bytes / 1e6, mbitPerSecond, expectedMbit, expectedBytes > 0 ? 100.0 * bytes / expectedBytes : Double.NaN);
        LiveLoad.out().printf(Locale.ROOT, "startup               play -> first video frame: p50 %s, p95 %s, p99 %s, max %s ms (%d viewers)%n",
                pms(firstVideo, 50), pms(firstVideo, 95), pms(firstVideo, 99), pms(firstVideo, 100), firstVideo.length);
        LiveLoad.out().printf(Locale.ROOT, "                      play -> first keyframe:    p50 %s, p95 %s, p99 %s, max %s ms (%d viewers)%n",
                pms(firstKey, 50), pms(firstKey, 95), pms(firstKey, 99), pms(firstKey, 100), firstKey.length);
        if (h.count() > 0) {
            LiveLoad.out().printf(Locale.ROOT, "end-to-end delay      p50 %.2f, p90 %.2f, p99 %.2f, p99.9 %.2f, max %.2f ms (mean %.2f; %d frames stamped in the window)%n",
                    ms(h.percentile(50)), ms(h.percentile(90)), ms(h.percentile(99)), ms(h.percentile(99.9)), ms(h.max()),
                    h.mean() / 1000, h.count());
        } else {
            LiveLoad.out().println("end-to-end delay      n/a (no stamped frame received in the window)");
        }
        LiveLoad.out().printf(Locale.ROOT, "frames                %d video frames published in the window%s; %d of %d viewers received every one; "
                        + "missing %d of %d (%.3f %%, at most %d for one viewer)%s%n",
                published0, publishers.size() > 1 ? " (stream 1)" : "", complete, atStart.size(), missing, framesExpected,
                framesExpected > 0 ? 100.0 * missing / framesExpected : Double.NaN, maxMissing,
                extra > 0 ? "; " + extra + " more than published (?)" : "");
        if (serverCpu >= 0) {
            LiveLoad.out().printf(Locale.ROOT, "server CPU            %.2f s (%.1f %% of one core); %.3f CPU s per delivered Gbit%n",
                    serverCpuS, 100 * serverCpuS / window, gbit > 0 ? serverCpuS / gbit : Double.NaN);
        } else {
            LiveLoad.out().println("server CPU            n/a (pass --server-pid)");
        }
        if (after.serverRss() >= 0) {
            LiveLoad.out().printf(Locale.ROOT, "server RSS            %.1f MiB at the window end (max %.1f; %.1f before the publisher connected)%n",
                    after.serverRss() / MIB, maxRss / MIB, initial.serverRss() / MIB);
        }
        LiveLoad.out().printf(Locale.ROOT, "load generator CPU    %.2f s (%.1f %% of one core); viewer loops %.2f s, busiest loop %.0f %% busy; "
                        + "publisher loop %.2f s%n",
                self / 1e9, 100 * self / 1e9 / window, loopSum / 1e9, 100 * loopMax / 1e9 / window, pubCpu / 1e9);
        if (100 * loopMax / 1e9 / window > 90) {
            LiveLoad.out().println("  note: a viewer event loop was over 90 % busy: the load generator may have been the bottleneck "
                    + "(try --viewer-loops 2)");
        }
        for (Publisher.PublisherResult p : publishers) {
            LiveLoad.out().printf(Locale.ROOT, "publisher %-11s %s; %d frames sent (%d video, %.1f MB); timer late by at most %.1f ms (%d frames > 20 ms); "
                            + "%d frames written while the socket was backed up%s%n",
                    p.stream(), p.stage().name().toLowerCase(), p.framesSent(), p.videoFramesSent(), p.bytesSent() / 1e6,
                    p.maxLateNanos() / 1e6, p.lateOver20ms(), p.sentWhileUnwritable(),
                    p.failure() == null ? "" : "; failed: " + p.failure());
        }

        // ---- one machine-readable line
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("ok", ok ? 1 : 0);
        r.put("label", o.label.isEmpty() ? "-" : o.label.replace(' ', '_'));
        r.put("viewers", requested);
        r.put("connected", connected);
        r.put("playing", atStart.size());
        r.put("through", through);
        r.put("failed", failed);
        r.put("window_s", f(3, window));
        r.put("gbit", f(4, gbit));
        r.put("mbit_s", f(1, mbitPerSecond));
        r.put("expected_mbit_s", f(1, expectedMbit));
        r.put("startup_p50_ms", pms(firstVideo, 50));
        r.put("startup_p95_ms", pms(firstVideo, 95));
        r.put("startup_p99_ms", pms(firstVideo, 99));
        r.put("startup_max_ms", pms(firstVideo, 100));
        r.put("key_p50_ms", pms(firstKey, 50));
        r.put("key_p99_ms", pms(firstKey, 99));
        r.put("e2e_p50_ms", f(2, ms(h.percentile(50))));
        r.put("e2e_p99_ms", f(2, ms(h.percentile(99))));
        r.put("e2e_max_ms", f(2, ms(h.max())));
        r.put("e2e_frames", h.count());
        r.put("frames_published", published0);
        r.put("viewers_all_frames", complete);
        r.put("frames_missing", missing);
        r.put("server_cpu_s", serverCpu < 0 ? "nan" : f(3, serverCpuS));
        r.put("server_cpu_pct", serverCpu < 0 ? "nan" : f(1, 100 * serverCpuS / window));
        r.put("cpu_s_per_gbit", serverCpu < 0 || gbit <= 0 ? "nan" : f(4, serverCpuS / gbit));
        r.put("server_rss_mib", after.serverRss() < 0 ? "nan" : f(1, after.serverRss() / MIB));
        r.put("server_rss_max_mib", maxRss < 0 ? "nan" : f(1, maxRss / MIB));
        r.put("loadgen_cpu_pct", f(1, 100 * self / 1e9 / window));
        r.put("viewer_loop_max_pct", f(1, 100 * loopMax / 1e9 / window));
        r.put("publisher_late_max_ms", f(1, lateMax / 1e6));
        r.put("publisher_backed_up", unwritable);
        printResult(r);
        writeJson(json);
        return ok ? LiveLoad.EXIT_OK : LiveLoad.EXIT_INCOMPLETE;
    }

    private Publisher.PublisherResult publisher(int index) {
        return publishers.get(index);
    }

    private Map<String, Object> optionsJson() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("viewers", o.viewers);
        m.put("idle", o.idle);
        m.put("publishers", o.publishers);
        m.put("source", o.source);
        m.put("bitrateKbps", o.bitrateKbps);
        m.put("fps", o.fps);
        m.put("gopSeconds", o.gopSeconds);
        m.put("bufferMillis", o.bufferMillis);
        m.put("playStart", o.playStart);
        m.put("leadInSeconds", o.leadInSeconds);
        m.put("windowSeconds", o.windowSeconds);
        m.put("viewerLoops", o.viewerLoops);
        m.put("rampBatch", o.rampBatch);
        m.put("rampIntervalMillis", o.rampIntervalMillis);
        m.put("setupTimeoutSeconds", o.setupTimeoutSeconds);
        m.put("graceSeconds", o.graceSeconds);
        m.put("transport", ClientChannels.epoll() ? "epoll" : "nio");
        return m;
    }

    // ---------------------------------------------------------------------------------------------
    // Idle

    /** Prints the idle run's report; {@code held} false when nothing was established. Returns the exit status. */
    int printIdle(boolean held) {
        long requested = o.idle;
        long established = viewers.stream().filter(v -> v.stage() == Viewer.Stage.IDLE).count();
        Map<String, Long> reasons = new TreeMap<>();
        for (Viewer.ViewerResult v : viewers) {
            if (v.failed()) {
                reasons.merge(v.failure(), 1L, Long::sum);
            }
        }
        long failed = reasons.values().stream().mapToLong(Long::longValue).sum();
        double hold = (after.at() - before.at()) / 1e9;
        long rssBefore = initial.serverRss();
        long rssWith = before.serverRss();
        long rssEnd = after.serverRss();
        long serverCpu = diff(after.serverCpu(), before.serverCpu());
        long self = diff(after.selfCpu(), before.selfCpu());
        boolean ok = held && windowComplete && failed == 0 && established == requested;

        LiveLoad.out().println();
        LiveLoad.out().println("== idle connections summary" + (o.label.isEmpty() ? "" : " [" + o.label + "]") + ": " + requested
                + " connections to " + o.app + " (connect + createStream) ==");
        LiveLoad.out().printf(Locale.ROOT, "connections           requested %d, established and still open %d, failed %d; setup %.2f s%n",
                requested, established, failed, (setupDone - rampStart) / 1e9);
        reasons.forEach((r, c) -> LiveLoad.out().println("  failed x" + c + ": " + r));
        if (rssBefore >= 0 && rssWith >= 0) {
            LiveLoad.out().printf(Locale.ROOT, "server RSS            %.1f MiB before, %.1f MiB with them (+%.1f MiB, %.1f KiB per connection), "
                            + "%.1f MiB after %.0f s held (max %.1f)%n",
                    rssBefore / MIB, rssWith / MIB, (rssWith - rssBefore) / MIB,
                    established > 0 ? (rssWith - rssBefore) / 1024.0 / established : Double.NaN, rssEnd / MIB, hold, maxRss / MIB);
        } else {
            LiveLoad.out().println("server RSS            n/a (pass --server-pid)");
        }
        if (serverCpu >= 0) {
            LiveLoad.out().printf(Locale.ROOT, "server CPU            %.2f s while they were held (%.0f s)%n", serverCpu / 1e9, hold);
        }
        LiveLoad.out().printf(Locale.ROOT, "load generator CPU    %.2f s while held%n", Math.max(0, self) / 1e9);

        Map<String, Object> r = new LinkedHashMap<>();
        r.put("ok", ok ? 1 : 0);
        r.put("mode", "idle");
        r.put("label", o.label.isEmpty() ? "-" : o.label.replace(' ', '_'));
        r.put("requested", requested);
        r.put("established", established);
        r.put("failed", failed);
        r.put("setup_s", f(2, (setupDone - rampStart) / 1e9));
        r.put("server_rss_before_mib", rssBefore < 0 ? "nan" : f(1, rssBefore / MIB));
        r.put("server_rss_mib", rssWith < 0 ? "nan" : f(1, rssWith / MIB));
        r.put("server_rss_end_mib", rssEnd < 0 ? "nan" : f(1, rssEnd / MIB));
        r.put("rss_kib_per_conn", rssBefore < 0 || rssWith < 0 || established == 0 ? "nan"
                : f(2, (rssWith - rssBefore) / 1024.0 / established));
        r.put("server_cpu_s", serverCpu < 0 ? "nan" : f(3, serverCpu / 1e9));
        r.put("hold_s", f(1, hold));
        printResult(r);

        Map<String, Object> json = new LinkedHashMap<>();
        json.put("mode", "idle");
        json.put("label", o.label);
        json.put("date", ZonedDateTime.now().format(DateTimeFormatter.ISO_OFFSET_DATE_TIME));
        json.put("target", "rtmp://" + o.host + ":" + o.port + "/" + o.app);
        json.put("serverPids", o.serverPids);
        json.put("options", optionsJson());
        json.put("requested", requested);
        json.put("established", established);
        json.put("failed", failed);
        json.put("failureReasons", reasons);
        json.put("setupSeconds", (setupDone - rampStart) / 1e9);
        json.put("holdSeconds", hold);
        json.put("serverRssMiBBefore", mib(rssBefore));
        json.put("serverRssMiBWithConnections", mib(rssWith));
        json.put("serverRssMiBEnd", mib(rssEnd));
        json.put("serverRssMiBMax", mib(maxRss));
        json.put("serverRssKiBPerConnection", rssBefore < 0 || rssWith < 0 || established == 0 ? null
                : (rssWith - rssBefore) / 1024.0 / established);
        json.put("serverCpuSecondsWhileHeld", serverCpu < 0 ? null : serverCpu / 1e9);
        json.put("ok", ok);
        writeJson(json);
        if (!held && reasons.keySet().stream().anyMatch(s -> s.contains("InvalidApp"))) {
            LiveLoad.out().println("the server has no application '" + o.app + "' (NetConnection.Connect.InvalidApp)");
            return LiveLoad.EXIT_REFUSED;
        }
        return ok ? LiveLoad.EXIT_OK : LiveLoad.EXIT_INCOMPLETE;
    }

    /** The publisher was refused (or never got to publish): a RESULT line and JSON saying why. */
    static void refused(LiveLoad.Options o, String why) {
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("ok", 0);
        r.put("label", o.label.isEmpty() ? "-" : o.label.replace(' ', '_'));
        r.put("refused", why == null ? "unknown" : why.replaceAll("\\s+", "_"));
        printResult(r);
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("mode", "live");
        json.put("label", o.label);
        json.put("target", "rtmp://" + o.host + ":" + o.port + "/" + o.app + "/" + o.stream);
        json.put("ok", false);
        json.put("refused", why);
        writeJson(o, json);
    }

    // ---------------------------------------------------------------------------------------------
    // Helpers

    private static void printResult(Map<String, Object> r) {
        StringBuilder b = new StringBuilder("RESULT");
        r.forEach((k, v) -> b.append(' ').append(k).append('=').append(v));
        LiveLoad.out().println(b);
    }

    private void writeJson(Map<String, Object> json) {
        writeJson(o, json);
    }

    private static void writeJson(LiveLoad.Options o, Map<String, Object> json) {
        if (o.json == null) {
            return;
        }
        try {
            Files.writeString(o.json, Json.write(json) + "\n", StandardCharsets.UTF_8);
            LiveLoad.out().println("json: " + o.json);
        } catch (IOException e) {
            LiveLoad.out().println("warning: cannot write " + o.json + ": " + e);
        }
    }

    private static long diff(long a, long b) {
        return a < 0 || b < 0 ? -1 : a - b;
    }

    private static long[] diffs(long[] a, long[] b) {
        long[] d = new long[a.length];
        for (int i = 0; i < a.length; i++) {
            d[i] = Math.max(0, a[i] - (i < b.length ? b[i] : 0));
        }
        return d;
    }

    private static Double mib(long bytes) {
        return bytes < 0 ? null : bytes / MIB;
    }

    private static double ms(long micros) {
        return micros < 0 ? Double.NaN : micros / 1000.0;
    }

    /** Nearest-rank percentile of sorted nanosecond values, in ms with one decimal; "nan" when empty. */
    static String pms(long[] sortedNanos, double p) {
        double v = percentileMillis(sortedNanos, p);
        return Double.isNaN(v) ? "nan" : String.format(Locale.ROOT, "%.1f", v);
    }

    static double percentileMillis(long[] sortedNanos, double p) {
        if (sortedNanos.length == 0) {
            return Double.NaN;
        }
        int rank = (int) Math.ceil(p / 100.0 * sortedNanos.length);
        return sortedNanos[Math.max(0, Math.min(sortedNanos.length - 1, rank - 1))] / 1e6;
    }

    private static Map<String, Object> percentilesJson(long[] sortedNanos) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("count", sortedNanos.length);
        m.put("p50", percentileMillis(sortedNanos, 50));
        m.put("p95", percentileMillis(sortedNanos, 95));
        m.put("p99", percentileMillis(sortedNanos, 99));
        m.put("max", percentileMillis(sortedNanos, 100));
        return m;
    }

    private static String f(int decimals, double v) {
        return Double.isNaN(v) ? "nan" : String.format(Locale.ROOT, "%." + decimals + "f", v);
    }

    /** A number as the report writes it: no ".0" for whole values. */
    static String number(double v) {
        return v == Math.rint(v) && Math.abs(v) < 1e15 ? String.valueOf((long) v) : String.valueOf(v);
    }
}
