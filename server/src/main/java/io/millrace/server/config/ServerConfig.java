package io.millrace.server.config;

import java.nio.file.Path;
import java.util.Map;

/** The whole server configuration, immutable, validated when it was loaded ({@link ConfigLoader}). */
public record ServerConfig(Rtmp rtmp, Rtmps rtmps, Http http, Path mediaDir, Path dataDir, Vod vod, Live live,
                           Map<String, ApplicationConfig> applications, BandwidthDetection bandwidthDetection,
                           Clients clients, AccessLog accessLog, Security security,
                           SwfVerificationSettings swfVerification, Apps apps) {

    /**
     * The RTMP listener and the protocol settings and limits of every RTMP connection (RTMPS ones too).
     *
     * @param maxChunkSize            the largest Set Chunk Size a client may send; a larger one closes the connection
     * @param maxStreamsPerConnection NetStreams one connection may hold at once; createStream beyond gets Call.Failed
     * @param idleTimeoutMillis       a connected client that has sent nothing (PingResponses aside) and has had no
     *                                stream playing or publishing for this long gets NetConnection.Connect.IdleTimeout
     *                                and is closed (FMS's AutoCloseIdleClients); 0: never
     * @param maxConnections          connections open at once, both listeners together; beyond, a new one is closed
     *                                as it is accepted; 0: no limit
     * @param maxConnectionsPerIp     ... and from one address (an IPv6 client: its /64); 0: no limit
     * @param maxConnectionRatePerIp  connections accepted per second from one address (bursts up to as many);
     *                                0: no limit
     */
    public record Rtmp(String bind, int port, int chunkSize, long windowAckSize, long peerBandwidth,
                       int maxMessageSize, long handshakeTimeoutMillis, long connectTimeoutMillis,
                       int writeBufferHighWaterMark, long pingIntervalMillis, int maxChunkSize,
                       int maxStreamsPerConnection, long idleTimeoutMillis, int maxConnections,
                       int maxConnectionsPerIp, int maxConnectionRatePerIp) {
        public Rtmp withPort(int newPort) {
            return new Rtmp(bind, newPort, chunkSize, windowAckSize, peerBandwidth, maxMessageSize,
                    handshakeTimeoutMillis, connectTimeoutMillis, writeBufferHighWaterMark, pingIntervalMillis,
                    maxChunkSize, maxStreamsPerConnection, idleTimeoutMillis, maxConnections, maxConnectionsPerIp,
                    maxConnectionRatePerIp);
        }
    }

    /**
     * The RTMPS listener: RTMP inside TLS 1.2 or 1.3, the same pipeline behind Netty's SslHandler.
     *
     * @param certificate the PEM certificate chain (server certificate first); null when not configured
     * @param privateKey  its PEM private key (PKCS#8, or PKCS#1 "RSA PRIVATE KEY"); null when not configured
     */
    public record Rtmps(boolean enabled, String bind, int port, Path certificate, Path privateKey) {
        public Rtmps withPort(int newPort) {
            return new Rtmps(enabled, bind, newPort, certificate, privateKey);
        }
    }

    /**
     * The HTTP listener: admin and JSON API, metrics, dashboard.
     *
     * @param adminUser     the admin API's user name
     * @param adminPassword its password; empty: the admin API and dashboard answer 403 until one is set
     */
    public record Http(String bind, int port, String adminUser, String adminPassword) {
        /** Whether the admin API is switched on (a password is configured). */
        public boolean adminEnabled() {
            return !adminPassword.isEmpty();
        }
    }

    public record Vod(long bufferLeadMillis, long defaultBufferMillis, int indexCacheEntries, long indexCacheMegabytes) {
    }

    /**
     * The live application's settings.
     *
     * @param gopCache          a new viewer starts at the last keyframe (fast start) instead of waiting for the next
     * @param gopCacheMaxMillis the longest GOP kept; a longer one is not cached (the viewer waits for a keyframe)
     * @param queueMillis       media one viewer may have waiting before it is dropped to the next keyframe
     * @param writeMergeMillis  the longest a frame waits so that it goes out with the next ones in one write
     *                          (0: as soon as the publisher's read is done)
     * @param idleTimeoutMillis a publisher that sends no media for this long is unpublished (0: never)
     * @param record            what a publish of type "live" records: off, record (overwrite) or append
     */
    public record Live(boolean gopCache, long gopCacheMaxMillis, long queueMillis, long writeMergeMillis,
                       long idleTimeoutMillis, String record) {
    }

    /**
     * FMS's native bandwidth detection (Application.xml {@code BandwidthDetection}).
     *
     * @param enabled       a client's {@code checkBandwidth} runs the detection; off, it gets {@code onBWDone()} at once
     * @param onConnect     every client is measured as it connects, in place of the plain {@code onBWDone()}
     * @param dataSize      the first block's size in bytes; the next ones are 2x, 3x... (FMS's DataSize)
     * @param maxWaitMillis how long the detection may run (FMS's MaxWait, which is in seconds)
     * @param maxRateKbps   the fastest the detection may send, kbit/s; -1 for no limit (FMS's MaxRate)
     */
    public record BandwidthDetection(boolean enabled, boolean onConnect, int dataSize, long maxWaitMillis,
                                     long maxRateKbps) {
    }

    /**
     * Limits every client starts with (FMS's Client.setBandwidthLimit; the admin API changes them per client).
     *
     * @param bandwidthLimitOut server to client, bytes per second; 0: none
     * @param bandwidthLimitIn  client to server, bytes per second; 0: none
     */
    public record Clients(long bandwidthLimitOut, long bandwidthLimitIn) {
    }

    /**
     * FMS's access log (W3C format) in {@code <data>/logs}.
     *
     * @param rotateMegabytes a file is closed and the next one started at this size (and every UTC day)
     * @param keepFiles       the most files kept; the oldest are deleted
     */
    public record AccessLog(boolean enabled, long rotateMegabytes, int keepFiles) {
    }

    /** Where the access log is written ({@code <data>/logs}). */
    public Path logsDir() {
        return dataDir.resolve("logs");
    }

    /** The kinds of application this release knows. */
    public enum AppType { VOD, LIVE }

    /**
     * One application.
     *
     * @param security        who may connect, publish and play (open unless it says otherwise)
     * @param swfVerification its SWF verification settings (off unless it turns them on)
     */
    public record ApplicationConfig(String name, AppType type, AppSecurity security, SwfVerification swfVerification,
                                    Hosting hosting) {
        /** An application open to everyone, without SWF verification. */
        public ApplicationConfig(String name, AppType type) {
            this(name, type, AppSecurity.OPEN, SwfVerification.off());
        }

        /** An application with no code of its own (the built-in behaviour of its type). */
        public ApplicationConfig(String name, AppType type, AppSecurity security, SwfVerification swfVerification) {
            this(name, type, security, swfVerification, Hosting.NONE);
        }
    }

    /**
     * How an application's code is hosted (its folder {@code apps/<name>/}, {@code app.yaml} there).
     *
     * @param folder             the application's folder, or null for one defined only in the server's configuration
     * @param className          its class implementing {@code io.millrace.api.Application}, from the jars in the folder
     *                           (and its {@code lib/}); null: no code, the built-in behaviour of its type
     * @param instanceIdleMillis an instance without clients is unloaded after this long (0: never)
     * @param preload            instances started with the server (and not unloaded when idle)
     * @param settings           the {@code settings} map of its app.yaml, for the application ({@code Instance.settings()})
     */
    public record Hosting(Path folder, String className, long instanceIdleMillis, java.util.List<String> preload,
                          Map<String, Object> settings) {
        public static final long DEFAULT_INSTANCE_IDLE_MILLIS = 600_000;
        public static final Hosting NONE = new Hosting(null, null, DEFAULT_INSTANCE_IDLE_MILLIS, java.util.List.of(),
                Map.of());

        public Hosting {
            preload = java.util.List.copyOf(preload);
            settings = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(settings));
        }
    }

    /**
     * Applications in folders ({@code apps.*}).
     *
     * @param folder             where {@code <name>/app.yaml} define applications
     * @param reloadCheckMillis  how often the application jars are looked at for replacement (0: never)
     */
    public record Apps(Path folder, long reloadCheckMillis) {
    }

    /**
     * FMS's SWF verification for one application ({@code applications.<name>.swfVerification}; FMS's
     * Application.xml {@code <SWFVerification enabled="false">}).
     *
     * @param enabled             clients must prove they run one of the allowed SWFs before their connect is
     *                            accepted
     * @param folders             the folders whose files are the allowed SWFs (FMS's SWFFolder; default
     *                            {@code apps/<name>/SWFs} in the Millrace home)
     * @param timeoutMillis       how long the connect waits for the client's proof
     * @param userAgentExceptions flashVer prefixes and {@code "WIN 9,0,0,0 .. WIN 9,0,115,0"} ranges that are
     *                            not asked (FMS's UserAgentExceptions)
     */
    public record SwfVerification(boolean enabled, java.util.List<Path> folders, long timeoutMillis,
                                  java.util.List<String> userAgentExceptions) {
        public SwfVerification {
            folders = java.util.List.copyOf(folders);
            userAgentExceptions = java.util.List.copyOf(userAgentExceptions);
        }

        /** Off, with no folders. */
        public static SwfVerification off() {
            return new SwfVerification(false, java.util.List.of(), 5000, java.util.List.of());
        }
    }

    /**
     * The server-wide side of SWF verification ({@code swfVerification.*}).
     *
     * @param disableAll           the switch that turns SWF verification off for every application, whatever
     *                             their own settings say
     * @param rescanIntervalMillis how often the SWF folders are looked at again for added, changed or removed
     *                             files (0: only at start)
     */
    public record SwfVerificationSettings(boolean disableAll, long rescanIntervalMillis) {
    }

    /** Whether SWF verification is in force for an application: its own setting, unless switched off server-wide. */
    public boolean swfVerificationEnabled(String application) {
        ApplicationConfig app = applications.get(application);
        return app != null && app.swfVerification().enabled() && !swfVerification.disableAll();
    }

    /**
     * Who may connect, publish and play on one application ({@code applications.<name>.security.*}); all
     * open by default. Lists are comma-separated.
     *
     * @param allowedHtmlDomains hosts that a client's pageUrl must have (subdomains match; empty: any), FMS's allowedHTMLdomains
     * @param allowedSwfDomains  hosts that a client's swfUrl must have, FMS's allowedSWFdomains
     * @param adobeUsers         users and passwords of the authmod=adobe challenge (empty: no challenge)
     * @param adobeAuthAll       challenge every client, not only encoders (flashVer starting with FMLE/)
     * @param doneCallback       URL told when a publication or a playback ends (nginx-rtmp's on_done)
     */
    public record AppSecurity(String allowedHtmlDomains, String allowedSwfDomains, Access connect, Access publish,
                              Access play, Map<String, String> adobeUsers, boolean adobeAuthAll, String doneCallback) {
        public static final AppSecurity OPEN = new AppSecurity("", "", Access.OPEN, Access.OPEN, Access.OPEN, Map.of(),
                false, "");
    }

    /**
     * The rules of one action (connect, publish or play).
     *
     * @param allow       addresses and networks admitted (empty: any)
     * @param deny        addresses and networks refused
     * @param keys        static keys accepted as {@code name?key=...} (publish and play)
     * @param tokenSecret secret of signed tokens {@code name?expires=...&token=...} (publish and play; empty: none)
     * @param callback    URL asked before the action is allowed (nginx-rtmp's on_connect, on_publish, on_play)
     */
    public record Access(String allow, String deny, String keys, String tokenSecret, String callback) {
        public static final Access OPEN = new Access("", "", "", "", "");
    }

    /**
     * Settings for every application's callbacks.
     *
     * @param callbackTimeoutMillis how long a callback may take before it counts as failed
     * @param callbackFailOpen      whether a failed callback allows (default false: it refuses)
     */
    public record Security(long callbackTimeoutMillis, boolean callbackFailOpen) {
    }

    public ServerConfig withPorts(Integer rtmpPort, Integer httpPort) {
        return withPorts(rtmpPort, null, httpPort);
    }

    /** The configuration with the ports given on the command line (null: keep the configured one). */
    public ServerConfig withPorts(Integer rtmpPort, Integer rtmpsPort, Integer httpPort) {
        Rtmp r = rtmpPort == null ? rtmp : rtmp.withPort(rtmpPort);
        Rtmps s = rtmpsPort == null ? rtmps : rtmps.withPort(rtmpsPort);
        Http h = httpPort == null ? http : new Http(http.bind, httpPort, http.adminUser, http.adminPassword);
        return new ServerConfig(r, s, h, mediaDir, dataDir, vod, live, applications, bandwidthDetection, clients,
                accessLog, security, swfVerification, apps);
    }

    /** Where the live application records ({@code <data>/recordings}); the vod application plays from there too. */
    public Path recordingsDir() {
        return dataDir.resolve("recordings");
    }

    public ServerConfig withDirs(Path media, Path data) {
        return new ServerConfig(rtmp, rtmps, http, media == null ? mediaDir : media, data == null ? dataDir : data,
                vod, live, applications, bandwidthDetection, clients, accessLog, security, swfVerification, apps);
    }
}
