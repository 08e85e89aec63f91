package io.millrace.server.session;

import io.millrace.server.config.ServerConfig;

import java.util.concurrent.ThreadLocalRandom;
import java.util.function.LongSupplier;

/**
 * One run of FMS's native bandwidth detection on one connection: the server calls {@code onBWCheck} on the
 * client, first with an empty argument and at once with a block of {@code dataSize} bytes, then, after each
 * answer, with blocks of 2, 3, 4... times {@code dataSize}, until {@code maxWait} has passed; then it calls
 * {@code onBWDone(kbitDown, deltaDown, deltaTime, latency)} with FMS 2's arithmetic
 * (../shared/protocol/bandwidth.md §3-4):
 * <ul>
 *   <li>{@code latency}: milliseconds until the first answer, held to 10-800 (100 when that looks like a
 *       satellite or modem link: a latency of 100 ms or more and over a second between the first two answers);</li>
 *   <li>{@code deltaDown}: kilobits the server sent to the client from the start to the last answer;</li>
 *   <li>{@code deltaTime}: seconds that took, less one latency per round trip (the whole time if that leaves
 *       nothing);</li>
 *   <li>{@code kbitDown}: {@code deltaDown / deltaTime}, rounded: the client's downstream in kbit/s.</li>
 * </ul>
 * With {@code maxRateKbps} above 0 the blocks are spaced so that the test sends no faster than that. Past FMS,
 * a test also ends once it has sent {@value #MAX_TOTAL_FACTOR} times {@code dataSize} (16 MiB with FMS's
 * 16 KB): enough to time a gigabit link, where FMS would send a fast client as much as its MaxWait allows
 * (over 200 MB in 2 s on loopback). A client
 * that stops answering (one without an {@code onBWCheck} method) ends the test after {@link #ANSWER_TIMEOUT_MILLIS}:
 * it gets {@code onBWDone} with its figures if two answers came back, without arguments otherwise.
 *
 * <p>Single-threaded: every method runs on the connection's event loop.
 */
final class BandwidthCheck {
    static final long MIN_LATENCY_MILLIS = 10;
    static final long MAX_LATENCY_MILLIS = 800;
    /** The largest block, in multiples of {@code dataSize}: a fast link ends by time, not by a huge block. */
    static final int MAX_BLOCK_FACTOR = 64;
    static final long ANSWER_TIMEOUT_MILLIS = 10_000;
    /** The most a test sends, in multiples of {@code dataSize}. */
    static final int MAX_TOTAL_FACTOR = 1024;

    /** What the check needs from its connection. */
    interface Peer {
        /** Calls {@code onBWCheck(payload)} on the client; returns the call's transaction id. */
        double callOnBWCheck(String payload);

        /** Bytes sent to the client so far (all messages, as FMS's {@code bytes_out}). */
        long bytesOut();

        /** Runs {@code task} on the connection's thread after {@code millis}; returns a handle to cancel it. */
        Runnable schedule(Runnable task, long millis);

        /** The end: the figures, or null when the client answered too little to measure. */
        void done(Result result);
    }

    /** What {@code onBWDone} reports. */
    record Result(long kbitDown, double deltaDown, double deltaTime, long latency, int rounds, long bytes) {
    }

    private final ServerConfig.BandwidthDetection settings;
    private final LongSupplier nanoClock;
    private final Peer peer;

    private long startNanos;
    private long startBytes;
    /** Transaction ids of the calls not answered yet (at most two: the first pair). */
    private double outstandingA = Double.NaN;
    private double outstandingB = Double.NaN;
    private int answers;
    private long firstAnswerNanos;
    private long secondAnswerNanos;
    private long lastAnswerNanos;
    private long lastAnswerBytes;
    private long latencyMillis;
    /** Round trips after the first one: one per answered block sent after an answer (FMS's cumLatency, less one). */
    private int extraRounds;
    private int nextFactor = 2;
    private Runnable cancelTimer = () -> { };
    private boolean finished;
    private static volatile String letters;

    BandwidthCheck(ServerConfig.BandwidthDetection settings, LongSupplier nanoClock, Peer peer) {
        this.settings = settings;
        this.nanoClock = nanoClock;
        this.peer = peer;
    }

    void start() {
        startNanos = nanoClock.getAsLong();
        startBytes = peer.bytesOut();
        outstandingA = peer.callOnBWCheck("");
        outstandingB = peer.callOnBWCheck(block(1));
        armTimeout();
    }

    boolean finished() {
        return finished;
    }

    /** Whether a {@code _result} or {@code _error} with this transaction id answers one of this check's calls. */
    boolean owns(double transactionId) {
        return !finished && (transactionId == outstandingA || transactionId == outstandingB);
    }

