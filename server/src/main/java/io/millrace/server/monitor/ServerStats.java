package io.millrace.server.monitor;

/**
 * The whole server. Bytes count RTMP bytes on the wire (chunk headers included) in each direction:
 * {@code bytesIn} client to server, {@code bytesOut} server to client; {@code bwIn} / {@code bwOut} are
 * the same directions' current rates in bytes per second over the last {@value ClientStats#BW_WINDOW_SECONDS}
 * seconds.
 *
 * @param cpuUsage        this process's CPU time over the last sampling interval, as a fraction of one core
 *                        (1.0 = one core busy; up to the number of cores), or -1 before the first interval
 * @param connections     RTMP connections open now (handshaking ones included)
 * @param totalConnects   connections accepted by an application since the start
 * @param rejectedConnects connects refused (unknown application, rejected by the application)
 */
public record ServerStats(
        String version,
        long launchTimeMillis,
        long uptimeSeconds,
        int connections,
        long totalConnects,
        long totalDisconnects,
        long rejectedConnects,
        long bytesIn,
        long bytesOut,
        long bwIn,
        long bwOut,
        long msgIn,
        long msgOut,
        long msgDropped,
        double cpuUsage,
        int cores,
        long heapUsedBytes,
        long heapMaxBytes,
        long directMemoryUsedBytes,
        int liveStreams,
        int netStreams) {
}
