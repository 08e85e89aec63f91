package io.millrace.server.monitor;

/**
 * One NetStream that plays or publishes.
 *
 * @param mode "play" or "publish"
 * @param type "live" or "vod"
 * @param startTimeMillis when the current play or publish began (wall clock)
 */
public record NetStreamStats(
        String clientId,
        int streamId,
        String app,
        String instance,
        String name,
        String mode,
        String type,
        long startTimeMillis,
        String clientIp) {
}
