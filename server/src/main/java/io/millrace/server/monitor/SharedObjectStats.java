package io.millrace.server.monitor;

/**
 * One remote shared object of an application instance, as FMS's {@code getSharedObjects} listed them.
 *
 * @param version     grows by one with every change
 * @param subscribers clients using it now
 * @param properties  how many properties it holds
 * @param bytes       the size of its values, as they would be written out
 */
public record SharedObjectStats(String app, String instance, String name, boolean persistent, long version,
                                int subscribers, int properties, long bytes) {
}
