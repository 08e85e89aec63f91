package io.millrace.server.app;

import io.millrace.api.Application;
import io.millrace.api.ServerStream;
import io.millrace.server.config.ServerConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * One application: its code (a class from the jars in its folder, in a class loader of its own, or the
 * built-in behaviour when it has none), its instances, and their lifecycle: started on first connect (or with
 * the server when preloaded), unloaded when idle, all unloaded and the code loaded again when a jar is replaced.
 */
public final class AppHost {
    private static final Logger LOG = LoggerFactory.getLogger(AppHost.class);
    /** Instances one application may have at once: a client names the instance in its URL. */
    static final int MAX_INSTANCES = 10_000;
    /** {@link #MAX_INSTANCES}, lower in tests. */
    int maxInstances = MAX_INSTANCES;

    private final ServerConfig.ApplicationConfig config;
    private final AppRuntime runtime;
    private final Path dataDir;
    private final Extensions extensions;
    private final Map<String, AppInstance> instances = new HashMap<>();
    private volatile Code code;
    private final java.util.concurrent.atomic.AtomicLong generation = new java.util.concurrent.atomic.AtomicLong();
    /** Held while jars are looked at and loaded (watcher and admin): one reload at a time. */
    private final Object reloadLock = new Object();
    /** The jars' fingerprint when the code was loaded, and the one seen at the last check (under reloadLock). */
    private String loadedFingerprint;
    private String lastSeenFingerprint;
    private volatile boolean stopped;

    /** What the host gets from the rest of the server: server-side streams per instance. */
    public interface Extensions {
        ServerStream serverStream(AppInstance instance, String name);

        boolean hasActiveStreams(AppInstance instance);

        /** The instance is unloaded: stop its server-side streams. */
        void closeInstance(AppInstance instance);

        Extensions NONE = new Extensions() {
            @Override
            public ServerStream serverStream(AppInstance instance, String name) {
                throw new UnsupportedOperationException("server-side streams need an application of type live");
            }

            @Override
            public boolean hasActiveStreams(AppInstance instance) {
                return false;
            }

            @Override
            public void closeInstance(AppInstance instance) {
            }
        };
    }

    /**
     * The code of one load: the class loader (null without code), the application class and its remote methods.
     */
    record Code(URLClassLoader loader, Class<? extends Application> cls, RemoteMethods methods, long generation,
                String failure) {
        static final Code BUILT_IN = new Code(null, null, RemoteMethods.of(Object.class), 0, null);

        Code(URLClassLoader loader, Class<? extends Application> cls, RemoteMethods methods, long generation) {
            this(loader, cls, methods, generation, null);
        }

        /** Code that did not load: every connect is rejected with the reason, until a jar that loads arrives. */
        static Code failed(String reason) {
            return new Code(null, null, RemoteMethods.of(Object.class), 0, reason);
        }

        Application newApplication() throws ReflectiveOperationException {
            if (failure != null) {
                throw new IllegalStateException(failure);
            }
            if (cls == null) {
                return new Application() {
                };
            }
            ClassLoader old = Thread.currentThread().getContextClassLoader();
            Thread.currentThread().setContextClassLoader(loader);
            try {
                return cls.getConstructor().newInstance();
            } finally {
                Thread.currentThread().setContextClassLoader(old);
            }
        }

        String describe() {
            return failure != null ? "not loaded: " + failure
                    : cls == null ? "no code: built-in behaviour" : cls.getName() + ", load " + generation;
        }
    }

    public AppHost(ServerConfig.ApplicationConfig config, AppRuntime runtime, Path dataDir, Extensions extensions) {
        this.config = config;
        this.runtime = runtime;
        this.dataDir = dataDir;
        this.extensions = extensions;
        if (config.hosting().className() != null) {
            try {
                deleteTree(dataDir.resolve("apps-code").resolve(name())); // copies a previous run left behind
            } catch (IOException e) {
                LOG.warn("application {}: cannot delete the old copies of its jars: {}", name(), e.toString());
            }
            loadedFingerprint = fingerprint();
            lastSeenFingerprint = loadedFingerprint;
            Code c;
            try {
                c = load();
            } catch (IllegalStateException e) {
                // As FMS did with a broken main.asc: the server runs, this application rejects its connects (the
                // reason is in the log and in the rejection), and a jar that loads is picked up when it arrives.
                LOG.error("{} (its connects are rejected until a jar that loads is put in {})", e.getMessage(),
                        config.hosting().folder());
                c = Code.failed(e.getMessage());
            }
            code = c;
        } else {
            code = Code.BUILT_IN;
        }
    }

