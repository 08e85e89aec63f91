package io.millrace.server.app;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayDeque;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;

/**
 * Runs tasks one at a time, in order, on a shared pool: an application instance's own thread of control. A
 * task that throws is logged (one line with its stack) and the next one runs.
 */
final class SerialExecutor implements Executor {
    private static final Logger LOG = LoggerFactory.getLogger(SerialExecutor.class);
    /** Tasks one instance may have waiting; beyond it execute() refuses (a client flooding calls). */
    static final int MAX_QUEUED = 100_000;

    private final Executor pool;
    private final String name;
    private final ArrayDeque<Runnable> queue = new ArrayDeque<>();
    private boolean running;

    SerialExecutor(Executor pool, String name) {
        this.pool = pool;
        this.name = name;
    }

    @Override
    public void execute(Runnable task) {
        synchronized (queue) {
            if (queue.size() >= MAX_QUEUED) {
                throw new RejectedExecutionException(name + ": " + MAX_QUEUED + " tasks already waiting");
            }
            queue.add(task);
            if (running) {
                return;
            }
            running = true;
        }
        pool.execute(this::drain);
    }

    private void drain() {
        String old = Thread.currentThread().getName();
        Thread.currentThread().setName("app " + name);
        try {
            // A bounded batch, then yield the pool thread to other instances.
            for (int i = 0; i < 256; i++) {
                Runnable r;
                synchronized (queue) {
                    r = queue.poll();
                    if (r == null) {
                        running = false;
                        return;
                    }
                }
                try {
                    r.run();
                } catch (Throwable t) {
                    LOG.error("{}: application code failed", name, t);
                }
            }
        } finally {
            Thread.currentThread().setName(old);
        }
        pool.execute(this::drain); // more waiting: continue later (running stays true)
    }
}
