package io.millrace.server.monitor;

/**
 * The server-wide figures of one sampler tick, for the dashboard's charts of the last minutes
 * ({@link ServerHistory}). Rates are as in {@link ServerStats}: {@code bwIn} / {@code bwOut} in bytes per
 * second over the last {@value ClientStats#BW_WINDOW_SECONDS} seconds; {@code liveBitrateIn} is the sum
 * of the live streams' {@link StreamStats#bitrateIn()} in bits per second.
 *
 * @param seq        1 for the first sample, one more for each following one (never reused, so a reader
 *                   can ask for what came after the last sample it has, whatever the wall clock does)
 * @param timeMillis when the sample was taken, epoch milliseconds
 * @param cpuUsage   as {@link ServerStats#cpuUsage()}: a fraction of one core, -1 before the first interval
 * @param viewers    clients playing a live stream, over all streams
 */
public record ServerSample(
        long seq,
        long timeMillis,
        int connections,
        long bwIn,
        long bwOut,
        double cpuUsage,
        int liveStreams,
        long liveBitrateIn,
        int viewers) {
}