    public String name() {
        return config.name();
    }

    AppRuntime runtime() {
        return runtime;
    }

    Map<String, Object> settings() {
        return config.hosting().settings();
    }

    Path instanceDataDir(String instance) {
        return dataDir.resolve("apps").resolve(name()).resolve(instance);
    }

    /** Starts the preloaded instances. */
    public synchronized void start() {
        for (String i : config.hosting().preload()) {
            instances.computeIfAbsent(i, n -> new AppInstance(this, n, code, true));
        }
    }

    /**
     * The instance a connect goes to, started if needed, counted as busy until {@link #connectDone}; null when
     * the application has too many instances or is stopping.
     */
    public synchronized AppInstance acquire(String instance) {
        if (stopped) {
            return null;
        }
        AppInstance i = instances.get(instance);
        if (i == null) {
            if (instances.size() >= maxInstances && !evictOneIdle()) {
                return null;
            }
            i = new AppInstance(this, instance, code, config.hosting().preload().contains(instance));
            instances.put(instance, i);
        }
        i.pendingConnects++;
        if (i.idleTimer != null) {
            i.idleTimer.cancel(false);
            i.idleTimer = null;
        }
        return i;
    }

    /**
     * At the instance limit, an instance waiting out its idle time makes room at once (a client naming instance
     * after instance must not lock others out until the idle times run out). False when every one is busy.
     */
    private boolean evictOneIdle() { // under this lock
        for (AppInstance idle : instances.values()) {
            if (idle.isIdle() && !idle.preloaded) {
                instances.remove(idle.name());
                if (idle.idleTimer != null) {
                    idle.idleTimer.cancel(false);
                    idle.idleTimer = null;
                }
                idle.shutdown("idle, and the application is at its " + maxInstances + " instances", () -> { });
                return true;
            }
        }
        return false;
    }

    synchronized void connectDone(AppInstance i) {
        i.pendingConnects--;
        maybeIdle(i);
    }

    /** Starts the idle countdown of an instance that has nothing left. */
    synchronized void maybeIdle(AppInstance i) {
        long idle = i.failed() ? 0 : config.hosting().instanceIdleMillis();
        if (i.idleTimer != null || !i.isIdle() || instances.get(i.name()) != i
                || !i.failed() && (i.preloaded || idle == 0)) {
            return;
        }
        i.idleTimer = runtime.timer.schedule(() -> unloadIfIdle(i), idle, TimeUnit.MILLISECONDS);
    }

    private void unloadIfIdle(AppInstance i) {
        synchronized (this) {
            i.idleTimer = null;
            if (instances.get(i.name()) != i) {
                return;
            }
            if (!i.isIdle()) {
                maybeIdle(i); // a server-side stream still plays: look again later
                return;
            }
            instances.remove(i.name());
        }
        i.shutdown(i.failed() ? "it did not start" : "idle for "
                + String.format(java.util.Locale.ROOT, "%.1f", config.hosting().instanceIdleMillis() / 1000.0) + " s", () -> { });
    }

    /** The instances now, for monitoring and tests. */
    public synchronized List<AppInstance> instances() {
        return List.copyOf(instances.values());
    }

    public synchronized AppInstance instance(String name) {
        return instances.get(name);
    }

    // ---- extensions, per instance ---------------------------------------------------------------

    /** Where the persistent shared objects of this server are: {@code <data>/sharedobjects/<app>/<instance>/}. */
    Path sharedObjectsDir() {
        return dataDir.resolve("sharedobjects");
    }

    ServerStream serverStream(AppInstance i, String name) {
        return extensions.serverStream(i, name);
    }

    boolean hasActiveStreams(AppInstance i) {
        return extensions.hasActiveStreams(i);
    }

    void closeInstanceResources(AppInstance i) {
        extensions.closeInstance(i);
    }

    // ---- code: loading and reloading ------------------------------------------------------------

