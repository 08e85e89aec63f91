package io.millrace.server.app;

import io.millrace.api.Application;
import io.millrace.api.Cancellable;
import io.millrace.api.Client;
import io.millrace.api.Instance;
import io.millrace.api.ServerStream;
import io.millrace.api.SharedObject;
import io.millrace.api.StreamRequest;
import io.millrace.rtmp.command.NetCommand;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * One application instance ({@code app/instance}): the application object made for it, its clients, and the
 * serial executor every callback of it runs on. Created by {@link AppHost#acquire}, unloaded when idle, on
 * reload or at server stop.
 */
public final class AppInstance implements Instance {
    private static final Logger LOG = LoggerFactory.getLogger(AppInstance.class);

    private final AppHost host;
    private final String name;
    private final AppHost.Code code;
    private final SerialExecutor executor;
    private final Set<ClientHandle> clients = ConcurrentHashMap.newKeySet();
    /** Application object, set by the first task on the executor (so every later task sees it). */
    private Application app;
    private volatile String failure;
    private volatile boolean stopped;
    private io.millrace.server.so.SharedObjects sharedObjects;
    /** Connects in progress (under the host's lock): an instance with any is not idle. */
    int pendingConnects;
    ScheduledFuture<?> idleTimer;
    final boolean preloaded;

    AppInstance(AppHost host, String name, AppHost.Code code, boolean preloaded) {
        this.host = host;
        this.name = name;
        this.code = code;
        this.preloaded = preloaded;
        this.executor = new SerialExecutor(host.runtime().pool, host.name() + "/" + name);
        executor.execute(this::start);
    }

    private void start() {
        try {
            app = code.newApplication();
            app.onAppStart(this);
            LOG.info("application instance {}/{} started ({})", host.name(), name, code.describe());
        } catch (Throwable t) {
            failure = code.failure() != null ? "Application " + host.name() + " is not available: " + code.failure()
                    : "Application " + host.name() + " failed to start: " + t;
            if (code.failure() == null) {
                LOG.error("application instance {}/{}: failed to start", host.name(), name, t);
            }
        }
    }

    /** Whether the instance did not start (its connects are rejected; it is unloaded as soon as it is idle). */
    boolean failed() {
        return failure != null;
    }

    SerialExecutor executor() {
        return executor;
    }

    AppHost.Code code() {
        return code;
    }

    boolean isIdle() {
        return pendingConnects == 0 && clients.isEmpty() && !host.hasActiveStreams(this);
    }

    boolean isStopped() {
        return stopped;
    }

    /** A short name for log lines. */
    String describe() {
        return host.name() + "/" + name;
    }

    // ---- the session's entry points (any thread) ---------------------------------------------

    /**
     * Asks the application about a connect; {@code decided} gets the outcome on some thread (the session hops
     * back to its event loop). The client counts as connected to the instance from an accept on.
     */
    public void connect(ClientHandle client, Consumer<Decisions.Outcome> decided) {
        if (!hasCode() && !stopped) {
            // The built-in behaviour accepts every connect: no need to wait for the instance's thread.
            clients.add(client);
            host.connectDone(this);
            decided.accept(new Decisions.Accept());
            return;
        }
        executor.execute(() -> {
            Decisions.Base d = new Decisions.Base("connect " + client + " to " + describe(), true,
                    host.runtime().timer, outcome -> {
                        if (outcome instanceof Decisions.Accept) {
                            clients.add(client);
                        }
                        host.connectDone(this);
                        decided.accept(outcome);
                    });
            if (failure != null || stopped) {
                d.reject(stopped ? "Application instance " + describe() + " is shutting down." : failure);
                return;
            }
            try {
                app.onConnect(client, d);
                d.hookReturned();
            } catch (Throwable t) {
                LOG.error("{}: onConnect failed for {}", describe(), client, t);
                d.hookFailed("Connection rejected: the application failed (" + t.getClass().getSimpleName() + ").");
            }
        });
    }

    /** A connect acquired this instance but goes no further (its arguments could not be taken). */
    public void connectAbandoned() {
        host.connectDone(this);
    }

    /** The client's connection ended: onDisconnect when the application had accepted it. */
    public void clientLeft(ClientHandle client) {
        executor.execute(() -> {
            if (!clients.remove(client)) {
                return;
            }
            io.millrace.server.so.SharedObjects so = existingSharedObjects();
            if (so != null) {
                so.clientLeft(client.soClient());
            }
            try {
                app.onDisconnect(client);
            } catch (Throwable t) {
                LOG.error("{}: onDisconnect failed for {}", describe(), client, t);
            }
            host.maybeIdle(this);
        });
    }

    /** Whether the application has code of its own (without, every hook accepts and nothing need be asked). */
    public boolean hasCode() {
        return code.cls() != null || code.failure() != null;
    }

    /** Whether the application has a {@code @Remote} method of this name (any thread). */
    public boolean hasMethod(String method) {
        return code.methods().has(method);
    }

    /**
     * Runs a client's call of a {@code @Remote} method; {@code answer} gets the value to send as {@code _result},
     * or {@code failed} the description for {@code _error}. Either runs on an application thread.
     */
    public void call(ClientHandle client, NetCommand.Call call, Consumer<Object> answer, Consumer<String> failed) {
        List<Object> args = new ArrayList<>(call.arguments().size());
        for (Object a : call.arguments()) {
            try {
                args.add(AmfValues.toJava(a));
            } catch (IllegalArgumentException e) {
                failed.accept(call.method() + ": argument " + (args.size() + 1) + " cannot be taken: " + e.getMessage() + ".");
                return;
            }
        }
        executor.execute(() -> {
            if (app == null) {
                failed.accept("Application " + host.name() + " is not running.");
                return;
            }
            Object result;
            try {
                result = code.methods().invoke(app, call.method(), client, args);
            } catch (RemoteMethods.BadCall e) {
                failed.accept(e.getMessage());
                return;
            } catch (Throwable t) {
                failed.accept(describeFailure(call.method(), t));
                LOG.info("{}: {} from {} failed: {}", describe(), call.method(), client, t.toString());
                return;
            }
            if (result instanceof CompletionStage<?> stage) {
                stage.whenComplete((v, t) -> {
                    if (t != null) {
                        Throwable cause = t instanceof java.util.concurrent.CompletionException && t.getCause() != null
                                ? t.getCause() : t;
                        failed.accept(describeFailure(call.method(), cause));
                    } else {
                        send(call.method(), v, answer, failed);
                    }
                });
            } else {
                send(call.method(), result, answer, failed);
            }
        });
    }

    private static String describeFailure(String method, Throwable t) {
        String m = t.getMessage();
        return m != null && !m.isBlank() ? m : method + " failed (" + t.getClass().getSimpleName() + ").";
    }

    private void send(String method, Object value, Consumer<Object> answer, Consumer<String> failed) {
        Object amf;
        try {
            amf = AmfValues.toAmf(value);
        } catch (IllegalArgumentException e) {
            LOG.warn("{}: {} returned a value that cannot be sent: {}", describe(), method, e.getMessage());
            failed.accept(method + " returned a value that cannot be sent.");
            return;
        }
        answer.accept(amf);
    }

    /** Asks onPlay or onPublish; {@code decided} gets the outcome on some thread. */
    public void streamRequest(ClientHandle client, boolean publish, StreamRequest request,
                              Consumer<Decisions.Outcome> decided) {
        executor.execute(() -> {
            String what = (publish ? "publish " : "play ") + request.name() + " by " + client + " on " + describe();
            Decisions.Base d = new Decisions.Base(what, false, host.runtime().timer, decided);
            if (app == null || !clients.contains(client)) {
                d.reject("Application " + host.name() + " is not running.");
                return;
            }
            try {
                if (publish) {
                    app.onPublish(client, request, d);
                } else {
                    app.onPlay(client, request, d);
                }
                d.hookReturned();
            } catch (Throwable t) {
                LOG.error("{}: {} failed", describe(), publish ? "onPublish" : "onPlay", t);
                d.hookFailed("Refused: the application failed (" + t.getClass().getSimpleName() + ").");
            }
        });
    }

    /** A play or publication that was accepted ended: onPlayStop or onUnpublish. */
    public void streamEnded(ClientHandle client, boolean publish, String streamName) {
        executor.execute(() -> {
            if (app == null) {
                return;
            }
            try {
                if (publish) {
                    app.onUnpublish(client, streamName);
                } else {
                    app.onPlayStop(client, streamName);
                }
            } catch (Throwable t) {
                LOG.error("{}: {} failed", describe(), publish ? "onUnpublish" : "onPlayStop", t);
            }
        });
    }

    /**
     * Unloads: every client gets NetConnection.Connect.AppShutdown and is disconnected, then onAppStop runs
     * and the instance's shared objects and streams are closed. {@code done} runs after onAppStop.
     */
    void shutdown(String reason, Runnable done) {
        stopped = true;
        executor.execute(() -> {
            for (ClientHandle c : clients) {
                c.session().appShutdown("Application " + describe() + " shut down (" + reason + ").");
            }
            List<ClientHandle> gone = new ArrayList<>(clients);
            clients.clear();
            for (ClientHandle c : gone) {
                try {
                    if (app != null) {
                        app.onDisconnect(c);
                    }
                } catch (Throwable t) {
                    LOG.error("{}: onDisconnect failed for {}", describe(), c, t);
                }
            }
            try {
                if (app != null && failure == null) {
                    app.onAppStop(this);
                }
            } catch (Throwable t) {
                LOG.error("{}: onAppStop failed", describe(), t);
            }
            io.millrace.server.so.SharedObjects so = existingSharedObjects();
            if (so != null) {
                so.close(); // persistent objects saved before the instance is gone
            }
            host.closeInstanceResources(this);
            LOG.info("application instance {} unloaded ({})", describe(), reason);
            done.run();
        });
    }

    // ---- io.millrace.api.Instance ------------------------------------------------------------

    @Override
    public String application() {
        return host.name();
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public Map<String, Object> settings() {
        return host.settings();
    }

    @Override
    public Path dataDir() {
        Path p = host.instanceDataDir(name);
        try {
            Files.createDirectories(p);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return p;
    }

    @Override
    public List<Client> clients() {
        return List.copyOf(clients);
    }

    @Override
    public void broadcast(String method, Object... args) {
        for (ClientHandle c : clients) {
            c.send(method, args);
        }
    }

    @Override
    public SharedObject sharedObject(String name, boolean persistent) {
        if (stopped) {
            throw new IllegalStateException(describe() + " is unloaded");
        }
        return sharedObjects().get(name, persistent);
    }

    /** The instance's shared objects, made on first use (any thread). */
    synchronized io.millrace.server.so.SharedObjects sharedObjects() {
        if (sharedObjects == null) {
            sharedObjects = new io.millrace.server.so.SharedObjects(host.name(), name,
                    host.sharedObjectsDir().resolve(host.name()).resolve(name), executor,
                    io.millrace.server.so.SharedObjectLimits.defaults());
        }
        return sharedObjects;
    }

    /** The shared objects in memory now, for monitoring (any thread). */
    public List<io.millrace.server.so.SharedObjects.Info> sharedObjectInfo() {
        io.millrace.server.so.SharedObjects so = existingSharedObjects();
        return so == null ? List.of() : so.list();
    }

    private synchronized io.millrace.server.so.SharedObjects existingSharedObjects() {
        return sharedObjects;
    }

    /**
     * A shared object message from a client of this instance. An application without code refuses them, as
     * FMS's stock vod and live services had no shared objects: the client gets SharedObject.NoReadAccess.
     */
    public void sharedObjectMessage(ClientHandle client, io.millrace.rtmp.so.SharedObjectMessage m) {
        if (!hasCode()) {
            client.soClient().send(new io.millrace.rtmp.so.SharedObjectMessage(m.name(), 0, m.persistent(),
                    List.of(new io.millrace.rtmp.so.SharedObjectEvent.Status("SharedObject.NoReadAccess", "error")),
                    client.soClient().amf3()));
            return;
        }
        executor.execute(() -> {
            if (!stopped && clients.contains(client)) {
                sharedObjects().onMessage(client.soClient(), m);
            }
        });
    }

    @Override
    public ServerStream stream(String name) {
        return host.serverStream(this, name);
    }

    @Override
    public Cancellable schedule(Duration delay, Runnable task) {
        ScheduledFuture<?> f = host.runtime().timer.schedule(() -> runIfLive(task), Math.max(0, delay.toMillis()),
                TimeUnit.MILLISECONDS);
        return () -> f.cancel(false);
    }

    @Override
    public Cancellable scheduleEvery(Duration period, Runnable task) {
        long ms = period.toMillis();
        if (ms <= 0) {
            throw new IllegalArgumentException("period must be at least 1 ms");
        }
        ScheduledFuture<?>[] f = new ScheduledFuture<?>[1];
        f[0] = host.runtime().timer.scheduleAtFixedRate(() -> {
            if (stopped) {
                f[0].cancel(false);
                return;
            }
            runIfLive(task);
        }, ms, ms, TimeUnit.MILLISECONDS);
        return () -> f[0].cancel(false);
    }

    private void runIfLive(Runnable task) {
        if (stopped) {
            return;
        }
        try {
            executor.execute(task);
        } catch (java.util.concurrent.RejectedExecutionException e) {
            LOG.warn("{}: timer task dropped: {}", describe(), e.getMessage());
        }
    }

    @Override
    public void execute(Runnable task) {
        executor.execute(task);
    }

    @Override
    public String toString() {
        return "instance " + describe();
    }
}
