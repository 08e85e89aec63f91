package io.millrace.server.so;

import io.millrace.api.Client;
import io.millrace.api.SharedObject;
import io.millrace.rtmp.so.SharedObjectEvent;
import io.millrace.rtmp.so.SharedObjectMessage;
import io.netty.buffer.ByteBufUtil;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executor;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The remote shared objects of one application instance (FMS's {@code SharedObject}, RTMP message types 19
 * and 16).
 *
 * <h2>What clients see</h2>
 * <ul>
 *   <li><b>Use</b> subscribes (creating the object if needed) and is answered with UseSuccess, then, unless the
 *       client already holds the current version of a persistent object, Clear and a Change for every property
 *       (the initial sync; split over several messages only when it is very large).</li>
 *   <li><b>RequestChange</b> is applied and bumps the version; the requester gets Success, every other
 *       subscriber a Change. Setting a property to the value it has (null, a boolean, number or string) only
 *       answers Success.</li>
 *   <li><b>RequestRemove</b>: every subscriber, the requester included, gets Remove (the requester gets it even
 *       when there was no such property: its confirmation).</li>
 *   <li><b>SendMessage</b> goes to every subscriber, the sender included.</li>
 *   <li><b>Release</b> unsubscribes. A temporary object with no subscribers that the application never took
 *       ({@link #get}) is dropped; so is a persistent one, from memory, once it is saved.</li>
 *   <li>A message naming an existing object with the other persistence gets a Status
 *       {@code SharedObject.BadPersistence} (level error) and is otherwise ignored.</li>
 *   <li>When the application made the object read-only ({@code setClientWritable(false)}), a change is refused
 *       with a Status {@code SharedObject.NoWriteAccess} and a Change carrying the current value (a Remove when
 *       there is none), which undoes the client's copy.</li>
 *   <li>While the application holds {@code lock()}, its changes are held back and go out in one message per
 *       subscriber at the last {@code unlock()}; client messages for the object wait and are handled then.</li>
 *   <li>Messages to a client are type 16 when {@link SoClient#amf3()} (AMF0 values that switch to AMF3 where
 *       only AMF3 can say it), else 19; the values are the same.</li>
 *   <li>Events only the server sends (Change, Success, Status, Clear, Remove, UseSuccess) and requests about an
 *       object the client has not used are ignored.</li>
 * </ul>
 * Limits: see {@link SharedObjectLimits}.
 *
 * <h2>Threads</h2>
 * {@link #onMessage} and {@link #clientLeft} are meant to run on the instance's executor; {@link #get},
 * {@link #list}, {@link #flush}, {@link #close} and every method of the returned {@link SharedObject} may be
 * called from any thread. State is guarded by one lock per instance and changed at once (an application that
 * sets a property reads it back in the next line); what goes out (messages to {@link SoClient#send}, listener
 * calls handed to the instance executor) is queued under that lock and handed over outside it, in the order
 * the changes were made, so no outside code runs while the lock is held. Listener callbacks run on the
 * instance executor and get copies of the values.
 *
 * <h2>Persistence</h2>
 * Persistent objects live in {@code persistDir} (null: kept in memory only), one file each (see
 * {@link SoFiles}), read when first used and written, at most about once a second, after changes and on
 * {@link #close()}. A file that cannot be read gives one warning, is renamed to {@code *.corrupt}, and the
 * object starts empty.
 */
public final class SharedObjects {
    private static final Logger LOG = LoggerFactory.getLogger(SharedObjects.class);

    static final String BAD_PERSISTENCE = "SharedObject.BadPersistence";
    static final String NO_WRITE_ACCESS = "SharedObject.NoWriteAccess";
    static final String CREATION_FAILED = "SharedObject.ObjectCreationFailed";

    /** How long changes to persistent objects wait before they are written (they are coalesced). */
    static final long FLUSH_DELAY_MILLIS = 1000;
    /** Outbound events are packed into messages of about this many bytes at most. */
    static final long MAX_MESSAGE_BYTES = 256 << 10;
    /** The largest value (or SendMessage arguments) the application may set. */
    static final long MAX_APPLICATION_VALUE_BYTES = 8 << 20;

    /** One thread, shared by every instance, writes the files of persistent objects. */
    private static final class Flusher {
        static final ScheduledExecutorService EXECUTOR = create();

        private static ScheduledExecutorService create() {
            ScheduledThreadPoolExecutor e = new ScheduledThreadPoolExecutor(1, r -> {
                Thread t = new Thread(r, "millrace-so-flush");
                t.setDaemon(true);
                return t;
            });
            e.setRemoveOnCancelPolicy(true);
            return e;
        }
    }

    /** An object as the monitoring API lists it. */
    public record Info(String name, boolean persistent, long version, int subscribers, int properties, long bytes) {
    }

    private final String app;
    private final String instance;
    private final Path persistDir;
    private final Executor executor;
    private final SharedObjectLimits limits;

    private final Object lock = new Object();
    private final Map<String, Obj> objects = new HashMap<>();
    private final Map<SoClient, Set<Obj>> subscriptions = new IdentityHashMap<>();
    /** File contents not yet known to be on disk, by object name: what a load must see before the file. */
    private final Map<String, byte[]> pendingWrites = new HashMap<>();
    private long instanceBytes;
    private boolean flushScheduled;
    private boolean closed;

    private final ConcurrentLinkedQueue<Runnable> outbox = new ConcurrentLinkedQueue<>();
    private final AtomicBoolean draining = new AtomicBoolean();
    private final ReentrantLock fileLock = new ReentrantLock();

    public SharedObjects(String app, String instance, Path persistDir, Executor instanceExecutor,
                         SharedObjectLimits limits) {
        this.app = Objects.requireNonNull(app, "app");
        this.instance = Objects.requireNonNull(instance, "instance");
        this.persistDir = persistDir;
        this.executor = Objects.requireNonNull(instanceExecutor, "instanceExecutor");
        this.limits = Objects.requireNonNull(limits, "limits");
    }

    // ---- entry points ---------------------------------------------------------------------------

    /** A message from a client (on the instance executor). */
    public void onMessage(SoClient client, SharedObjectMessage m) {
        Objects.requireNonNull(client, "client");
        if (m.events().size() > limits.maxEventsPerMessage()) {
            LOG.warn("{}/{}: disconnecting {}: shared object message with {} events (at most {})", app, instance,
                    describe(client), m.events().size(), limits.maxEventsPerMessage());
            outbox.add(() -> client.api().disconnect());
            drain();
            return;
        }
        synchronized (lock) {
            if (!closed) {
                handle(client, m);
            }
        }
        drain();
    }

    /** The client is gone (on the instance executor): its subscriptions and waiting messages end. */
    public void clientLeft(SoClient client) {
        synchronized (lock) {
            for (Obj o : objects.values()) {
                if (!o.queued.isEmpty()) {
                    o.queued.removeIf(q -> q.client == client);
                }
            }
            Set<Obj> subscribed = subscriptions.remove(client);
            if (subscribed != null) {
                for (Obj o : subscribed) {
                    o.subscribers.remove(client);
                    maybeDrop(o);
                }
            }
        }
        drain();
    }

    /**
     * The shared object of this name, created (or read from its file) if needed: FMS's
     * {@code SharedObject.get(name, persistent)}. Any thread. The object then stays for the instance's life.
     *
     * @throws IllegalArgumentException for an empty name or one longer than 65535 bytes in UTF-8
     * @throws IllegalStateException when it exists with the other persistence
     */
    public SharedObject get(String name, boolean persistent) {
        Objects.requireNonNull(name, "name");
        if (name.isEmpty() || ByteBufUtil.utf8Bytes(name) > 0xFFFF) {
            throw new IllegalArgumentException("a shared object name must have 1 to 65535 bytes");
        }
        synchronized (lock) {
            Obj o = objects.get(name);
            if (o == null) {
                o = open(name, persistent);
            } else if (o.persistent != persistent) {
                throw new IllegalStateException("shared object '" + name + "' exists and is "
                        + (o.persistent ? "persistent" : "temporary"));
            }
            o.serverReferenced = true;
            return o;
        }
    }

    /** The objects in memory now (persistent ones on disk that nobody uses are not). Any thread. */
    public List<Info> list() {
        synchronized (lock) {
            List<Info> out = new ArrayList<>(objects.size());
            for (Obj o : objects.values()) {
                out.add(new Info(o.name, o.persistent, o.version, o.subscribers.size(), o.props.size(), o.bytes));
            }
            out.sort((a, b) -> a.name().compareTo(b.name()));
            return out;
        }
    }

    /** Writes the persistent objects changed since the last write now. Any thread; blocks for the file I/O. */
    public void flush() {
        if (persistDir == null) {
            synchronized (lock) {
                flushScheduled = false;
                pendingWrites.clear();
                objects.values().forEach(o -> o.dirty = false);
            }
            return;
        }
        fileLock.lock();
        try {
            Map<String, byte[]> batch;
            synchronized (lock) {
                flushScheduled = false;
                for (Obj o : objects.values()) {
                    if (o.persistent && o.dirty) {
                        pendingWrites.put(o.name, SoFiles.encode(o.name, o.version, o.props));
                        o.dirty = false;
                    }
                }
                batch = new LinkedHashMap<>(pendingWrites);
            }
            boolean failed = false;
            for (Map.Entry<String, byte[]> e : batch.entrySet()) {
                Path file = persistDir.resolve(SoFiles.fileName(e.getKey()));
                try {
                    SoFiles.writeAtomically(file, e.getValue());
                    synchronized (lock) {
                        pendingWrites.remove(e.getKey(), e.getValue()); // unless a newer one came meanwhile
                    }
                } catch (IOException | RuntimeException ex) {
                    failed = true;
                    LOG.warn("{}/{}: could not save shared object '{}' to {}: {}", app, instance, e.getKey(), file,
                            ex.toString());
                }
            }
            if (failed) {
                synchronized (lock) {
                    scheduleFlush(FLUSH_DELAY_MILLIS * 10);
                }
            }
        } finally {
            fileLock.unlock();
        }
    }

    /**
     * Saves the persistent objects and stops taking client messages (instance unload, server stop). Any
     * thread; blocks for the file I/O. Application calls after it still change memory but nothing is saved.
     */
    public void close() {
        synchronized (lock) {
            closed = true;
        }
        flush();
        drain();
    }

    // ---- client messages (under lock) -------------------------------------------------------------

    private void handle(SoClient client, SharedObjectMessage m) {
        if (m.events().isEmpty()) {
            return;
        }
        Obj o = objects.get(m.name());
        if (o == null) {
            if (m.events().stream().noneMatch(e -> e instanceof SharedObjectEvent.Use)) {
                LOG.debug("{}/{}: {} sent {} for shared object '{}' it does not use", app, instance, describe(client),
                        m.events(), m.name());
                return;
            }
            if (subscriptionCount(client) >= limits.maxSubscriptionsPerClient() || objects.size() >= limits.maxObjects()) {
                LOG.debug("{}/{}: refusing shared object '{}' to {}: limit reached", app, instance, m.name(),
                        describe(client));
                statusTo(client, m.name(), m.persistent(), CREATION_FAILED);
                return;
            }
            if (m.name().isEmpty()) {
                statusTo(client, m.name(), m.persistent(), CREATION_FAILED);
                return;
            }
            o = open(m.name(), m.persistent());
        }
        if (o.persistent != m.persistent()) {
            statusTo(client, m.name(), m.persistent(), BAD_PERSISTENCE);
            return;
        }
        if (o.lockDepth > 0) {
            if (o.queued.size() < limits.maxQueuedPerObject()) {
                o.queued.add(new Queued(client, m));
            } else {
                refuseQueued(o, client, m);
            }
            return;
        }
        process(o, client, m);
        maybeDrop(o);
    }

    private void process(Obj o, SoClient client, SharedObjectMessage m) {
        Out out = new Out();
        for (SharedObjectEvent e : m.events()) {
            if (e instanceof SharedObjectEvent.Use) {
                use(o, client, m.version(), out);
            } else if (!o.subscribers.contains(client)) {
                LOG.debug("{}/{}: {} sent {} for shared object '{}' it does not use", app, instance, describe(client),
                        e, o.name);
            } else if (e instanceof SharedObjectEvent.Release) {
                unsubscribe(o, client);
            } else if (e instanceof SharedObjectEvent.RequestChange c) {
                clientChange(o, client, c.property(), c.value(), out);
            } else if (e instanceof SharedObjectEvent.RequestRemove r) {
                clientRemove(o, client, r.property(), out);
            } else if (e instanceof SharedObjectEvent.SendMessage s) {
                clientSend(o, client, s.handler(), s.arguments(), out);
            } else {
                LOG.debug("{}/{}: ignoring {} from {} (a server to client event)", app, instance, e, describe(client));
            }
        }
        emit(o, out);
    }

    private void use(Obj o, SoClient client, long clientVersion, Out out) {
        if (!o.subscribers.contains(client)) {
            if (subscriptionCount(client) >= limits.maxSubscriptionsPerClient()) {
                out.add(client, status(CREATION_FAILED));
                return;
            }
            o.subscribers.add(client);
            subscriptions.computeIfAbsent(client, c -> new LinkedHashSet<>()).add(o);
        }
        out.add(client, new Ev(new SharedObjectEvent.UseSuccess(), 5));
        if (o.persistent && o.version > 0 && clientVersion == o.version) {
            return; // the client's own copy is current
        }
        out.add(client, new Ev(new SharedObjectEvent.Clear(), 5));
        for (Map.Entry<String, Object> p : o.props.entrySet()) {
            out.add(client, new Ev(new SharedObjectEvent.Change(p.getKey(), p.getValue()), 5 + o.sizes.get(p.getKey())));
        }
    }

    private void clientChange(Obj o, SoClient client, String property, Object raw, Out out) {
        if (!o.clientWritable) {
            refuseChange(o, client, property, out);
            return;
        }
        SoValues.Budget budget = new SoValues.Budget(limits.maxValueBytes());
        Object value;
        try {
            value = SoValues.normalize(raw, budget);
        } catch (SoValues.Refused e) {
            LOG.debug("{}/{}: refusing {}'s change of '{}' in '{}': {}", app, instance, describe(client), property,
                    o.name, e.getMessage());
            refuseChange(o, client, property, out);
            return;
        }
        long size = budget.used() + 2 + property.length();
        boolean exists = o.props.containsKey(property);
        long delta = size - (exists ? o.sizes.get(property) : 0);
        if ((!exists && o.props.size() >= limits.maxProperties()) || o.bytes + delta > limits.maxObjectBytes()
                || instanceBytes + delta > limits.maxInstanceBytes()) {
            LOG.debug("{}/{}: refusing {}'s change of '{}' in '{}': limit reached", app, instance, describe(client),
                    property, o.name);
            refuseChange(o, client, property, out);
            return;
        }
        out.add(client, new Ev(new SharedObjectEvent.Success(property), 7 + property.length()));
        if (exists && SoValues.same(o.props.get(property), value)) {
            return;
        }
        put(o, property, value, size);
        Ev change = new Ev(new SharedObjectEvent.Change(property, value), 5 + size);
        for (SoClient s : o.subscribers) {
            if (s != client) {
                out.add(s, change);
            }
        }
        notifyChange(o, client, property, value);
    }

    private void refuseChange(Obj o, SoClient client, String property, Out out) {
        out.add(client, status(NO_WRITE_ACCESS));
        if (o.props.containsKey(property)) {
            out.add(client, new Ev(new SharedObjectEvent.Change(property, o.props.get(property)),
                    5 + o.sizes.get(property)));
        } else {
            out.add(client, new Ev(new SharedObjectEvent.Remove(property), 7 + property.length()));
        }
    }

    private void clientRemove(Obj o, SoClient client, String property, Out out) {
        Ev remove = new Ev(new SharedObjectEvent.Remove(property), 7 + property.length());
        if (!o.clientWritable) {
            out.add(client, status(NO_WRITE_ACCESS));
            if (o.props.containsKey(property)) {
                out.add(client, new Ev(new SharedObjectEvent.Change(property, o.props.get(property)),
                        5 + o.sizes.get(property)));
            }
            return;
        }
        if (!o.props.containsKey(property)) {
            out.add(client, remove);
            return;
        }
        removeProperty(o, property);
        for (SoClient s : o.subscribers) {
            out.add(s, remove);
        }
        notifyChange(o, client, property, null);
    }

    private void clientSend(Obj o, SoClient client, String handler, List<Object> args, Out out) {
        SoValues.Budget budget = new SoValues.Budget(limits.maxValueBytes());
        List<Object> values;
        try {
            @SuppressWarnings("unchecked")
            List<Object> normalized = (List<Object>) SoValues.normalize(args, budget);
            values = normalized;
        } catch (SoValues.Refused e) {
            LOG.debug("{}/{}: dropping {}'s message '{}' to '{}': {}", app, instance, describe(client), handler, o.name,
                    e.getMessage());
            out.add(client, status(NO_WRITE_ACCESS));
            return;
        }
        Ev send = new Ev(new SharedObjectEvent.SendMessage(handler, values), 5 + budget.used() + handler.length());
        for (SoClient s : o.subscribers) {
            out.add(s, send);
        }
        if (!o.listeners.isEmpty()) {
            Client api = client.api();
            for (SharedObject.Listener l : o.listeners) {
                toExecutor(() -> l.onMessage(api, handler, SoValues.copyAll(values)));
            }
        }
    }

    /** A message that cannot wait for {@code unlock()} because too many wait already: refused now. */
    private void refuseQueued(Obj o, SoClient client, SharedObjectMessage m) {
        LOG.debug("{}/{}: shared object '{}' is locked and {} messages wait; refusing one of {}", app, instance, o.name,
                o.queued.size(), describe(client));
        Out out = new Out();
        for (SharedObjectEvent e : m.events()) {
            if (e instanceof SharedObjectEvent.Use) {
                out.add(client, status(CREATION_FAILED));
            } else if (e instanceof SharedObjectEvent.RequestChange c && o.subscribers.contains(client)) {
                refuseChange(o, client, c.property(), out);
            } else if (e instanceof SharedObjectEvent.RequestRemove r && o.subscribers.contains(client)) {
                out.add(client, status(NO_WRITE_ACCESS));
                if (o.props.containsKey(r.property())) {
                    out.add(client, new Ev(new SharedObjectEvent.Change(r.property(), o.props.get(r.property())),
                            5 + o.sizes.get(r.property())));
                }
            } else if (e instanceof SharedObjectEvent.Release) {
                o.queued.removeIf(q -> q.client == client);
                unsubscribe(o, client);
            } else if (e instanceof SharedObjectEvent.SendMessage && o.subscribers.contains(client)) {
                out.add(client, status(NO_WRITE_ACCESS));
            }
        }
        emit(o, out);
    }

    // ---- state changes (under lock) ---------------------------------------------------------------

    private Obj open(String name, boolean persistent) {
        Obj o = new Obj(name, persistent);
        if (persistent && persistDir != null) {
            load(o);
        }
        objects.put(name, o);
        instanceBytes += o.bytes;
        return o;
    }

    private void load(Obj o) {
        Path file = persistDir.resolve(SoFiles.fileName(o.name));
        long maxBytes = 2 * Math.max(limits.maxInstanceBytes(), MAX_APPLICATION_VALUE_BYTES) + 64;
        try {
            byte[] data = pendingWrites.get(o.name);
            if (data == null) {
                data = SoFiles.read(file, maxBytes);
            }
            if (data == null) {
                return;
            }
            SoFiles.Stored stored = SoFiles.decode(data, o.name, maxBytes);
            o.version = stored.version();
            o.props.putAll(stored.properties());
            o.sizes.putAll(stored.sizes());
            o.bytes = stored.sizes().values().stream().mapToLong(Long::longValue).sum();
        } catch (IOException e) {
            LOG.warn("{}/{}: shared object '{}': {} is unreadable ({}); it starts empty and the file is kept as *.corrupt",
                    app, instance, o.name, file, e.getMessage());
            o.props.clear();
            o.sizes.clear();
            o.bytes = 0;
            try {
                Files.move(file, file.resolveSibling(file.getFileName() + ".corrupt"), StandardCopyOption.REPLACE_EXISTING);
            } catch (IOException | RuntimeException ignored) {
                // It is overwritten at the next save anyway.
            }
        }
    }

    private void put(Obj o, String property, Object value, long size) {
        Long old = o.sizes.put(property, size);
        long delta = size - (old == null ? 0 : old);
        o.props.put(property, value);
        o.bytes += delta;
        instanceBytes += delta;
        o.version++;
        markDirty(o);
    }

    private void removeProperty(Obj o, String property) {
        o.props.remove(property);
        Long old = o.sizes.remove(property);
        if (old != null) {
            o.bytes -= old;
            instanceBytes -= old;
        }
        o.version++;
        markDirty(o);
    }

    private void markDirty(Obj o) {
        if (o.persistent && persistDir != null) {
            o.dirty = true;
            scheduleFlush(FLUSH_DELAY_MILLIS);
        }
    }

    private void scheduleFlush(long delayMillis) {
        if (!flushScheduled && !closed) {
            flushScheduled = true;
            Flusher.EXECUTOR.schedule(() -> {
                try {
                    flush();
                } catch (RuntimeException e) {
                    LOG.error("{}/{}: saving shared objects failed", app, instance, e);
                }
            }, delayMillis, TimeUnit.MILLISECONDS);
        }
    }

    private void unsubscribe(Obj o, SoClient client) {
        o.subscribers.remove(client);
        Set<Obj> subscribed = subscriptions.get(client);
        if (subscribed != null) {
            subscribed.remove(o);
            if (subscribed.isEmpty()) {
                subscriptions.remove(client);
            }
        }
    }

    /** Drops an object nobody uses: a temporary one is gone, a persistent one is kept on disk. */
    private void maybeDrop(Obj o) {
        if (!o.subscribers.isEmpty() || o.serverReferenced || o.lockDepth > 0 || !o.queued.isEmpty()
                || objects.get(o.name) != o) {
            return;
        }
        objects.remove(o.name);
        instanceBytes -= o.bytes;
        if (o.dirty) {
            pendingWrites.put(o.name, SoFiles.encode(o.name, o.version, o.props));
            o.dirty = false;
            scheduleFlush(FLUSH_DELAY_MILLIS);
        }
    }

    private int subscriptionCount(SoClient client) {
        Set<Obj> s = subscriptions.get(client);
        return s == null ? 0 : s.size();
    }

    /** Sends {@code ev} to every subscriber now, or at the last unlock while locked. */
    private void broadcast(Obj o, List<Ev> events) {
        if (o.lockDepth > 0) {
            o.lockedEvents.addAll(events);
            return;
        }
        Out out = new Out();
        for (SoClient s : o.subscribers) {
            for (Ev ev : events) {
                out.add(s, ev);
            }
        }
        emit(o, out);
    }

    // ---- what goes out ------------------------------------------------------------------------

    private record Ev(SharedObjectEvent event, long size) {
    }

    private record Queued(SoClient client, SharedObjectMessage message) {
    }

    /** Events for each client, in order. */
    private static final class Out {
        final Map<SoClient, List<Ev>> byClient = new LinkedHashMap<>();

        void add(SoClient c, Ev ev) {
            byClient.computeIfAbsent(c, k -> new ArrayList<>()).add(ev);
        }
    }

    private static Ev status(String code) {
        return new Ev(new SharedObjectEvent.Status(code, "error"), 50);
    }

    private void statusTo(SoClient client, String name, boolean persistent, String code) {
        SharedObjectMessage m = new SharedObjectMessage(name, 0, persistent,
                List.of(new SharedObjectEvent.Status(code, "error")), client.amf3());
        outbox.add(() -> client.send(m));
    }

    /** Queues one message (or a few, when very large) per client; they carry the object's version now. */
    private void emit(Obj o, Out out) {
        for (Map.Entry<SoClient, List<Ev>> e : out.byClient.entrySet()) {
            SoClient c = e.getKey();
            List<SharedObjectEvent> batch = new ArrayList<>();
            long bytes = 0;
            for (Ev ev : e.getValue()) {
                if (!batch.isEmpty() && bytes + ev.size() > MAX_MESSAGE_BYTES) {
                    enqueue(o, c, batch);
                    batch = new ArrayList<>();
                    bytes = 0;
                }
                batch.add(ev.event());
                bytes += ev.size();
            }
            if (!batch.isEmpty()) {
                enqueue(o, c, batch);
            }
        }
    }

    private void enqueue(Obj o, SoClient c, List<SharedObjectEvent> events) {
        SharedObjectMessage m = new SharedObjectMessage(o.name, o.version, o.persistent, events, c.amf3());
        outbox.add(() -> c.send(m));
    }

    private void notifyChange(Obj o, SoClient client, String property, Object value) {
        if (o.listeners.isEmpty()) {
            return;
        }
        Client api = client.api();
        for (SharedObject.Listener l : o.listeners) {
            toExecutor(() -> l.onChange(api, property, SoValues.copy(value)));
        }
    }

    private void toExecutor(Runnable callback) {
        outbox.add(() -> executor.execute(() -> {
            try {
                callback.run();
            } catch (RuntimeException e) {
                LOG.warn("{}/{}: a shared object listener failed", app, instance, e);
            }
        }));
    }

    /**
     * Hands what was queued to its clients and executor, in order, outside the lock. One thread at a time;
     * what another thread queues meanwhile is handed over by the thread already at it.
     */
    private void drain() {
        while (!outbox.isEmpty()) {
            if (!draining.compareAndSet(false, true)) {
                return;
            }
            try {
                Runnable r;
                while ((r = outbox.poll()) != null) {
                    try {
                        r.run();
                    } catch (RuntimeException e) {
                        LOG.warn("{}/{}: handing over a shared object message failed", app, instance, e);
                    }
                }
            } finally {
                draining.set(false);
            }
        }
    }

    private static String describe(SoClient c) {
        Client api = c.api();
        return api == null ? String.valueOf(c) : "client " + api.id();
    }

    // ---- the object -----------------------------------------------------------------------------

    /** One shared object; its fields are guarded by {@link #lock}. */
    private final class Obj implements SharedObject {
        final String name;
        final boolean persistent;
        long version;
        final LinkedHashMap<String, Object> props = new LinkedHashMap<>();
        /** Each property's estimated size (name and value). */
        final Map<String, Long> sizes = new HashMap<>();
        long bytes;
        final Set<SoClient> subscribers = new LinkedHashSet<>();
        boolean clientWritable = true;
        int lockDepth;
        final List<Ev> lockedEvents = new ArrayList<>();
        final ArrayDeque<Queued> queued = new ArrayDeque<>();
        final List<Listener> listeners = new CopyOnWriteArrayList<>();
        boolean serverReferenced;
        boolean dirty;

        Obj(String name, boolean persistent) {
            this.name = name;
            this.persistent = persistent;
        }

        @Override
        public String name() {
            return name;
        }

        @Override
        public boolean persistent() {
            return persistent;
        }

        @Override
        public long version() {
            synchronized (lock) {
                return version;
            }
        }

        @Override
        public Object get(String property) {
            synchronized (lock) {
                return SoValues.copy(props.get(property));
            }
        }

        @Override
        public Map<String, Object> properties() {
            synchronized (lock) {
                Map<String, Object> copy = new LinkedHashMap<>();
                props.forEach((k, v) -> copy.put(k, SoValues.copy(v)));
                return copy;
            }
        }

        @Override
        public void set(String property, Object value) {
            checkProperty(property);
            if (value == null) {
                remove(property);
                return;
            }
            SoValues.Budget budget = new SoValues.Budget(MAX_APPLICATION_VALUE_BYTES);
            Object v = SoValues.normalize(value, budget);
            long size = budget.used() + 2 + property.length();
            synchronized (lock) {
                if (props.containsKey(property) && SoValues.same(props.get(property), v)) {
                    return;
                }
                put(this, property, v, size);
                broadcast(this, List.of(new Ev(new SharedObjectEvent.Change(property, v), 5 + size)));
            }
            drain();
        }

        @Override
        public void remove(String property) {
            checkProperty(property);
            synchronized (lock) {
                if (!props.containsKey(property)) {
                    return;
                }
                removeProperty(this, property);
                broadcast(this, List.of(new Ev(new SharedObjectEvent.Remove(property), 7 + property.length())));
            }
            drain();
        }

        @Override
        public void clear() {
            synchronized (lock) {
                List<Ev> removes = new ArrayList<>(props.size());
                for (String property : new ArrayList<>(props.keySet())) {
                    removeProperty(this, property);
                    removes.add(new Ev(new SharedObjectEvent.Remove(property), 7 + property.length()));
                }
                if (!removes.isEmpty()) {
                    broadcast(this, removes);
                }
            }
            drain();
        }

        @Override
        public void send(String handler, Object... args) {
            Objects.requireNonNull(handler, "handler");
            SoValues.Budget budget = new SoValues.Budget(MAX_APPLICATION_VALUE_BYTES);
            @SuppressWarnings("unchecked")
            List<Object> values = (List<Object>) SoValues.normalize(args == null ? new Object[] {null} : args, budget);
            synchronized (lock) {
                broadcast(this, List.of(new Ev(new SharedObjectEvent.SendMessage(handler, values),
                        5 + budget.used() + handler.length())));
            }
            drain();
        }

        @Override
        public void lock() {
            synchronized (lock) {
                lockDepth++;
            }
        }

        @Override
        public void unlock() {
            synchronized (lock) {
                if (lockDepth == 0) {
                    throw new IllegalStateException("shared object '" + name + "' is not locked");
                }
                if (--lockDepth == 0) {
                    if (!lockedEvents.isEmpty()) {
                        List<Ev> held = new ArrayList<>(lockedEvents);
                        lockedEvents.clear();
                        broadcast(this, held);
                    }
                    Queued q;
                    while (lockDepth == 0 && (q = queued.poll()) != null) {
                        process(this, q.client, q.message);
                    }
                    maybeDrop(this);
                }
            }
            drain();
        }

        @Override
        public void setClientWritable(boolean writable) {
            synchronized (lock) {
                clientWritable = writable;
            }
        }

        @Override
        public List<Client> subscribers() {
            synchronized (lock) {
                List<Client> out = new ArrayList<>(subscribers.size());
                for (SoClient s : subscribers) {
                    out.add(s.api());
                }
                return Collections.unmodifiableList(out);
            }
        }

        @Override
        public void addListener(Listener listener) {
            listeners.add(Objects.requireNonNull(listener, "listener"));
        }

        private void checkProperty(String property) {
            Objects.requireNonNull(property, "property");
            if (ByteBufUtil.utf8Bytes(property) > 0xFFFF) {
                throw new IllegalArgumentException("a property name longer than 65535 bytes");
            }
        }

        @Override
        public String toString() {
            return "SharedObject[" + app + "/" + instance + " " + name + (persistent ? ", persistent" : "") + "]";
        }
    }
}