    /** The jars of the application: {@code *.jar} in its folder and in {@code lib/}, sorted. */
    private List<Path> jars() {
        Path folder = config.hosting().folder();
        List<Path> jars = new ArrayList<>();
        for (Path dir : List.of(folder, folder.resolve("lib"))) {
            if (!Files.isDirectory(dir)) {
                continue;
            }
            try (Stream<Path> s = Files.list(dir)) {
                s.filter(p -> p.getFileName().toString().endsWith(".jar") && Files.isRegularFile(p)).sorted()
                        .forEach(jars::add);
            } catch (IOException e) {
                LOG.warn("application {}: cannot list {}: {}", name(), dir, e.toString());
            }
        }
        return jars;
    }

    private String fingerprint() {
        StringBuilder b = new StringBuilder();
        for (Path j : jars()) {
            try {
                b.append(j.getFileName()).append('|').append(Files.size(j)).append('|')
                        .append(Files.getLastModifiedTime(j).toMillis()).append(';');
            } catch (IOException e) {
                b.append(j.getFileName()).append("|?;"); // being replaced: looks different, next check decides
            }
        }
        return b.toString();
    }

    /**
     * Loads the application class from a private copy of the jars (so that a jar replaced in place later never
     * pulls the floor from under the classes already loaded). Throws IllegalStateException saying what is wrong.
     */
    private Code load() {
        String className = config.hosting().className();
        List<Path> jars = jars();
        if (jars.isEmpty()) {
            throw new IllegalStateException("application " + name() + ": class " + className + " is configured but "
                    + config.hosting().folder() + " holds no jar");
        }
        long gen = generation.incrementAndGet();
        Path copyDir = dataDir.resolve("apps-code").resolve(name()).resolve(Long.toString(gen));
        List<URL> urls = new ArrayList<>();
        try {
            deleteTree(copyDir);
            Files.createDirectories(copyDir);
            int n = 0;
            for (Path j : jars) {
                Path copy = copyDir.resolve((n++) + "-" + j.getFileName());
                Files.copy(j, copy, StandardCopyOption.REPLACE_EXISTING);
                urls.add(copy.toUri().toURL());
            }
        } catch (IOException e) {
            throw new IllegalStateException("application " + name() + ": cannot copy its jars: " + e, e);
        }
        URLClassLoader loader = new URLClassLoader("app " + name() + " #" + gen, urls.toArray(URL[]::new),
                new ApiOnlyClassLoader(AppHost.class.getClassLoader()));
        try {
            Class<?> c = Class.forName(className, true, loader);
            if (!Application.class.isAssignableFrom(c)) {
                throw new IllegalStateException("application " + name() + ": " + className + " does not implement "
                        + Application.class.getName());
            }
            c.getConstructor(); // a public no-argument constructor, checked now rather than at the first connect
            @SuppressWarnings("unchecked")
            Class<? extends Application> cls = (Class<? extends Application>) c;
            return new Code(loader, cls, RemoteMethods.of(cls), gen);
        } catch (ClassNotFoundException | NoClassDefFoundError e) {
            close(loader);
            throw new IllegalStateException("application " + name() + ": class " + className + " not found in "
                    + jars.stream().map(p -> p.getFileName().toString()).toList() + " (" + e.getMessage() + ")", e);
        } catch (NoSuchMethodException e) {
            close(loader);
            throw new IllegalStateException("application " + name() + ": " + className
                    + " needs a public constructor without arguments", e);
        } catch (RuntimeException | LinkageError e) {
            close(loader);
            throw new IllegalStateException("application " + name() + ": cannot load " + className + ": " + e, e);
        }
    }

    private static void close(URLClassLoader loader) {
        try {
            loader.close();
        } catch (IOException ignored) {
            // nothing more to do about a copy we are abandoning
        }
    }

    private static void deleteTree(Path p) throws IOException {
        if (!Files.exists(p)) {
            return;
        }
        try (Stream<Path> s = Files.walk(p)) {
            for (Path x : s.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(x);
            }
        }
    }

    /**
     * Looks at the jars (the watcher thread): a fingerprint that changed and then stayed the same for one
     * check (a copy in progress is not picked up half-written) reloads the application.
     */
    public void checkForReload() {
        if (config.hosting().className() == null || stopped || config.hosting().folder() == null) {
            return;
        }
        synchronized (reloadLock) {
            String now = fingerprint();
            String previous = lastSeenFingerprint;
            lastSeenFingerprint = now;
            if (now.equals(loadedFingerprint) || !now.equals(previous)) {
                return;
            }
            reload(now, "jar replaced");
        }
    }

