package io.millrace.server.monitor;

/**
 * One connected client: FMS's {@code Client.getStats()} figures plus who it is. Directions: {@code *In}
 * is client to server (what the server receives), {@code *Out} server to client. {@code bwIn} /
 * {@code bwOut}: bytes per second over the last {@value #BW_WINDOW_SECONDS} seconds (FMS's "current
 * bandwidth"). Queues are what waits in the server for this client: its live viewers' frame queues
 * ({@code audio/videoQueue*}) and the bytes waiting in the socket's outbound buffer
 * ({@code dataQueueBytes}: everything not yet written to the kernel).
 *
 * @param pingRttMillis the last round-trip time measured with a PingRequest, or -1 before the first answer; for
 *        a publishing client, which is not pinged, the kernel's smoothed TCP round-trip time
 * @param bandwidthLimitOut server-to-client limit in bytes per second (0 = none); {@code bandwidthLimitIn} the other way
 */
public record ClientStats(
        String clientId,
        String app,
        String instance,
        String ip,
        int port,
        String protocol,
        String flashVer,
        String swfUrl,
        String pageUrl,
        String tcUrl,
        double objectEncoding,
        long connectTimeMillis,
        long bytesIn,
        long bytesOut,
        long msgIn,
        long msgOut,
        long msgDropped,
        long pingRttMillis,
        long bwIn,
        long bwOut,
        long audioQueueMsgs,
        long videoQueueMsgs,
        long audioQueueBytes,
        long videoQueueBytes,
        long dataQueueBytes,
        long droppedAudioMsgs,
        long droppedVideoMsgs,
        long droppedAudioBytes,
        long droppedVideoBytes,
        long bandwidthLimitIn,
        long bandwidthLimitOut,
        int streams) {

    /** The window over which {@code bwIn} and {@code bwOut} are measured. */
    public static final int BW_WINDOW_SECONDS = 5;
}
