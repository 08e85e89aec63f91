package io.millrace.bench;

import io.millrace.amf.AmfObject;
import io.millrace.rtmp.client.ClientEvent;
import io.millrace.rtmp.client.RtmpClient;

import java.io.PrintStream;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The fixed-window mode of {@link VodLoad} ({@code --window-seconds S}): what a server delivers, and what
 * that costs it, over a fixed span of wall time rather than per completed play. Used to compare servers
 * that pace differently (one may finish a file in 2 s that another streams in 30 s): CPU per delivered
 * Gbit over the same window is comparable where CPU per completed play is not.
 *
 * <p>All N players are set up (connect, createStream, SetBufferLength) and start playing at once. Each
 * plays the stream, and whenever a play ends ({@code NetStream.Play.Complete}) or fails it closes its
 * connection and starts again with a new one, so the load does not thin out when plays finish. After
 * {@code --lead-in-seconds} (JIT warm-up, or the start-up burst of real-time pacing) the window opens:
 * every {@code --slice-seconds} the runner reads the payload bytes received so far by all players and the
 * server's CPU time, and at the end of the window it stops the players. The report gives the window's
 * totals and the mean ± sd over its slices.
 */
final class VodLoadWindow {
    private static final PrintStream OUT = System.out;

    private final VodLoad.Options o;
    private final VodLoad.Target target;
    private final long deadline;

    VodLoadWindow(VodLoad.Options o, VodLoad.Target target, long deadline) {
        this.o = o;
        this.target = target;
        this.deadline = deadline;
    }

    /** One play of one player. Times in ns (System.nanoTime); firstMedia -1 if no media came. */
    record Play(long start, long firstMedia, long end, String outcome) {
    }

    /** One reading: when, payload bytes received so far by all players, server CPU ns so far (-1 unknown). */
    record Sample(long at, long bytes, long serverCpu, long selfCpu) {
    }

