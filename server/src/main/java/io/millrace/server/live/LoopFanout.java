package io.millrace.server.live;

import io.netty.channel.EventLoop;
import io.netty.util.internal.PlatformDependent;

import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The viewers of one live stream that live on one event loop. The publisher (on any loop) offers each frame
 * once per loop, not once per viewer; the fan-out drains its inbox on its own loop and hands every frame to
 * each of its viewers, which write it and flush once per drain. So a viewer costs one write per drain, and
 * a drain happens once per publisher read (lowest latency) or at most once per write-merge window.
 *
 * <p>The inbox is the only thing touched from other threads; the viewer list is confined to the loop.
 */
final class LoopFanout implements Runnable {
    final EventLoop loop;
    private final long mergeMillis;
    private final Queue<LiveFrame> inbox = PlatformDependent.newMpscQueue();
    private final AtomicBoolean scheduled = new AtomicBoolean();
    /** Confined to {@link #loop}. */
    private final ArrayList<LiveSubscriber> subscribers = new ArrayList<>();
    /** The subscribers as monitoring reads them (replaced on add and remove). */
    private volatile LiveSubscriber[] viewerSnapshot = new LiveSubscriber[0];
    /** Written on the loop only. */
    private volatile long bytesOut;
    private final ArrayList<LiveFrame> batch = new ArrayList<>();
    /** Set (under the stream's lock) when the stream drops this fan-out; nothing is offered after. */
    private volatile boolean closed;

    LoopFanout(EventLoop loop, long mergeMillis) {
        this.loop = loop;
        this.mergeMillis = mergeMillis;
    }

    /** Called under the stream's lock: keeps a reference to {@code frame} until it has been handed out. */
    void offer(LiveFrame frame) {
        inbox.add(frame.retain());
    }

    /** Makes sure what was offered goes out: now (this loop, no merge window), soon, or after the window. */
    void kick() {
        if (scheduled.get() || !scheduled.compareAndSet(false, true)) {
            return;
        }
        if (mergeMillis > 0) {
            loop.schedule(this, mergeMillis, TimeUnit.MILLISECONDS);
        } else if (loop.inEventLoop()) {
            run();
        } else {
            loop.execute(this);
        }
    }

    @Override
    public void run() {
        scheduled.set(false);
        LiveFrame f;
        while ((f = inbox.poll()) != null) {
            batch.add(f);
        }
        if (batch.isEmpty()) {
            return;
        }
        try {
            if (!closed) {
                long batchBytes = 0;
                for (int j = 0, m = batch.size(); j < m; j++) {
                    LiveFrame b = batch.get(j);
                    if (b.message != null) {
                        batchBytes += b.message.payload().readableBytes();
                    }
                }
                for (int i = 0, n = subscribers.size(); i < n; i++) {
                    LiveSubscriber s = subscribers.get(i);
                    for (int j = 0, m = batch.size(); j < m; j++) {
                        s.deliver(batch.get(j));
                    }
                    s.flush();
                }
                bytesOut += batchBytes * subscribers.size();
            }
        } finally {
            for (int j = 0, m = batch.size(); j < m; j++) {
                batch.get(j).release();
            }
            batch.clear();
        }
    }

    /** On the loop. */
    void add(LiveSubscriber s) {
        subscribers.add(s);
        viewerSnapshot = subscribers.toArray(new LiveSubscriber[0]);
    }

    /** On the loop; returns whether no viewer is left. */
    boolean remove(LiveSubscriber s) {
        subscribers.remove(s);
        viewerSnapshot = subscribers.toArray(new LiveSubscriber[0]);
        return subscribers.isEmpty();
    }

    /** Media bytes handed to this loop's viewers (payload times viewers; for monitoring, any thread). */
    long bytesOut() {
        return bytesOut;
    }

    /** Adds this loop's viewers (a recent snapshot; any thread). */
    void addViewersTo(List<LiveSubscriber> out) {
        java.util.Collections.addAll(out, viewerSnapshot);
    }

    /** Under the stream's lock, on the loop: nothing more will be offered; frees what waits. */
    void close() {
        closed = true;
        LiveFrame f;
        while ((f = inbox.poll()) != null) {
            f.release();
        }
    }
}
