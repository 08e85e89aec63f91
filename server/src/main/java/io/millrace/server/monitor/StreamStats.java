package io.millrace.server.monitor;

import java.util.List;

/**
 * One live stream. Codecs are FLV names ("H.264", "HEVC", "AAC", "MP3", ...) or null when none was seen;
 * the frame rate, bitrate and keyframe interval are measured from what the publisher sent over the last
 * {@value ClientStats#BW_WINDOW_SECONDS} seconds (the bitrate in bits per second, audio and video).
 *
 * @param publisherClientId null while the stream waits for a publisher (viewers waiting for it)
 * @param publishType "live", "record" or "append"
 * @param bytesOut media payload bytes sent to all viewers
 * @param droppedFrames frames viewers' queues dropped (slow viewers skipped to the next keyframe)
 * @param viewerClientIds the clients playing it
 */
public record StreamStats(
        String app,
        String instance,
        String name,
        String publisherClientId,
        String publishType,
        long publishTimeMillis,
        long uptimeSeconds,
        String videoCodec,
        String audioCodec,
        int width,
        int height,
        double frameRate,
        long bitrateIn,
        long keyframeIntervalMillis,
        long framesIn,
        long bytesIn,
        long bytesOut,
        long droppedFrames,
        int viewers,
        List<String> viewerClientIds) {
}
