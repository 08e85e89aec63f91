package io.millrace.bench.live;

/**
 * Figures that all viewers on one event loop add to; touched only by that loop's thread (read through a
 * task submitted to the loop), so nothing here is synchronised.
 */
final class LoopStats {
    /** End-to-end delay of every stamped frame of the window, in µs. */
    final MicrosHistogram e2e = new MicrosHistogram();
    /** Audio and video payload bytes received by all viewers of the loop. */
    long bytes;
    /** ... of them, those that arrived inside the window (by arrival time). */
    long windowBytes;
    long windowMessages;

    /** A copy taken on the loop's thread. */
    LoopStats snapshot() {
        LoopStats s = new LoopStats();
        s.e2e.add(e2e);
        s.bytes = bytes;
        s.windowBytes = windowBytes;
        s.windowMessages = windowMessages;
        return s;
    }
}
