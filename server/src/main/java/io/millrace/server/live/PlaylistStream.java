package io.millrace.server.live;

import io.millrace.amf.AmfObject;
import io.millrace.api.ServerStream;
import io.millrace.media.MediaFrame;
import io.millrace.media.MediaIndex;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.EventLoop;
import io.netty.util.concurrent.ScheduledFuture;
import io.netty.util.concurrent.SingleThreadEventExecutor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import java.util.function.LongSupplier;

/**
 * A server-side stream (FMS's server-side {@code Stream}): a playlist of files published, in real time, into
 * the live stream of its name, exactly where an encoder would publish; viewers, the GOP cache, recording
 * ({@code live.record}) and monitoring see a publisher like any other (client id {@value #CLIENT_ID}).
 *
 * <h2>Timeline and notifications</h2>
 * The items play one after the other as one live stream whose timestamps only grow ({@link PlaylistTimeline}):
 * each item starts at the keyframe at or before its start, after its onMetaData and sequence headers, one
 * frame after the item before it. Viewers hear of it as FMS told them:
 * <ul>
 *   <li>the first item of a playlist that was not playing: the stream gets published
 *       ({@code NetStream.Play.PublishNotify}, as when an encoder starts);</li>
 *   <li>an appended item that follows another: {@code onPlayStatus NetStream.Play.Switch};</li>
 *   <li>a reset ({@code play(..., reset=true)}) while something plays: the queue and the item playing are
 *       dropped, and the new item follows at once, after {@code NetStream.Play.Reset} and
 *       {@code NetStream.Play.Start};</li>
 *   <li>the end of the playlist, or {@link #stop()}: {@code NetStream.Play.UnpublishNotify}, as when an
 *       encoder stops; the viewers stay subscribed and a later {@code play} publishes again.</li>
 * </ul>
 * A viewer who joins mid-playlist gets what any live viewer gets: {@code Play.Start}, then the current item's
 * metadata, sequence headers and GOP, and the notifications from then on.
 *
 * <h2>Name</h2>
 * A name is published by one publisher at a time, whoever came first: {@code play} throws
 * {@link IllegalStateException} while an encoder publishes the name, and an encoder's publish gets
 * {@code NetStream.Publish.BadName} while the playlist plays. Between playlists (after the end or
 * {@code stop}) the name is free.
 *
 * <h2>Threads</h2>
 * The API may be called from any thread. {@code play} checks the file (and the name) on the caller's thread
 * and throws at once; the playing itself runs on one event loop, driven by its timer: frames go out at their
 * timestamps (like {@code ffmpeg -re}), read from the files about {@value #READ_AHEAD_MILLIS} ms ahead,
 * with no thread sleeping or spinning. Listeners run on the executor given at creation (the instance's).
 */
final class PlaylistStream implements ServerStream {
    private static final Logger LOG = LoggerFactory.getLogger(PlaylistStream.class);

    /** The publisher's client id in monitoring (no connection has it: client ids are numbers). */
    static final String CLIENT_ID = "server";
    /** Most items a playlist may hold (queued, not counting the one playing). */
    static final int MAX_ITEMS = 1000;
    /** How far ahead of what is sent the files are read, in media time. */
    static final long READ_AHEAD_MILLIS = 1000;
    /** ... and in bytes, whatever the media time (a file of huge frames). */
    static final long READ_AHEAD_BYTES = 16L << 20;

    private enum Start { FIRST, SWITCH, RESET }

    /** What was read and waits for its time: an item's beginning, its metadata, a frame. */
    private interface Out {
        long ts();
    }

    private record ItemStart(PlaylistItem item, Start start, long ts) implements Out {
    }

    private record Meta(AmfObject metadata, long ts) implements Out {
    }

    private record Frame(MediaFrame frame) implements Out {
        @Override
        public long ts() {
            return frame.timestamp();
        }
    }

