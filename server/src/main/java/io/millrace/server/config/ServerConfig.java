package io.millrace.server.config;

import java.nio.file.Path;
import java.util.Map;

/** The whole server configuration, immutable, validated when it was loaded ({@link ConfigLoader}). */
public record ServerConfig(Rtmp rtmp, Http http, Path mediaDir, Path dataDir, Vod vod,
                           Map<String, ApplicationConfig> applications) {

    public record Rtmp(String bind, int port, int chunkSize, long windowAckSize, long peerBandwidth,
                       int maxMessageSize, long handshakeTimeoutMillis, long connectTimeoutMillis,
                       int writeBufferHighWaterMark) {
    }

    public record Http(String bind, int port) {
    }

    public record Vod(long bufferLeadMillis, long defaultBufferMillis, int indexCacheEntries) {
    }

    /** The kinds of application this release knows. */
    public enum AppType { VOD }

    public record ApplicationConfig(String name, AppType type) {
    }

    public ServerConfig withPorts(Integer rtmpPort, Integer httpPort) {
        Rtmp r = rtmpPort == null ? rtmp : new Rtmp(rtmp.bind, rtmpPort, rtmp.chunkSize, rtmp.windowAckSize,
                rtmp.peerBandwidth, rtmp.maxMessageSize, rtmp.handshakeTimeoutMillis, rtmp.connectTimeoutMillis,
                rtmp.writeBufferHighWaterMark);
        Http h = httpPort == null ? http : new Http(http.bind, httpPort);
        return new ServerConfig(r, h, mediaDir, dataDir, vod, applications);
    }

    public ServerConfig withDirs(Path media, Path data) {
        return new ServerConfig(rtmp, http, media == null ? mediaDir : media, data == null ? dataDir : data,
                vod, applications);
    }
}
