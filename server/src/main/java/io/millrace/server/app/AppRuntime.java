package io.millrace.server.app;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The threads application code runs on: a pool shared by every instance (each instance is a
 * {@link SerialExecutor} over it) and one timer thread that only hands due tasks to the instances.
 * Network threads never run application code.
 */
public final class AppRuntime implements AutoCloseable {
    private static volatile AppRuntime shared;

    public final ExecutorService pool;
    public final ScheduledExecutorService timer;

    public AppRuntime() {
        pool = Executors.newCachedThreadPool(daemon("millrace-app-"));
        timer = Executors.newSingleThreadScheduledExecutor(daemon("millrace-app-timer"));
    }

    /** A runtime for servers built without one (unit tests): daemon threads, never closed. */
    public static AppRuntime shared() {
        AppRuntime r = shared;
        if (r == null) {
            synchronized (AppRuntime.class) {
                if (shared == null) {
                    shared = new AppRuntime();
                }
                r = shared;
            }
        }
        return r;
    }

    private static ThreadFactory daemon(String prefix) {
        AtomicInteger n = new AtomicInteger();
        return r -> {
            Thread t = new Thread(r, prefix.endsWith("-") ? prefix + n.incrementAndGet() : prefix);
            t.setDaemon(true);
            return t;
        };
    }

    @Override
    public void close() {
        timer.shutdownNow();
        pool.shutdown();
        try {
            if (!pool.awaitTermination(5, TimeUnit.SECONDS)) {
                pool.shutdownNow();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            pool.shutdownNow();
        }
    }
}
