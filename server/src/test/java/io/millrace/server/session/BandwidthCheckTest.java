package io.millrace.server.session;

import io.millrace.server.config.ServerConfig;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/** The detection's rounds and FMS 2's arithmetic, on a simulated link with a fake clock. */
class BandwidthCheckTest {
    private static final ServerConfig.BandwidthDetection FMS_DEFAULTS =
            new ServerConfig.BandwidthDetection(true, false, 16384, 2000, -1);

    /** A client link: a fixed latency each way and a downstream rate; the clock is advanced by the test. */
    private static final class Link implements BandwidthCheck.Peer {
        final List<String> payloads = new ArrayList<>();
        final List<Double> ids = new ArrayList<>();
        final List<long[]> timers = new ArrayList<>(); // [dueNanos, index into tasks, cancelled]
        final List<Runnable> tasks = new ArrayList<>();
        long nanos = 1_000_000_000L;
        long bytes = 5_000;
        double nextId = 7;
        boolean done;
        BandwidthCheck.Result result;

        @Override
        public double callOnBWCheck(String payload) {
            payloads.add(payload);
            bytes += payload.length() + 30; // the string plus the command's own bytes
            ids.add(nextId);
            return nextId++;
        }

        @Override
        public long bytesOut() {
            return bytes;
        }

        @Override
        public Runnable schedule(Runnable task, long millis) {
            long[] t = {nanos + millis * 1_000_000, tasks.size(), 0};
            timers.add(t);
            tasks.add(task);
            return () -> t[2] = 1;
        }

        @Override
        public void done(BandwidthCheck.Result r) {
            assertThat(done).as("done once").isFalse();
            done = true;
            result = r;
        }

        /** Moves the clock on by {@code ms}, running the timers that fall due on the way, earliest first. */
        void advanceMillis(double ms) {
            long until = nanos + (long) (ms * 1_000_000);
            while (runNextTimer(until)) {
                // again
            }
            nanos = until;
        }

        /** Runs the earliest timer due by {@code until}, moving the clock to it; false if there is none. */
        boolean runNextTimer(long until) {
            long[] next = null;
            for (long[] t : timers) {
                if (t[2] == 0 && t[0] <= until && (next == null || t[0] < next[0])) {
                    next = t;
                }
            }
            if (next == null) {
                return false;
            }
            next[2] = 1;
            nanos = Math.max(nanos, next[0]);
            tasks.get((int) next[1]).run();
            return true;
        }
    }

    /** Plays the client: answers each call after latency + the time its bytes take at kbps. */
    private static void runLink(Link link, BandwidthCheck check, double latencyMs, double kbps) {
        int answered = 0;
        while (!link.done) {
            if (answered == link.ids.size()) {
                assertThat(link.runNextTimer(Long.MAX_VALUE)).as("a paced send or the timeout is pending").isTrue();
                continue;
            }
            double transfer = (link.payloads.get(answered).length() + 30) * 8 / kbps; // ms
            link.advanceMillis(answered == 0 ? 2 * latencyMs : answered == 1 ? transfer : 2 * latencyMs + transfer);
            check.onAnswer(link.ids.get(answered));
            answered++;
        }
    }

    @Test
    void measuresA2000KbitLinkWithGrowingBlocksForAboutMaxWait() {
        Link link = new Link();
        BandwidthCheck check = new BandwidthCheck(FMS_DEFAULTS, () -> link.nanos, link);
        check.start();
        assertThat(link.payloads).hasSize(2);
        assertThat(link.payloads.get(0)).isEmpty();
        assertThat(link.payloads.get(1)).hasSize(16384).matches("[a-z]+");
        runLink(link, check, 15, 2000);

        assertThat(link.done).isTrue();
        BandwidthCheck.Result r = link.result;
        assertThat(r).isNotNull();
        // Blocks of 1, 2, 3... x 16 KB until 2 s have passed.
        for (int i = 1; i < link.payloads.size(); i++) {
            assertThat(link.payloads.get(i)).hasSize(i * 16384);
        }
        assertThat(link.payloads.size()).isBetween(8, 10);
        assertThat(r.latency()).isEqualTo(30); // the first answer's round trip
        assertThat(r.rounds()).isEqualTo(link.payloads.size() - 1);
        long bytes = link.payloads.stream().mapToLong(p -> p.length() + 30).sum();
        assertThat(r.bytes()).isEqualTo(bytes);
        assertThat(r.deltaDown()).isCloseTo(bytes * 8 / 1000.0, within(1e-9));
        assertThat(r.kbitDown()).isBetween(1900L, 2100L);
        assertThat(r.kbitDown()).isEqualTo(Math.round(r.deltaDown() / r.deltaTime()));
        assertThat(check.finished()).isTrue();
    }

