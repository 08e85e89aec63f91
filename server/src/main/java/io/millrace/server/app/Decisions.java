package io.millrace.server.app;

import io.millrace.api.ConnectDecision;
import io.millrace.api.Decision;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;

/**
 * The {@link Decision}s the hooks get: each delivers exactly one {@link Outcome} to its sink, once, whoever
 * decides first (the hook, the application later, or the timeout).
 */
public final class Decisions {
    private static final Logger LOG = LoggerFactory.getLogger(Decisions.class);
    /** The longest an application may take to decide later. */
    static final Duration MAX_WAIT = Duration.ofMinutes(5);

    private Decisions() {
    }

    /** What was decided. */
    public sealed interface Outcome permits Accept, Reject, Redirect {
    }

    public record Accept() implements Outcome {
    }

    public record Reject(String description, Object application) implements Outcome {
    }

    public record Redirect(String uri, String description) implements Outcome {
    }

    /** One decision: the hook's object, its pending handle and the timeout share this. */
    static final class Base implements ConnectDecision {
        private final AtomicBoolean decided = new AtomicBoolean();
        private final Consumer<Outcome> sink;
        private final ScheduledExecutorService timer;
        private final String what;
        private final boolean connect;
        private volatile boolean deferred;
        private volatile ScheduledFuture<?> timeout;

        Base(String what, boolean connect, ScheduledExecutorService timer, Consumer<Outcome> sink) {
            this.what = what;
            this.connect = connect;
            this.timer = timer;
            this.sink = sink;
        }

        /** After the hook returned: no decision and no async() means accept. */
        void hookReturned() {
            if (!deferred && !decided.get()) {
                complete(new Accept());
            }
        }

        /** The hook threw: refuse with a neutral description (the log has the exception). */
        void hookFailed(String description) {
            complete(new Reject(description, null));
        }

        private boolean complete(Outcome o) {
            if (!decided.compareAndSet(false, true)) {
                return false;
            }
            ScheduledFuture<?> t = timeout;
            if (t != null) {
                t.cancel(false);
            }
            sink.accept(o);
            return true;
        }

        private void once(Outcome o) {
            if (!complete(o)) {
                throw new IllegalStateException(what + ": already decided");
            }
        }

        @Override
        public void accept() {
            once(new Accept());
        }

        @Override
        public void reject(String description, Object application) {
            once(new Reject(Objects.requireNonNullElse(description, "Rejected."), application));
        }

        @Override
        public void reject(String description) {
            reject(description, null);
        }

        @Override
        public void redirect(String uri, String description) {
            if (!connect) {
                throw new UnsupportedOperationException("only a connect can be redirected");
            }
            once(new Redirect(Objects.requireNonNull(uri, "uri"), Objects.requireNonNullElse(description, "Redirected.")));
        }

        @Override
        public ConnectPending async(Duration wait, Fallback fallback) {
            Objects.requireNonNull(wait, "timeout");
            Objects.requireNonNull(fallback, "fallback");
            if (decided.get()) {
                throw new IllegalStateException(what + ": already decided");
            }
            if (deferred) {
                throw new IllegalStateException(what + ": async() was already called");
            }
            if (wait.isNegative() || wait.isZero() || wait.compareTo(MAX_WAIT) > 0) {
                throw new IllegalArgumentException("timeout must be more than 0 and at most " + MAX_WAIT);
            }
            deferred = true;
            timeout = timer.schedule(() -> {
                if (complete(fallback == Fallback.ACCEPT ? new Accept()
                        : new Reject("The application did not decide in time.", null))) {
                    LOG.warn("{}: the application did not decide within {} ms: {} (its fallback)", what,
                            wait.toMillis(), fallback.name().toLowerCase(java.util.Locale.ROOT));
                }
            }, wait.toMillis(), TimeUnit.MILLISECONDS);
            return new Handle();
        }

        /** The handle async() returns: completions after the decision are ignored (false), not errors. */
        private final class Handle implements ConnectPending {
            @Override
            public boolean accept() {
                return complete(new Accept());
            }

            @Override
            public boolean reject(String description, Object application) {
                return complete(new Reject(Objects.requireNonNullElse(description, "Rejected."), application));
            }

            @Override
            public boolean redirect(String uri, String description) {
                if (!connect) {
                    throw new UnsupportedOperationException("only a connect can be redirected");
                }
                return complete(new Redirect(Objects.requireNonNull(uri, "uri"),
                        Objects.requireNonNullElse(description, "Redirected.")));
            }
        }
    }
}
