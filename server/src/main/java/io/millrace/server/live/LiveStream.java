package io.millrace.server.live;

import io.millrace.server.config.ServerConfig;
import io.netty.channel.EventLoop;

import java.util.ArrayList;
import java.util.List;

/**
 * One live stream name of one application instance: its publisher (at most one), what a new viewer needs
 * first (metadata, sequence headers, the GOP since the last keyframe), and its viewers grouped by event loop
 * ({@link LoopFanout}). Each message is chunked once ({@link io.millrace.rtmp.chunk.SharedMessage}) and the
 * same bytes reach every viewer.
 *
 * <p>Threads: the publisher calls in from its event loop, viewers from theirs. Frames get their sequence
 * number, enter the caches and are offered to the fan-outs under this object's lock, and a viewer takes its
 * start snapshot and registers under the same lock, so it sees every frame once: the snapshot, then what
 * follows it (frames a fan-out still holds from before are skipped by sequence number).
 */
final class LiveStream {
    private static final LoopFanout[] NONE = new LoopFanout[0];

    final String key;
    final String name;
    private final ServerConfig.Live config;

    // ---- guarded by this ----
    private LiveSource publisher;
    private long seq;
    private final LiveTimeline timeline = new LiveTimeline();
    private LiveFrame metadata;
    private LiveFrame videoConfig;
    private LiveFrame audioConfig;
    private final ArrayList<LiveFrame> gop = new ArrayList<>();
    private volatile LoopFanout[] fanouts = NONE;
    /** Viewers and the publisher holding this stream in its registry (guarded by the registry). */
    int users;
    private final java.util.concurrent.atomic.AtomicLong droppedFrames = new java.util.concurrent.atomic.AtomicLong();

    /** A viewer's queue dropped frames (rare: a viewer that cannot keep up). */
    void countDropped(int frames) {
        droppedFrames.addAndGet(frames);
    }

    long droppedFrames() {
        return droppedFrames.get();
    }

    /** The publisher now, or null. */
    synchronized LiveSource publisher() {
        return publisher;
    }

    /** The viewers now (any thread). */
    List<LiveSubscriber> viewers() {
        List<LiveSubscriber> out = new ArrayList<>();
        for (LoopFanout fo : fanouts) {
            fo.addViewersTo(out);
        }
        return out;
    }

    /** Payload bytes delivered to viewers so far (any thread). */
    long bytesOut() {
        long n = 0;
        for (LoopFanout fo : fanouts) {
            n += fo.bytesOut();
        }
        return n;
    }

    LiveStream(String key, String name, ServerConfig.Live config) {
        this.key = key;
        this.name = name;
        this.config = config;
    }

    // ---- publisher side ---------------------------------------------------------------------------

    /** Makes {@code p} the publisher; false if another one publishes. */
    synchronized boolean attach(LiveSource p) {
        if (publisher != null) {
            return false;
        }
        publisher = p;
        timeline.newPublication();
        LiveFrame event = LiveFrame.event(LiveFrame.Kind.PUBLISH, Math.max(0, timeline.furthest()));
        offerLocked(event);
        return true;
    }

    synchronized boolean isPublishing() {
        return publisher != null;
    }

    /** The furthest point of the timeline (0 before the first frame). */
    synchronized long now() {
        return Math.max(0, timeline.furthest());
    }

    /** Maps a publisher timestamp onto the stream's timeline; track 0 audio, 1 video, 2 data. */
    synchronized long map(int track, long timestamp32) {
        return timeline.map(track, timestamp32);
    }

    /**
     * A frame from the publisher {@code p}: numbered, cached as needed and offered to every fan-out. Takes
     * over the caller's reference to {@code f}. Ignored (and released) if {@code p} no longer publishes.
     */
    void publish(LiveSource p, LiveFrame f) {
        synchronized (this) {
            if (publisher != p) {
                f.release();
                return;
            }
            cacheLocked(f);
            offerLocked(f);
        }
        f.release();
    }

    /** Sets (or, with null, clears) the stream metadata new viewers get first; also offered to current viewers. */
    void metadata(LiveSource p, LiveFrame f) {
        synchronized (this) {
            if (publisher != p) {
                if (f != null) {
                    f.release();
                }
                return;
            }
            if (metadata != null) {
                metadata.release();
            }
            metadata = f;
            if (f == null) {
                return;
            }
            offerLocked(f);
        }
    }