    private final LiveApplication app;
    private final String instance;
    private final String name;
    private final EventLoop loop;
    private final Executor listenerExecutor;
    private final LongSupplier nanoClock;
    private final ByteBufAllocator alloc = ByteBufAllocator.DEFAULT;
    private final List<Listener> listeners = new CopyOnWriteArrayList<>();
    private final AtomicBoolean wakeQueued = new AtomicBoolean();
    private final Runnable shutdownHook = this::loopShutdown;

    // ---- guarded by this ----
    private final ArrayDeque<PlaylistItem> queue = new ArrayDeque<>();
    /** The publication now (holding the live stream), or null between playlists. Written under the lock. */
    private volatile Activation activation;
    /** Counts resets and stops: the loop drops what it read for an older generation. */
    private long generation;
    private boolean closed;

    // ---- on the loop ----
    private Activation current;
    private long seenGeneration;
    private Start nextStart = Start.FIRST;
    private PlaylistItemReader reader;
    private final ArrayDeque<Out> ahead = new ArrayDeque<>();
    private long aheadBytes;
    /** Where read frames went, and where sent ones did (a reset continues after the latter). */
    private final PlaylistTimeline readTimeline = new PlaylistTimeline();
    private final PlaylistTimeline sentTimeline = new PlaylistTimeline();
    private boolean sentMedia;
    private boolean anchored;
    private long anchorTs;
    private long anchorNanos;
    private ScheduledFuture<?> timer;
    private boolean hooked;

    PlaylistStream(LiveApplication app, String instance, String name, EventLoop loop, Executor listenerExecutor,
                   LongSupplier nanoClock) {
        this.app = app;
        this.instance = instance;
        this.name = name;
        this.loop = loop;
        this.listenerExecutor = listenerExecutor;
        this.nanoClock = nanoClock;
    }

    @Override
    public String name() {
        return name;
    }

    String instance() {
        return instance;
    }

    // ---- API (any thread) ---------------------------------------------------------------------------

    @Override
    public void play(String file, double start, double length, boolean reset) {
        Objects.requireNonNull(file, "file");
        if (Double.isNaN(start) || Double.isNaN(length) || Double.isInfinite(start)) {
            throw new IllegalArgumentException("start and length must be numbers (start " + start + ", length " + length + ")");
        }
        MediaIndex index = app.openMedia(file);
        long startMs = start <= 0 ? 0 : Math.round(start * 1000);
        long lengthMs = length < 0 || Double.isInfinite(length) ? -1 : Math.round(length * 1000);
        PlaylistItem item = new PlaylistItem(file, index, startMs, lengthMs);
        synchronized (this) {
            if (closed) {
                throw new IllegalStateException("the server stream " + name + " is closed (its instance was unloaded)");
            }
            if (!reset && queue.size() >= MAX_ITEMS) {
                throw new IllegalStateException("the playlist of " + name + " is full (" + MAX_ITEMS + " items)");
            }
            if (activation == null) {
                activation = activate();
            }
            if (reset) {
                queue.clear();
                generation++;
            }
            queue.add(item);
        }
        LOG.debug("server stream {}/{}: {} {} start={} ms len={} ms", instance, name, reset ? "play" : "append", file,
                startMs, lengthMs);
        wake();
    }

    @Override
    public void stop() {
        end("stop");
    }

    @Override
    public boolean isPlaying() {
        return activation != null;
    }

    @Override
    public void addListener(Listener listener) {
        listeners.add(Objects.requireNonNull(listener, "listener"));
    }

    /** The instance unloads: stops for good; {@code play} throws from now on. */
    void close() {
        synchronized (this) {
            closed = true;
        }
        end("instance unloaded");
        listeners.clear();
    }

    /** Stops the playlist: the queue is emptied, the viewers told, the name freed; the loop drops what it read. */
    private void end(String reason) {
        Activation a;
        synchronized (this) {
            queue.clear();
            generation++;
            a = activation;
            activation = null;
        }
        if (a != null) {
            a.end(reason);
        }
        wake();
    }

