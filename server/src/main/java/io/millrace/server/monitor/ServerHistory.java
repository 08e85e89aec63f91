package io.millrace.server.monitor;

import java.util.ArrayList;
import java.util.List;

/**
 * The last {@link #capacity()} {@link ServerSample}s in a ring buffer: the sampler thread appends one a
 * second, HTTP threads read copies. Both sides hold the lock only for an array write or a copy of at most
 * {@code capacity} references (the samples are immutable), so readers never see a half-written sample and
 * the sampler never waits long.
 */
public final class ServerHistory {
    /** How often {@link ServerMonitor}'s sampler adds a sample. */
    public static final long INTERVAL_MILLIS = 1000;
    /** Ten minutes of one-second samples. */
    public static final int DEFAULT_CAPACITY = 600;

    private final ServerSample[] ring;
    private int next;
    private int size;
    private long lastSeq;

    public ServerHistory(int capacity) {
        if (capacity < 1) {
            throw new IllegalArgumentException("capacity must be positive: " + capacity);
        }
        ring = new ServerSample[capacity];
    }

    public int capacity() {
        return ring.length;
    }

    /** Appends a sample, dropping the oldest when full. Its {@code seq} must be above every earlier one. */
    public synchronized void add(ServerSample sample) {
        if (sample.seq() <= lastSeq) {
            throw new IllegalArgumentException("sample " + sample.seq() + " is not after " + lastSeq);
        }
        lastSeq = sample.seq();
        ring[next] = sample;
        next = (next + 1) % ring.length;
        if (size < ring.length) {
            size++;
        }
    }

    /** The samples whose {@code seq} is above {@code afterSeq}, oldest first (0 for all of them). */
    public synchronized List<ServerSample> after(long afterSeq) {
        // Samples are in seq order: count the newer ones back from the newest, then copy those.
        int n = 0;
        while (n < size && ring[index(size - 1 - n)].seq() > afterSeq) {
            n++;
        }
        List<ServerSample> out = new ArrayList<>(n);
        for (int i = size - n; i < size; i++) {
            out.add(ring[index(i)]);
        }
        return out;
    }

    /** The ring position of the i-th held sample, 0 being the oldest. */
    private int index(int i) {
        return Math.floorMod(next - size + i, ring.length);
    }
}