    /** What the publisher received goes out to the viewers now (or within the merge window). */
    void flush() {
        for (LoopFanout fo : fanouts) {
            fo.kick();
        }
    }

    /**
     * A playlist event of the publisher {@code p} ({@link LiveFrame.Kind#SWITCH} or {@link LiveFrame.Kind#RESET}),
     * offered to the viewers in stream order at the furthest point of the timeline; not cached (a viewer who
     * joins later does not get it). False, and nothing offered, if {@code p} no longer publishes.
     */
    boolean event(LiveSource p, LiveFrame.Kind kind) {
        synchronized (this) {
            if (publisher != p) {
                return false;
            }
            offerLocked(LiveFrame.event(kind, Math.max(0, timeline.furthest())));
        }
        return true;
    }

    /** {@code p} stops publishing: viewers are told, the caches emptied; the timeline goes on for the next one. */
    void detach(LiveSource p) {
        synchronized (this) {
            if (publisher != p) {
                return;
            }
            publisher = null;
            clearCachesLocked();
            offerLocked(LiveFrame.event(LiveFrame.Kind.UNPUBLISH, Math.max(0, timeline.furthest())));
        }
        flush();
    }

    private void offerLocked(LiveFrame f) {
        f.seq = ++seq;
        for (LoopFanout fo : fanouts) {
            fo.offer(f);
        }
    }

    private void cacheLocked(LiveFrame f) {
        if (f.config) {
            if (f.kind == LiveFrame.Kind.VIDEO) {
                replace(true, f.retain());
            } else if (f.kind == LiveFrame.Kind.AUDIO) {
                replace(false, f.retain());
            }
            return;
        }
        if (!config.gopCache() || f.kind == LiveFrame.Kind.DATA) {
            return;
        }
        if (f.keyframe) {
            releaseGop();
            gop.add(f.retain());
        } else if (!gop.isEmpty()) {
            if (f.timestamp - gop.get(0).timestamp > config.gopCacheMaxMillis()) {
                // A GOP this long is not worth holding: new viewers wait for the next keyframe.
                releaseGop();
            } else {
                gop.add(f.retain());
            }
        }
    }

    private void replace(boolean video, LiveFrame f) {
        LiveFrame old = video ? videoConfig : audioConfig;
        if (old != null) {
            old.release();
        }
        if (video) {
            videoConfig = f;
        } else {
            audioConfig = f;
        }
    }

    private void releaseGop() {
        for (LiveFrame g : gop) {
            g.release();
        }
        gop.clear();
    }

    private void clearCachesLocked() {
        if (metadata != null) {
            metadata.release();
            metadata = null;
        }
        replace(true, null);
        replace(false, null);
        releaseGop();
    }

    // ---- viewer side ------------------------------------------------------------------------------

    /**
     * Registers {@code s} with the fan-out of its loop (called on that loop) and returns, retained, what it
     * needs first: metadata, sequence headers and the cached GOP. Sets the viewer's starting position.
     */
    List<LiveFrame> subscribe(LiveSubscriber s, EventLoop loop) {
        synchronized (this) {
            LoopFanout fo = null;
            for (LoopFanout f : fanouts) {
                if (f.loop == loop) {
                    fo = f;
                    break;
                }
            }
            if (fo == null) {
                fo = new LoopFanout(loop, config.writeMergeMillis());
                LoopFanout[] next = java.util.Arrays.copyOf(fanouts, fanouts.length + 1);
                next[fanouts.length] = fo;
                fanouts = next;
            }
            fo.add(s);
            s.joined(fo, seq, publisher != null);
            List<LiveFrame> start = new ArrayList<>(gop.size() + 3);
            if (publisher != null) {
                for (LiveFrame f : new LiveFrame[] {metadata, videoConfig, audioConfig}) {
                    if (f != null) {
                        start.add(f.retain());
                    }
                }
                for (LiveFrame f : gop) {
                    start.add(f.retain());
                }
            }
            return start;
        }
    }

    /** Called on the viewer's loop. */
    void unsubscribe(LiveSubscriber s, LoopFanout fo) {
        synchronized (this) {
            if (fo.remove(s)) {
                LoopFanout[] next = new LoopFanout[fanouts.length - 1];
                int n = 0;
                for (LoopFanout f : fanouts) {
                    if (f != fo) {
                        next[n++] = f;
                    }
                }
                fanouts = next;
                fo.close();
            }
        }
    }

    /** Frees the caches once nobody uses the stream (the registry has removed it). */
    synchronized void dispose() {
        clearCachesLocked();
    }
}