    @Test
    void aVeryFastLinkEndsTheTestAfter16MiBInsteadOfSendingForTheWholeMaxWait() {
        Link link = new Link();
        BandwidthCheck check = new BandwidthCheck(FMS_DEFAULTS, () -> link.nanos, link);
        check.start();
        runLink(link, check, 0.05, 10_000_000); // 10 Gbit/s
        long sent = link.bytes - 5_000;
        long cap = (long) BandwidthCheck.MAX_TOTAL_FACTOR * 16384;
        assertThat(sent).isGreaterThanOrEqualTo(cap).isLessThan(cap + 64L * 16384 + 10_000);
        // 1 + 2 + ... + 45 blocks of 16 KB pass 16 MiB: 46 calls with the empty one, in a few milliseconds.
        assertThat(link.payloads).hasSize(46);
        assertThat(link.payloads.get(45)).hasSize(45 * 16384);
        assertThat(link.result.kbitDown()).as("still a measurement").isGreaterThan(1_000_000L);
    }

    @Test
    void latencyIsHeldBetween10And800AndASlowSecondAnswerMeansASatelliteLink() {
        Link fast = new Link();
        BandwidthCheck a = new BandwidthCheck(FMS_DEFAULTS, () -> fast.nanos, fast);
        a.start();
        runLink(fast, a, 0.5, 50_000);
        assertThat(fast.result.latency()).isEqualTo(10);

        // 600 ms each way: the first answer after 1.2 s is held to 800 ms; the second answer comes over a second
        // later (a 16 KB block at 100 kbit/s), so FMS's rule sets the latency to 100 ms.
        Link sat = new Link();
        BandwidthCheck b = new BandwidthCheck(FMS_DEFAULTS, () -> sat.nanos, sat);
        b.start();
        runLink(sat, b, 600, 100);
        assertThat(sat.result.latency()).isEqualTo(100);
        assertThat(sat.payloads).hasSize(2); // the 2 s were over after the first pair
    }

    @Test
    void aClientThatNeverAnswersGetsOnBWDoneWithoutFiguresAfterTheTimeout() {
        Link link = new Link();
        BandwidthCheck check = new BandwidthCheck(FMS_DEFAULTS, () -> link.nanos, link);
        check.start();
        link.advanceMillis(BandwidthCheck.ANSWER_TIMEOUT_MILLIS - 1);
        assertThat(link.done).isFalse();
        link.advanceMillis(1);
        assertThat(link.done).isTrue();
        assertThat(link.result).isNull();
        assertThat(check.owns(link.ids.get(0))).as("a late answer is not the check's any more").isFalse();
    }

    @Test
    void answersToOtherCallsAreNotTheChecksAndAbandonStopsEverything() {
        Link link = new Link();
        BandwidthCheck check = new BandwidthCheck(FMS_DEFAULTS, () -> link.nanos, link);
        check.start();
        assertThat(check.owns(1)).isFalse();
        check.onAnswer(1);
        assertThat(link.payloads).hasSize(2);
        check.abandon();
        link.advanceMillis(60_000);
        assertThat(link.done).as("nothing is sent or called after the connection closed").isFalse();
        assertThat(check.owns(link.ids.get(0))).isFalse();
    }

    @Test
    void maxRateSpacesTheBlocks() {
        // 500 kbit/s at most on a 50 Mbit/s link: the check must take its time instead of sending at once.
        ServerConfig.BandwidthDetection capped = new ServerConfig.BandwidthDetection(true, false, 16384, 2000, 500);
        Link link = new Link();
        BandwidthCheck check = new BandwidthCheck(capped, () -> link.nanos, link);
        long t0 = link.nanos;
        check.start();
        runLink(link, check, 1, 50_000);
        assertThat(link.result).isNotNull();
        double seconds = (link.nanos - t0) / 1e9;
        long sentBits = (link.bytes - 5_000) * 8;
        assertThat(sentBits / 1000.0 / Math.min(seconds, 2.0)).as("kbit/s sent while testing").isLessThanOrEqualTo(520);
        assertThat(link.result.kbitDown()).as("what was measured is the cap, not the link").isBetween(300L, 600L);
    }
}
