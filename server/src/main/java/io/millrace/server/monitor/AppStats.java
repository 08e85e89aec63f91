package io.millrace.server.monitor;

/**
 * One application, all its instances together (FMS's getAppStats). Directions as in {@link ServerStats}.
 *
 * @param type        "vod" or "live"
 * @param connections clients connected now
 * @param accepted    connects accepted since the start; {@code rejected} refused; {@code disconnected} ended
 */
public record AppStats(
        String name,
        String type,
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
        int instances,
        int liveStreams) {
}