    int run() throws Exception {
        OUT.println("Millrace VOD load run (fixed window), " + ZonedDateTime.now().format(DateTimeFormatter.ISO_OFFSET_DATE_TIME));
        OUT.println("server: " + target.description);
        OUT.printf(Locale.ROOT, "players %d, stream %s/%s, SetBufferLength %d ms, lead-in %d s, window %d s in slices of %d s, "
                        + "time bound %d s%n",
                o.players, o.app, o.stream, o.bufferMillis, o.leadInSeconds, o.windowSeconds, o.sliceSeconds, o.timeoutSeconds);
        int n = o.players;
        AtomicInteger threadNo = new AtomicInteger();
        ExecutorService pool = Executors.newFixedThreadPool(n, r -> {
            Thread t = new Thread(r, "vodload-window-player-" + threadNo.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        CountDownLatch ready = new CountDownLatch(n);
        CountDownLatch go = new CountDownLatch(1);
        LoopPlayer[] players = new LoopPlayer[n];
        long setupStart = System.nanoTime();
        for (int i = 0; i < n; i++) {
            players[i] = new LoopPlayer(ready, go);
            pool.execute(players[i]);
        }
        List<Sample> samples = new ArrayList<>();
        long start;
        long windowStart;
        long windowEnd;
        try {
            if (!ready.await(Math.max(0, remaining()), TimeUnit.NANOSECONDS)) {
                OUT.println("not every player was set up within the time bound");
            }
            OUT.printf(Locale.ROOT, "setup of all players %.2f s%n", (System.nanoTime() - setupStart) / 1e9);
            start = System.nanoTime();
            go.countDown();
            windowStart = start + TimeUnit.SECONDS.toNanos(o.leadInSeconds);
            windowEnd = windowStart + TimeUnit.SECONDS.toNanos(o.windowSeconds);
            long slice = TimeUnit.SECONDS.toNanos(o.sliceSeconds);
            for (long at = windowStart; at <= windowEnd && remaining() > 0; at += slice) {
                sleepUntil(at);
                samples.add(sample(players));
            }
        } finally {
            go.countDown();
            for (LoopPlayer p : players) {
                p.stop = true;
            }
            pool.shutdown();
            if (!pool.awaitTermination(20, TimeUnit.SECONDS)) {
                OUT.println("warning: some players did not stop within 20 s");
                pool.shutdownNow();
            }
        }
        return report(players, samples, start, windowStart);
    }

    private long remaining() {
        return deadline - System.nanoTime();
    }

    private void sleepUntil(long at) throws InterruptedException {
        while (true) {
            long left = at - System.nanoTime();
            if (left <= 0 || remaining() <= 0) {
                return;
            }
            TimeUnit.NANOSECONDS.sleep(Math.min(left, 50_000_000L));
        }
    }

    private Sample sample(LoopPlayer[] players) {
        long at = System.nanoTime();
        long bytes = 0;
        for (LoopPlayer p : players) {
            bytes += p.bytes;
        }
        VodLoad.CpuSnapshot cpu = target.cpu();
        return new Sample(at, bytes, cpu.serverCpu(), cpu.selfCpu());
    }

    // ---------------------------------------------------------------------------------------------

    /** Plays the stream again and again, one new connection per play, until told to stop. */
    private final class LoopPlayer implements Runnable {
        private final CountDownLatch ready;
        private final CountDownLatch go;
        final List<Play> plays = new ArrayList<>();
        volatile boolean stop;
        /** Payload bytes of audio and video messages received; written by this player's thread only. */
        volatile long bytes;
        String setupFailure;

        LoopPlayer(CountDownLatch ready, CountDownLatch go) {
            this.ready = ready;
            this.go = go;
        }

        @Override
        public void run() {
            boolean first = true;
            try {
                while (!stop && remaining() > 0) {
                    RtmpClient c = null;
                    long playStart = -1;
                    long firstMedia = -1;
                    String outcome;
                    try {
                        c = RtmpClient.open(target.host, target.port, RtmpClient.Options.plain());
                        int streamId = VodLoad.setUp(c, target.host, target.port, o.app, o.bufferMillis,
                                Duration.ofMillis(Math.max(1, Math.min(10_000, remaining() / 1_000_000))));
                        if (first) {
                            first = false;
                            ready.countDown();
                            if (!go.await(Math.max(0, remaining()), TimeUnit.NANOSECONDS)) {
                                return;
                            }
                        }
                        if (stop) {
                            return;
                        }
                        playStart = System.nanoTime();
                        c.notify(streamId, "play", o.stream);
                        outcome = null;
                        while (outcome == null) {
                            if (stop || remaining() <= 0) {
                                outcome = "stopped";
                                break;
                            }
                            ClientEvent e;
                            try {
                                e = c.next(Duration.ofMillis(100));
                            } catch (TimeoutException slice) {
                                continue;
                            }
                            if (e instanceof ClientEvent.Media m) {
                                if (m.streamId() == streamId && (m.isVideo() || m.isAudio())) {
                                    if (firstMedia < 0) {
                                        firstMedia = System.nanoTime();
                                    }
                                    bytes += m.size();
                                }
                            } else if (e instanceof ClientEvent.Data d) {
                                if (d.data().streamId() == streamId && "onPlayStatus".equals(d.name())
                                        && d.data().value(0) instanceof AmfObject info
                                        && "NetStream.Play.Complete".equals(info.getString("code"))) {
                                    outcome = "complete";
                                }
                            } else if (e instanceof ClientEvent.CommandEvent ce) {
                                String code = ce.code();
                                if (code != null && (code.equals("NetStream.Play.Failed") || code.equals("NetStream.Play.StreamNotFound")
                                        || code.equals("NetStream.Play.FileStructureInvalid")
                                        || code.equals("NetStream.Play.NoSupportedTrackFound"))) {
                                    outcome = code;
                                }
                            } else if (e instanceof ClientEvent.Closed) {
                                outcome = "connection closed before Play.Complete";
                            } else if (e instanceof ClientEvent.Error err) {
                                outcome = "error: " + err.cause();
                            }
                        }
                    } catch (Exception e) {
                        outcome = e.toString();
                    } finally {
                        if (c != null) {
                            c.close();
                        }
                    }
                    if (playStart < 0) {
                        // Setup failed: count it, back off a little so a refusing server is not hammered.
                        setupFailure = outcome;
                        plays.add(new Play(-1, -1, System.nanoTime(), "setup: " + outcome));
                        Thread.sleep(100);
                    } else {
                        plays.add(new Play(playStart, firstMedia, System.nanoTime(), outcome));
                    }
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } finally {
                if (first) {
                    ready.countDown();
                }
            }
        }
    }

    // ---------------------------------------------------------------------------------------------

    private int report(LoopPlayer[] players, List<Sample> samples, long start, long windowStart) {
        OUT.println();
        OUT.println("== window summary (" + o.players + " players looping on " + o.app + "/" + o.stream + ", SetBufferLength "
                + o.bufferMillis + " ms; " + target.shortName + ") ==");
        if (samples.size() < 2) {
            OUT.println("the window did not complete (time bound)");
            OUT.println("RESULT ok=0");
            return 1;
        }
        Sample first = samples.get(0);
        Sample last = samples.get(samples.size() - 1);
        double wall = (last.at() - first.at()) / 1e9;
        long bytes = last.bytes() - first.bytes();
        double gbit = bytes * 8 / 1e9;
        long cpu = last.serverCpu() >= 0 && first.serverCpu() >= 0 ? last.serverCpu() - first.serverCpu() : -1;
        long self = last.selfCpu() >= 0 && first.selfCpu() >= 0 ? last.selfCpu() - first.selfCpu() : -1;

        List<double[]> slices = new ArrayList<>(); // {seconds, gbit, cpu s}
        for (int i = 1; i < samples.size(); i++) {
            Sample a = samples.get(i - 1);
            Sample b = samples.get(i);
            slices.add(new double[] {(b.at() - a.at()) / 1e9, (b.bytes() - a.bytes()) * 8 / 1e9,
                    a.serverCpu() >= 0 && b.serverCpu() >= 0 ? (b.serverCpu() - a.serverCpu()) / 1e9 : -1});
        }
        double[] mbits = slices.stream().mapToDouble(s -> s[1] * 1000 / s[0]).toArray();
        double[] cpuPct = slices.stream().mapToDouble(s -> 100 * s[2] / s[0]).toArray();
        double[] cpuPerGbit = slices.stream().filter(s -> s[1] > 0).mapToDouble(s -> s[2] / s[1]).toArray();

        OUT.printf(Locale.ROOT, "window                %.2f s, from %.2f s after the common start%n", wall, (first.at() - start) / 1e9);
        OUT.printf(Locale.ROOT, "delivered (payload)   %.3f Gbit (%.1f MB) = %.1f Mbit/s%n", gbit, bytes / 1e6, gbit * 1000 / wall);
        OUT.println("  per slice Mbit/s    " + VodLoad.meanSd(mbits, "%.1f", "slices"));
        if (cpu >= 0) {
            OUT.printf(Locale.ROOT, "server CPU            %.2f s (%.0f%% of one core)%s%n", cpu / 1e9, 100 * cpu / 1e9 / wall, target.cpuNote);
            OUT.println("  per slice % of core " + VodLoad.meanSd(cpuPct, "%.0f", "slices"));
            OUT.printf(Locale.ROOT, "server CPU s per delivered Gbit  %.3f%n", gbit > 0 ? cpu / 1e9 / gbit : Double.NaN);
            OUT.println("  per slice           " + VodLoad.meanSd(cpuPerGbit, "%.3f", "slices"));
        } else {
            OUT.println("server CPU            n/a (pass --server-pid for a server you started yourself)");
        }
        if (self >= 0) {
            OUT.printf(Locale.ROOT, "load generator CPU    %.2f s (this JVM)%n", self / 1e9);
        }

        // Plays: the first of each player started together at the common start; later ones one by one.
        List<Play> all = new ArrayList<>();
        long firstPlays = 0;
        List<Long> herd = new ArrayList<>();
        List<Long> later = new ArrayList<>();
        for (LoopPlayer p : players) {
            boolean isFirst = true;
            for (Play pl : p.plays) {
                all.add(pl);
                if (pl.start() < 0) {
                    continue;
                }
                long latency = pl.firstMedia() >= 0 ? pl.firstMedia() - pl.start() : -1;
                if (isFirst) {
                    firstPlays++;
                    if (latency >= 0) {
                        herd.add(latency);
                    }
                } else if (latency >= 0) {
                    later.add(latency);
                }
                isFirst = false;
            }
        }
        long completed = all.stream().filter(p -> "complete".equals(p.outcome())).count();
        long stopped = all.stream().filter(p -> "stopped".equals(p.outcome())).count();
        Map<String, Long> failures = new TreeMap<>();
        for (Play p : all) {
            if (!"complete".equals(p.outcome()) && !"stopped".equals(p.outcome())) {
                failures.merge(p.outcome(), 1L, Long::sum);
            }
        }
        long failed = failures.values().stream().mapToLong(Long::longValue).sum();
        long completedInWindow = all.stream().filter(p -> "complete".equals(p.outcome()) && p.end() >= first.at() && p.end() <= last.at()).count();
        OUT.printf(Locale.ROOT, "plays                 %d started, %d completed (%d of them inside the window), %d stopped at the end, %d failed%n",
                all.stream().filter(p -> p.start() >= 0).count(), completed, completedInWindow, stopped, failed);
        failures.forEach((f, c) -> OUT.println("  failed x" + c + ": " + f));
        long[] h = herd.stream().mapToLong(Long::longValue).sorted().toArray();
        long[] l = later.stream().mapToLong(Long::longValue).sorted().toArray();
        OUT.printf(Locale.ROOT, "play -> first media   first plays (all %d at once): median %.1f ms, p95 %.1f ms, max %.1f ms (%d)%n",
                firstPlays, VodLoad.percentileMillis(h, 50), VodLoad.percentileMillis(h, 95), VodLoad.percentileMillis(h, 100), h.length);
        OUT.printf(Locale.ROOT, "                      later plays (one at a time): median %.1f ms, p95 %.1f ms, max %.1f ms (%d)%n",
                VodLoad.percentileMillis(l, 50), VodLoad.percentileMillis(l, 95), VodLoad.percentileMillis(l, 100), l.length);

        // One machine-readable line for scripts (bench/scripts/vod-vs-nginx.sh).
        OUT.printf(Locale.ROOT, "RESULT ok=%d window_s=%.3f gbit=%.4f mbit_s=%.1f mbit_s_sd=%.1f cpu_s=%.3f cpu_pct=%.1f "
                        + "cpu_s_per_gbit=%.4f cpu_s_per_gbit_sd=%.4f slices=%d plays_started=%d plays_completed=%d plays_failed=%d "
                        + "first_media_p50_ms=%.1f first_media_p95_ms=%.1f first_media_max_ms=%.1f "
                        + "later_first_media_p50_ms=%.1f later_first_media_p95_ms=%.1f loadgen_cpu_s=%.3f%n",
                failed == 0 ? 1 : 0, wall, gbit, gbit * 1000 / wall, sd(mbits), cpu / 1e9, 100 * cpu / 1e9 / wall,
                gbit > 0 && cpu >= 0 ? cpu / 1e9 / gbit : Double.NaN, sd(cpuPerGbit), slices.size(),
                all.stream().filter(p -> p.start() >= 0).count(), completed, failed,
                VodLoad.percentileMillis(h, 50), VodLoad.percentileMillis(h, 95), VodLoad.percentileMillis(h, 100),
                VodLoad.percentileMillis(l, 50), VodLoad.percentileMillis(l, 95), self / 1e9);
        return failed == 0 && bytes > 0 ? 0 : 1;
    }

    private static double sd(double[] v) {
        if (v.length < 2) {
            return Double.NaN;
        }
        double mean = Arrays.stream(v).average().orElse(Double.NaN);
        return Math.sqrt(Arrays.stream(v).map(x -> (x - mean) * (x - mean)).sum() / (v.length - 1));
    }
}
