package io.millrace.bench.live;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * What the viewers and publishers of one run share with the thread that drives it: the target, the
 * measured window and a few counters of progress. The window bounds are {@link System#nanoTime()} values,
 * {@link Long#MAX_VALUE} until the driver sets them (before the lead-in begins).
 */
final class RunContext {
    final String host;
    final int port;
    final String app;
    final String tcUrl;
    final long bufferMillis;
    final double playStart;
    final long setupTimeoutNanos;

    volatile long windowStart = Long.MAX_VALUE;
    volatile long windowEnd = Long.MAX_VALUE;
    /** Set when the driver closes the connections itself: a close is then no failure. */
    volatile boolean closing;

    /** Viewers whose connect succeeded. */
    final AtomicInteger connected = new AtomicInteger();
    /** Viewers (idle mode: connections) whose createStream was answered. */
    final AtomicInteger streamCreated = new AtomicInteger();
    /** Viewers that received their first video frame. */
    final AtomicInteger playing = new AtomicInteger();
    /** Viewers that failed (each once). */
    final AtomicInteger failed = new AtomicInteger();
    /** Viewers that received a frame stamped at or after the end of the window. */
    final AtomicInteger pastWindow = new AtomicInteger();

    RunContext(String host, int port, String app, long bufferMillis, double playStart, long setupTimeoutNanos) {
        this.host = host;
        this.port = port;
        this.app = app;
        this.tcUrl = "rtmp://" + host + ":" + port + "/" + app;
        this.bufferMillis = bufferMillis;
        this.playStart = playStart;
        this.setupTimeoutNanos = setupTimeoutNanos;
    }

    /** Whether a frame stamped at {@code stampNanos} belongs to the measured window. */
    boolean inWindow(long stampNanos) {
        return stampNanos >= windowStart && stampNanos < windowEnd;
    }
}