    /** Takes the name: the live stream's publisher is now this playlist (under the lock). */
    private Activation activate() {
        LiveStream ls = app.acquireStream(instance, name);
        Activation a = new Activation(ls);
        if (!ls.attach(a)) {
            app.released(ls);
            throw new IllegalStateException(name + " is being published by a client: a server-side stream cannot play"
                    + " it until that publisher stops");
        }
        String mode = app.recordMode();
        if (!"off".equals(mode)) {
            Path path = app.recordingPath(instance, name);
            if (path == null) {
                LOG.warn("server stream {}/{}: not recorded: the name is not fit for a file name", instance, name);
            } else {
                try {
                    a.ingest.recordTo(FlvRecorder.open(path, "append".equals(mode)));
                } catch (IOException | RuntimeException e) {
                    LOG.warn("server stream {}/{}: cannot record to {}: {}", instance, name, path, e.toString());
                }
            }
        }
        LOG.info("server stream {}/{} published", instance, name);
        return a;
    }

    private void wake() {
        if (!wakeQueued.compareAndSet(false, true)) {
            return;
        }
        try {
            loop.execute(() -> {
                wakeQueued.set(false);
                service();
            });
        } catch (RejectedExecutionException e) {
            // The server is stopping: its shutdown hook has freed, or frees, what the loop held.
            wakeQueued.set(false);
            LOG.debug("server stream {}/{}: event loop gone", instance, name);
        }
    }

    // ---- on the loop ----------------------------------------------------------------------------------

    /** Catches up with the API's changes, sends what is due, reads ahead, and sets the timer for the next frame. */
    private void service() {
        cancelTimer();
        Activation a;
        long gen;
        synchronized (this) {
            a = activation;
            gen = generation;
        }
        if (a != current) {
            discard();
            current = a;
            seenGeneration = gen;
            readTimeline.clear();
            sentTimeline.clear();
            sentMedia = false;
            anchored = false;
            nextStart = Start.FIRST;
            hook(a != null);
        } else if (gen != seenGeneration) {
            // A reset: what was read and not sent is dropped; the new item follows what the viewers got.
            discard();
            seenGeneration = gen;
            readTimeline.copyFrom(sentTimeline);
            anchored = false;
            nextStart = sentMedia ? Start.RESET : Start.FIRST;
        }
        if (current == null) {
            return;
        }
        try {
            readAhead();
            sendDue();
            readAhead();
        } catch (RuntimeException e) {
            LOG.warn("server stream {}/{}: {}", instance, name, e.toString(), e);
        }
        if (ahead.isEmpty() && reader == null) {
            finish();
            return;
        }
        scheduleNext();
    }

    /** Reads until about {@link #READ_AHEAD_MILLIS} of media waits, when less than half of it does. */
    private void readAhead() {
        if (span() >= READ_AHEAD_MILLIS / 2) {
            return;
        }
        while (span() < READ_AHEAD_MILLIS && aheadBytes < READ_AHEAD_BYTES) {
            if (reader == null) {
                PlaylistItem item;
                synchronized (this) {
                    if (activation != current || generation != seenGeneration) {
                        return; // a wake-up is on its way
                    }
                    item = queue.poll();
                }
                if (item == null) {
                    return;
                }
                openItem(item);
                continue;
            }
            MediaFrame f;
            try {
                f = reader.next(readTimeline, alloc);
            } catch (IOException | RuntimeException e) {
                LOG.warn("server stream {}/{}: cannot read {}: {}; on to the next item", instance, name,
                        reader.item().file(), e.toString());
                f = null;
            }
            if (f == null) {
                closeReader();
                continue;
            }
            add(new Frame(f));
        }
        if (reader != null) {
            reader.idle();
        }
    }