    /**
     * Loads the code again and unloads every instance (their clients get AppShutdown). The jars are copied and
     * loaded before the lock is taken, so connects are not held up meanwhile. False when the new code does not
     * load (the running code stays).
     */
    private boolean reload(String fingerprint, String why) { // under reloadLock
        Code next;
        try {
            next = load();
        } catch (IllegalStateException e) {
            loadedFingerprint = fingerprint; // do not try this same set of jars again
            LOG.error("application {}: the replaced jar does not load, the running code stays: {}", name(),
                    e.getMessage());
            return false;
        }
        loadedFingerprint = fingerprint;
        lastSeenFingerprint = fingerprint;
        swap(next, why);
        return true;
    }

    /**
     * Reloads now (admin): an application with code loads its jars again; one without unloads its instances.
     * False when the new code does not load.
     */
    public boolean reloadNow(String why) {
        synchronized (reloadLock) {
            if (stopped) {
                return false;
            }
            if (config.hosting().className() == null) {
                swap(code, why);
                return true;
            }
            return reload(fingerprint(), why);
        }
    }

    /** Unloads one instance now (admin); false if it is not loaded. */
    public boolean unload(String instance, String why) {
        AppInstance i;
        synchronized (this) {
            i = instances.remove(instance);
            if (i == null) {
                return false;
            }
            if (i.idleTimer != null) {
                i.idleTimer.cancel(false);
                i.idleTimer = null;
            }
        }
        i.shutdown(why, () -> { });
        return true;
    }

    private synchronized void swap(Code next, String why) {
        if (stopped) {
            if (next.loader() != null) {
                close(next.loader());
            }
            return;
        }
        Code old = code;
        code = next;
        List<AppInstance> running = new ArrayList<>(instances.values());
        instances.clear();
        LOG.info("application {}: {}, reloading ({} instance(s) shut down; now {})", name(), why, running.size(),
                next.describe());
        CountDownLatch left = new CountDownLatch(running.size());
        for (AppInstance i : running) {
            if (i.idleTimer != null) {
                i.idleTimer.cancel(false);
            }
            i.shutdown(why, left::countDown);
        }
        // The old classes may still run a last callback: close their loader once every instance has stopped.
        runtime.pool.execute(() -> {
            try {
                left.await(30, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            if (old.loader() != null && old != code) {
                close(old.loader());
                try {
                    deleteTree(dataDir.resolve("apps-code").resolve(name()).resolve(Long.toString(old.generation())));
                } catch (IOException e) {
                    LOG.debug("application {}: cannot delete the copy of load {}: {}", name(), old.generation(), e.toString());
                }
            }
        });
        start();
    }

    /** Unloads every instance (server stop): AppShutdown to their clients, onAppStop, shared objects flushed. */
    public void stop(long waitMillis) {
        List<AppInstance> running;
        synchronized (this) {
            stopped = true;
            running = new ArrayList<>(instances.values());
            instances.clear();
        }
        CountDownLatch left = new CountDownLatch(running.size());
        for (AppInstance i : running) {
            if (i.idleTimer != null) {
                i.idleTimer.cancel(false);
            }
            i.shutdown("server stopping", left::countDown);
        }
        try {
            if (!left.await(waitMillis, TimeUnit.MILLISECONDS)) {
                LOG.warn("application {}: {} instance(s) still stopping after {} ms", name(), left.getCount(), waitMillis);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (code.loader() != null) {
            close(code.loader());
        }
    }

    /**
     * The parent of an application's class loader: the JDK, the application API and SLF4J; nothing else of the
     * server (no Netty, no internals), so an application cannot depend on them by accident.
     */
    static final class ApiOnlyClassLoader extends ClassLoader {
        private final ClassLoader server;

        ApiOnlyClassLoader(ClassLoader server) {
            super("millrace-api", ClassLoader.getPlatformClassLoader());
            this.server = server;
        }

        @Override
        protected Class<?> loadClass(String name, boolean resolve) throws ClassNotFoundException {
            if (name.startsWith("io.millrace.api.") || name.startsWith("org.slf4j.")) {
                return server.loadClass(name);
            }
            return super.loadClass(name, resolve);
        }

        @Override
        public URL getResource(String name) {
            if (name.startsWith("io/millrace/api/") || name.startsWith("org/slf4j/")) {
                return server.getResource(name);
            }
            return super.getResource(name);
        }
    }
}
