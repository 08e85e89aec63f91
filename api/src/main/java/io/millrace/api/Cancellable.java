package io.millrace.api;

/** Something scheduled that can be called off. */
@FunctionalInterface
public interface Cancellable {
    /** Calls it off; nothing happens if it already ran. */
    void cancel();
}