    /** Starts reading {@code item} after what was read; an item that cannot be opened is skipped (logged). */
    private void openItem(PlaylistItem item) {
        long base = readTimeline.nextStart();
        PlaylistItemReader r;
        List<MediaFrame> configs;
        try {
            r = PlaylistItemReader.open(item, base);
        } catch (IOException | RuntimeException e) {
            LOG.warn("server stream {}/{}: cannot open {}: {}; skipped", instance, name, item.file(), e.toString());
            return;
        }
        try {
            configs = r.configFrames(alloc);
        } catch (IOException | RuntimeException e) {
            LOG.warn("server stream {}/{}: cannot read {}: {}; skipped", instance, name, item.file(), e.toString());
            r.close();
            return;
        }
        reader = r;
        add(new ItemStart(item, nextStart, base));
        nextStart = Start.SWITCH;
        add(new Meta(r.metadata(), base));
        for (MediaFrame c : configs) {
            add(new Frame(c));
        }
    }

    private void add(Out o) {
        ahead.add(o);
        if (o instanceof Frame f) {
            aheadBytes += f.frame().content().readableBytes();
        }
    }

    /** Media time between the first and the last thing read and not sent. */
    private long span() {
        return ahead.isEmpty() ? 0 : ahead.peekLast().ts() - ahead.peekFirst().ts();
    }

    /** Where the playlist is now: the timestamp due at this instant. */
    private long position(long now) {
        return anchorTs + (now - anchorNanos) / 1_000_000;
    }

    private void sendDue() {
        long now = nanoClock.getAsLong();
        boolean sent = false;
        while (!ahead.isEmpty()) {
            Out o = ahead.peekFirst();
            if (!anchored) {
                // The first thing of a playlist (or after a reset) goes out now; the clock runs from it.
                anchored = true;
                anchorTs = o.ts();
                anchorNanos = now;
            }
            if (o.ts() > position(now)) {
                break;
            }
            ahead.pollFirst();
            send(o);
            sent = true;
        }
        if (sent) {
            current.ingest.flush();
        }
    }

    private void send(Out o) {
        Activation a = current;
        if (o instanceof Frame f) {
            MediaFrame m = f.frame();
            aheadBytes -= m.content().readableBytes();
            try {
                if (m.isAudio() || m.isVideo()) {
                    a.ingest.media(m.type(), m.timestamp(), m.content());
                    if (!m.isConfig()) {
                        sentTimeline.place(PlaylistTimeline.trackOf(m.type()), m.timestamp());
                        sentMedia = true;
                    }
                } else {
                    a.ingest.encodedData(m.content(), m.timestamp());
                }
            } finally {
                m.release();
            }
        } else if (o instanceof Meta meta) {
            a.ingest.metadata(meta.metadata());
        } else if (o instanceof ItemStart s) {
            if (s.start() != Start.FIRST) {
                a.stream.event(a, s.start() == Start.RESET ? LiveFrame.Kind.RESET : LiveFrame.Kind.SWITCH);
            }
            LOG.info("server stream {}/{}: {} {} at {} ms", instance, name,
                    switch (s.start()) {
                        case FIRST -> "plays";
                        case SWITCH -> "switches to";
                        case RESET -> "resets to";
                    }, s.item().file(), s.ts());
            String file = s.item().file();
            tell(l -> l.onItemStart(file));
        }
    }

    private void scheduleNext() {
        if (ahead.isEmpty()) {
            return; // a reset or stop is on its way (readAhead found the generation changed)
        }
        long delay = ahead.peekFirst().ts() - position(nanoClock.getAsLong());
        timer = loop.schedule(this::service, Math.max(1, delay), TimeUnit.MILLISECONDS);
    }

