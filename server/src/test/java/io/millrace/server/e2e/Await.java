package io.millrace.server.e2e;

import java.util.Optional;
import java.util.function.Supplier;

/** Polls until a probe has a value: for end-to-end tests that wait on the server's own figures. */
final class Await {
    private Await() {
    }

    /** The probe's first value within 20 s (polled every 100 ms); fails naming {@code what} otherwise. */
    static <T> T until(String what, Supplier<Optional<T>> probe) throws InterruptedException {
        long deadline = System.nanoTime() + 20_000_000_000L;
        while (System.nanoTime() < deadline) {
            Optional<T> v = probe.get();
            if (v.isPresent()) {
                return v.get();
            }
            Thread.sleep(100);
        }
        throw new AssertionError("timed out waiting for " + what);
    }

    /** Waits up to 20 s for {@code condition}; fails naming {@code what} otherwise. */
    static void until(String what, java.util.function.BooleanSupplier condition) throws InterruptedException {
        until(what, () -> condition.getAsBoolean() ? Optional.of(Boolean.TRUE) : Optional.empty());
    }
}
