package io.millrace.server.monitor;

/** One instance of an application ({@code rtmp://host/app/instance}); fields as in {@link AppStats}. */
public record InstanceStats(
        String app,
        String instance,
        long launchTimeMillis,
        int connections,
        long accepted,
        long rejected,
        long disconnected,
        long bytesIn,
        long bytesOut,
        long bwIn,
        long bwOut,
        long msgIn,
        long msgOut,
        long msgDropped,
        int liveStreams) {
}