    /** An answer to one of this check's calls (whatever value it carries: Flash returns what onBWCheck returned). */
    void onAnswer(double transactionId) {
        if (!owns(transactionId)) {
            return;
        }
        if (transactionId == outstandingA) {
            outstandingA = Double.NaN;
        } else {
            outstandingB = Double.NaN;
        }
        long now = nanoClock.getAsLong();
        answers++;
        lastAnswerNanos = now;
        lastAnswerBytes = peer.bytesOut();
        if (answers > 2) {
            extraRounds++; // an answered block sent after the first pair: one more round trip in the time
        }
        if (answers == 1) {
            firstAnswerNanos = now;
            latencyMillis = Math.max(MIN_LATENCY_MILLIS, Math.min(MAX_LATENCY_MILLIS, millis(now - startNanos)));
        } else if (answers == 2) {
            secondAnswerNanos = now;
        }
        if (!Double.isNaN(outstandingA) || !Double.isNaN(outstandingB)) {
            return; // the first pair is still out
        }
        long elapsedMillis = millis(now - startNanos);
        if (elapsedMillis >= settings.maxWaitMillis()
                || lastAnswerBytes - startBytes >= (long) MAX_TOTAL_FACTOR * settings.dataSize()) {
            finish();
            return;
        }
        int factor = Math.min(nextFactor++, MAX_BLOCK_FACTOR);
        long delay = paceDelayMillis(now, (long) factor * settings.dataSize());
        if (delay <= 0) {
            sendBlock(factor);
        } else if (elapsedMillis + delay >= settings.maxWaitMillis()) {
            finish();
        } else {
            cancelTimer.run();
            cancelTimer = peer.schedule(() -> {
                if (!finished) {
                    sendBlock(factor);
                }
            }, delay);
        }
    }

    /** The connection closed: nothing more is sent. */
    void abandon() {
        finished = true;
        cancelTimer.run();
    }

    private void sendBlock(int factor) {
        outstandingA = peer.callOnBWCheck(block(factor));
        armTimeout();
    }

    /** How long to wait before sending {@code nextBytes} more so that the test stays under maxRateKbps. */
    private long paceDelayMillis(long now, long nextBytes) {
        long rate = settings.maxRateKbps();
        if (rate <= 0) {
            return 0;
        }
        long sent = peer.bytesOut() - startBytes + nextBytes;
        long earliestMillis = sent * 8 / rate; // kbit/s = bits per millisecond
        return earliestMillis - millis(now - startNanos);
    }

    private void armTimeout() {
        cancelTimer.run();
        cancelTimer = peer.schedule(this::onTimeout, ANSWER_TIMEOUT_MILLIS);
    }

    private void onTimeout() {
        if (!finished) {
            finish();
        }
    }

    private void finish() {
        finished = true;
        cancelTimer.run();
        outstandingA = Double.NaN;
        outstandingB = Double.NaN;
        peer.done(answers >= 2 ? result() : null);
    }

    /** FMS 2's arithmetic over the answers received (bandwidth.md §3, step 5). */
    Result result() {
        long latency = latencyMillis;
        if (latency >= 100 && millis(secondAnswerNanos - firstAnswerNanos) > 1000) {
            latency = 100;
        }
        long bytes = lastAnswerBytes - startBytes;
        double deltaDown = bytes * 8 / 1000.0;
        long elapsedMillis = millis(lastAnswerNanos - startNanos);
        int roundTrips = 1 + extraRounds;
        double deltaTime = (elapsedMillis - latency * roundTrips) / 1000.0;
        if (deltaTime <= 0) {
            deltaTime = Math.max(elapsedMillis, 1) / 1000.0;
        }
        return new Result(Math.round(deltaDown / deltaTime), deltaDown, deltaTime, latency, roundTrips, bytes);
    }

    /**
     * {@code factor * dataSize} random letters: a string, which AMF0 and AMF3 clients alike take as an
     * argument. Cut from one random string shared by every check of the process (the content need not
     * differ), made by the first check that needs more than the one before.
     */
    private String block(int factor) {
        int n = factor * settings.dataSize();
        String all = letters;
        if (all == null || all.length() < n) {
            synchronized (BandwidthCheck.class) {
                all = letters;
                if (all == null || all.length() < n) {
                    char[] c = new char[MAX_BLOCK_FACTOR * settings.dataSize()];
                    ThreadLocalRandom r = ThreadLocalRandom.current();
                    for (int i = 0; i < c.length; i++) {
                        c[i] = (char) ('a' + r.nextInt(26));
                    }
                    all = new String(c);
                    letters = all;
                }
            }
        }
        return all.substring(0, n);
    }

    private static long millis(long nanos) {
        return nanos / 1_000_000;
    }
}
