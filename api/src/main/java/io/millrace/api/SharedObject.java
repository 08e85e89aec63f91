package io.millrace.api;

import java.util.List;
import java.util.Map;

/**
 * A remote shared object (FMS's server-side {@code SharedObject}). Changes made here reach every subscribed
 * client, in order; changes clients make reach the application through {@link Listener}. Usable from any
 * thread.
 */
public interface SharedObject {

    String name();

    boolean persistent();

    /** The version: it grows by one with every change that reaches the subscribers. */
    long version();

    /** A property's value, or null. */
    Object get(String property);

    /** A copy of every property. */
    Map<String, Object> properties();

    /** Sets a property (null removes it) and tells the subscribers. */
    void set(String property, Object value);

    /** Removes a property and tells the subscribers. */
    void remove(String property);

    /** Removes every property and tells the subscribers. */
    void clear();

    /** Calls {@code handler} on the shared object of every subscribed client ({@code SharedObject.send}). */
    void send(String handler, Object... args);

    /**
     * Holds changes back until {@link #unlock()}: subscribers then get them in one message, and client changes
     * wait too (FMS's {@code lock}/{@code unlock}). Locks nest.
     */
    void lock();

    void unlock();

    /** Whether clients may change the object (default true). When false, their changes are refused and undone. */
    void setClientWritable(boolean writable);

    /** The clients subscribed now. */
    List<Client> subscribers();

    /** Registers a listener; its methods run on the instance's executor. */
    void addListener(Listener listener);

    /** What the application hears about a shared object. */
    interface Listener {
        /**
         * A client changed ({@code value} non-null) or removed ({@code value} null) a property. The change is
         * already applied and sent to the other subscribers.
         */
        default void onChange(Client client, String property, Object value) {
        }

        /** A client sent a message with {@code SharedObject.send(handler, args...)}. */
        default void onMessage(Client client, String handler, List<Object> args) {
        }
    }
}
