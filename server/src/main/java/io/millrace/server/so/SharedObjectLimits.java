package io.millrace.server.so;

/**
 * Bounds on what clients can make the shared objects of one application instance hold. The application's
 * own changes (the {@link io.millrace.api.SharedObject} API) are not refused by these but count toward them
 * (a single application value is only bounded at 8 MiB, an IllegalArgumentException to the caller).
 *
 * <p>How a client is refused:
 * <ul>
 *   <li>a Use beyond {@code maxObjects} (a new object) or {@code maxSubscriptionsPerClient}: a Status event
 *       {@code SharedObject.ObjectCreationFailed} (level error), nothing created or subscribed;</li>
 *   <li>a RequestChange beyond {@code maxProperties} (a new property), {@code maxValueBytes},
 *       {@code maxObjectBytes} or {@code maxInstanceBytes}: refused like a change to a read-only object, a
 *       Status event {@code SharedObject.NoWriteAccess} and a Change with the current value (or a Remove when
 *       there is none), so the client's copy is undone;</li>
 *   <li>a SendMessage whose arguments are beyond {@code maxValueBytes}: dropped, with a Status event
 *       {@code SharedObject.NoWriteAccess} to the sender;</li>
 *   <li>a message with more than {@code maxEventsPerMessage} events: the client is disconnected (Flash Player
 *       sends one event per property changed in a frame; thousands at once is abuse);</li>
 *   <li>while the application holds {@code lock()}, client messages wait, at most {@code maxQueuedPerObject}
 *       per object; past that a message is refused as above (Use: ObjectCreationFailed, changes:
 *       NoWriteAccess and undo, the rest dropped).</li>
 * </ul>
 * Sizes are the values' AMF0 sizes, roughly (an estimate made while copying them, which also expands
 * values that share their parts through AMF references, so they cannot grow when written back).
 */
public record SharedObjectLimits(int maxObjects, int maxSubscriptionsPerClient, int maxProperties, int maxValueBytes,
                                 long maxObjectBytes, long maxInstanceBytes, int maxEventsPerMessage,
                                 int maxQueuedPerObject) {

    public SharedObjectLimits {
        if (maxObjects < 1 || maxSubscriptionsPerClient < 1 || maxProperties < 1 || maxValueBytes < 16
                || maxObjectBytes < maxValueBytes || maxInstanceBytes < maxObjectBytes || maxEventsPerMessage < 1
                || maxQueuedPerObject < 1) {
            throw new IllegalArgumentException("shared object limits out of range: " + this);
        }
    }

    /**
     * 1000 objects per instance, 100 subscriptions per client, 4096 properties per object, 64 KiB per value
     * (or per SendMessage's arguments), 1 MiB per object, 64 MiB per instance, 4096 events per message, 1000
     * client messages waiting on a locked object.
     */
    public static SharedObjectLimits defaults() {
        return new SharedObjectLimits(1000, 100, 4096, 64 << 10, 1L << 20, 64L << 20, 4096, 1000);
    }
}