    /** Nothing left to read or send: the playlist ends, unless something was queued or reset meanwhile. */
    private void finish() {
        Activation a = current;
        synchronized (this) {
            if (activation != a || generation != seenGeneration || !queue.isEmpty()) {
                return; // a wake-up is on its way
            }
            activation = null;
        }
        current = null;
        hook(false);
        a.end("playlist end");
        tell(Listener::onPlaylistEnd);
    }

    private void discard() {
        closeReader();
        Out o;
        while ((o = ahead.poll()) != null) {
            if (o instanceof Frame f) {
                f.frame().release();
            }
        }
        aheadBytes = 0;
    }

    private void closeReader() {
        if (reader != null) {
            reader.close();
            reader = null;
        }
    }

    private void cancelTimer() {
        if (timer != null) {
            timer.cancel(false);
            timer = null;
        }
    }

    /** While a playlist holds buffers on the loop, the loop's shutdown (the server stopping) frees them. */
    private void hook(boolean on) {
        if (on != hooked && loop instanceof SingleThreadEventExecutor e) {
            if (on) {
                e.addShutdownHook(shutdownHook);
            } else {
                e.removeShutdownHook(shutdownHook);
            }
            hooked = on;
        }
    }

    private void loopShutdown() {
        hooked = false;
        synchronized (this) {
            closed = true;
            queue.clear();
            generation++;
        }
        Activation a;
        synchronized (this) {
            a = activation;
            activation = null;
        }
        if (a != null) {
            a.end("server stopping");
        }
        cancelTimer();
        discard();
        current = null;
    }

    private void tell(Consumer<Listener> event) {
        if (listeners.isEmpty()) {
            return;
        }
        try {
            listenerExecutor.execute(() -> {
                for (Listener l : listeners) {
                    try {
                        event.accept(l);
                    } catch (RuntimeException e) {
                        LOG.warn("server stream {}/{}: a listener failed: {}", instance, name, e.toString(), e);
                    }
                }
            });
        } catch (RejectedExecutionException e) {
            LOG.debug("server stream {}/{}: listener executor gone", instance, name);
        }
    }

    @Override
    public String toString() {
        return "PlaylistStream{" + instance + "/" + name + (activation != null ? ", playing" : "") + "}";
    }

    /** One publication of the playlist: from the first item that plays to the end or a stop. */
    private final class Activation implements LiveSource {
        final LiveStream stream;
        final LiveIngest ingest;
        private final long publishTimeMillis = System.currentTimeMillis();
        private final AtomicBoolean ended = new AtomicBoolean();

        Activation(LiveStream stream) {
            this.stream = stream;
            this.ingest = new LiveIngest(stream, this, app.chunkSize(), alloc);
        }

        @Override
        public LiveIngest ingest() {
            return ingest;
        }

        @Override
        public String clientId() {
            return CLIENT_ID;
        }

        @Override
        public String publishType() {
            return "server";
        }

        @Override
        public long publishTimeMillis() {
            return publishTimeMillis;
        }

        @Override
        public void stopByAdmin() {
            if (activation == this) {
                LOG.info("server stream {}/{} stopped by the administrator", instance, name);
                PlaylistStream.this.stop();
            }
        }

        /** Unpublishes (viewers get UnpublishNotify) and frees the name; the recorder closes on the loop. Any thread. */
        void end(String reason) {
            if (!ended.compareAndSet(false, true)) {
                return;
            }
            stream.detach(this);
            app.released(stream);
            LOG.info("server stream {}/{} unpublished ({}) after {} s, {} frames, {} bytes", instance, name, reason,
                    String.format("%.1f", (System.nanoTime() - ingest.startedNanos()) / 1e9), ingest.framesIn(),
                    ingest.bytesIn());
            FlvRecorder r = ingest.recorder();
            if (r != null) {
                if (loop.inEventLoop()) {
                    r.close();
                } else {
                    try {
                        loop.execute(r::close);
                    } catch (RejectedExecutionException e) {
                        r.close();
                    }
                }
            }
        }
    }
}
