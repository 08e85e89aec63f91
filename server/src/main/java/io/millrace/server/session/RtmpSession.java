package io.millrace.server.session;

import io.millrace.amf.AmfEncoding;
import io.millrace.amf.AmfObject;
import io.millrace.rtmp.PipelineNames;
import io.millrace.rtmp.RtmpProtocolException;
import io.millrace.rtmp.command.Command;
import io.millrace.rtmp.command.CommandEncoder;
import io.millrace.rtmp.command.DataMessage;
import io.millrace.rtmp.command.NetCommand;
import io.millrace.rtmp.command.NetConnectionStatus;
import io.millrace.rtmp.command.Status;
import io.millrace.rtmp.chunk.ChunkDecoder;
import io.millrace.rtmp.chunk.ChunkStreamState;
import io.millrace.rtmp.control.LimitType;
import io.millrace.rtmp.control.PingRequest;
import io.millrace.rtmp.control.PingResponse;
import io.millrace.rtmp.control.SetBufferLength;
import io.millrace.rtmp.control.SetChunkSize;
import io.millrace.rtmp.control.SetPeerBandwidth;
import io.millrace.rtmp.control.StreamBegin;
import io.millrace.rtmp.control.SwfVerifyRequest;
import io.millrace.rtmp.control.SwfVerifyResponse;
import io.millrace.rtmp.control.UnknownUserControl;
import io.millrace.rtmp.control.UserControlEvent;
import io.millrace.rtmp.control.WindowAckSize;
import io.millrace.rtmp.handshake.HandshakeCompleteEvent;
import io.millrace.rtmp.handshake.SwfVerification;
import io.millrace.rtmp.message.RtmpMessage;
import io.millrace.server.config.ServerConfig;
import io.millrace.server.monitor.AccessLog;
import io.millrace.server.monitor.ClientStats;
import io.millrace.server.monitor.NetStreamStats;
import io.millrace.server.monitor.ServerMonitor;
import io.millrace.server.net.Addresses;
import io.millrace.server.net.FloodLog;
import io.millrace.server.net.InboundPacer;
import io.millrace.server.security.AccessControl;
import io.millrace.server.swf.SwfVerifier;
import io.millrace.server.swf.UserAgentException;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.traffic.ChannelTrafficShapingHandler;
import io.netty.handler.codec.DecoderException;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.ScheduledFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Objects;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One client connection: the NetConnection state machine (connect, calls, stream ids) and the
 * routing of NetStream commands to {@link NetStream}s. Runs entirely on the channel's event loop.
 */
public final class RtmpSession extends ChannelInboundHandlerAdapter {
    private static final Logger LOG = LoggerFactory.getLogger(RtmpSession.class);
    private static final AtomicLong IDS = new AtomicLong();

    public static final String FMS_VERSION = "3,5,7,7009";
    /** The pipeline names of the handlers that pace a limited connection: what it is sent, what it sends. */
    static final String SHAPER = "bandwidth-limit-out";
    static final String PACER = "bandwidth-limit-in";
    private static final long SHAPER_CHECK_MILLIS = 1000;
    private static final long SHAPER_MAX_DELAY_MILLIS = 500;

    /**
     * Commands a client may send while its connect waits (for SWF verification or a callback); they run, in
     * order, once it is accepted. One more is a protocol error (no real client sends anything before the
     * connect's answer).
     */
    static final int MAX_HELD_COMMANDS = 16;

    /**
     * AWAIT_SWF: connect received, SWF verification requested, the answer to connect held until the client's
     * proof (user control 27) or the timeout. CONNECTING: the same while the application's connect callback
     * decides.
     */
    private enum State { AWAIT_CONNECT, AWAIT_SWF, CONNECTING, CONNECTED, CLOSED }

    private final ServerConfig config;
    private final Applications applications;
    /** Null in unit tests without a server. */
    private final ServerMonitor monitor;
    /** Rate-limits the log lines about clients that fail before connect (a flood is logged in summary). */
    private final FloodLog floodLog;
    /** "rtmp", or "rtmps" behind TLS. */
    private String protocol = "rtmp";
    private ChunkStreamState chunkState = new ChunkStreamState();
    // Statistics: written on the event loop only, read by monitoring (volatile, single writer).
    private volatile long msgIn;
    private volatile long pingRttMillis = -1;
    private volatile long droppedAudioMsgs;
    private volatile long droppedVideoMsgs;
    private volatile long droppedAudioBytes;
    private volatile long droppedVideoBytes;
    private volatile long connectTimeMillis;
    private volatile NetStream[] streamSnapshot = new NetStream[0];
    private ScheduledFuture<?> pingTimer;
    /** Byte counters sampled once a second by the monitor: [in, out, nanos] per sample, oldest first. */
    private final long[][] samples = new long[ClientStats.BW_WINDOW_SECONDS + 1][];
    private int sampleCount;
    private final String clientId = Long.toString(IDS.incrementAndGet());
    private final Map<Integer, NetStream> streams = new LinkedHashMap<>();
    private final Map<Integer, Long> bufferLengths = new HashMap<>();
    private Channel channel;
    private State state = State.AWAIT_CONNECT;
    private Application application;
    private ConnectTarget target;
    private AmfEncoding encoding = AmfEncoding.AMF0;
    private String flashVer;
    private AmfObject connectProperties = new AmfObject();
    private int nextStreamId = 1;
    private long connectedAtNanos;
    private ScheduledFuture<?> connectTimeout;
    /** What the handshake handler reported (null in unit tests that do no handshake: a plain handshake then). */
    private HandshakeCompleteEvent handshake;
    /** While AWAIT_SWF: the connect being verified, its verifier, its timer and the commands that came after it. */
    private NetCommand.Connect heldConnect;
    private SwfVerifier heldVerifier;
    private ScheduledFuture<?> swfTimeout;
    private final ArrayDeque<NetCommand> heldCommands = new ArrayDeque<>();
    /** Publish and play callbacks this connection is waiting on (at most {@link #MAX_PENDING_CALLBACKS}). */
    private int pendingCallbacks;
    private static final int MAX_PENDING_CALLBACKS = 4;
    /** Transaction id of the server's next call that expects an answer (onBWCheck). */
    private double nextCallId = 1;
    /** Calls the application made to this client, waiting for its _result or _error, by transaction id. */
    private final Map<Double, java.util.concurrent.CompletableFuture<Object>> clientCalls = new HashMap<>();
    private static final int MAX_CLIENT_CALLS = 1024;
    /** The application instance this client connects to, and the client as the application sees it. */
    private io.millrace.server.app.AppInstance instance;
    private io.millrace.server.app.ClientHandle client;
    /** Whether the application accepted this client (it is one of the instance's clients until it leaves). */
    private boolean appAccepted;
    private BandwidthCheck bandwidthCheck;
    private AccessControl access = AccessControl.NONE;
    /** The user that passed the authmod=adobe challenge, or null. */
    private String adobeUser;
    /** The access log's disconnect status and context: how the connection ended. */
    private int closeStatus = 200;
    private String closeReason = "closed";
    /** Paces what this connection is sent, and what it sends, once it has had a limit that way; else null. */
    private ChannelTrafficShapingHandler shaper;
    private InboundPacer pacer;
    private volatile long bandwidthLimitOut;
    private volatile long bandwidthLimitIn;
    /** Idle timeout: when the client last sent something other than a PingResponse (System.nanoTime). */
    private long lastInboundNanos = System.nanoTime();
    /** ... when a check last found a stream playing or publishing, or 0. */
    private long lastBusyNanos;
    private ScheduledFuture<?> idleTimer;

    public RtmpSession(ServerConfig config, Applications applications) {
        this(config, applications, null);
    }

    public RtmpSession(ServerConfig config, Applications applications, ServerMonitor monitor) {
        this(config, applications, monitor, FloodLog.UNLIMITED);
    }

    public RtmpSession(ServerConfig config, Applications applications, ServerMonitor monitor, FloodLog floodLog) {
        this.config = config;
        this.applications = applications;
        this.monitor = monitor;
        this.floodLog = floodLog;
    }

    // ---- what applications and streams use -------------------------------------------------

    public Channel channel() {
        return channel;
    }

    public String clientId() {
        return clientId;
    }

    public ConnectTarget target() {
        return target;
    }

    public ServerConfig config() {
        return config;
    }

    /** "rtmp", or "rtmps" for a connection behind TLS (the RTMPS listener). */
    public String protocol() {
        return protocol;
    }

    /** "ip:port" of the client. */
    public String remote() {
        return Addresses.describe(channel == null ? null : channel.remoteAddress());
    }

    /** 0 or 3: the object encoding the client asked for. */
    public int objectEncoding() {
        return encoding.objectEncoding();
    }

    /** The connect command's properties (app, flashVer, swfUrl, tcUrl, pageUrl, ...), as the client sent them. */
    public AmfObject connectProperties() {
        return connectProperties;
    }

    /** "client 1.2.3.4:5678 app=vod/_definst_", the prefix of every log line about this client. */
    public String describe() {
        return "client " + clientId + " " + remote() + (target != null ? " app=" + target.appInstance() : "");
    }

    /** Answers a call with {@code _result}, unless the client sent transaction id 0 (no answer wanted). */
    public void reply(double transactionId, Object value) {
        if (transactionId != 0) {
            channel.writeAndFlush(Command.of("_result", transactionId, null, value));
        }
    }

    /** Answers a call with {@code _error} and NetConnection.Call.Failed. */
    public void replyCallFailed(double transactionId, String description) {
        channel.writeAndFlush(Command.of("_error", transactionId, null,
                NetConnectionStatus.CALL_FAILED.info(description)));
    }

    /** Calls a method on the client, with no answer expected (transaction id 0). */
    public void callClient(String method, Object... args) {
        channel.writeAndFlush(Command.of(method, 0, null, args));
    }

    /** {@link #callClient} from any thread: dropped once the client is no longer connected. */
    public void callClientAnyThread(String method, Object[] args) {
        channel.eventLoop().execute(() -> {
            if (state == State.CONNECTED && channel.isActive()) {
                callClient(method, args);
            }
        });
    }

    /**
     * Calls a method on the client and waits for its answer (any thread): the future completes with the value
     * of its {@code _result}, or with {@link io.millrace.api.CallFailedException} on {@code _error}, when the
     * client leaves first, or when it already has {@value #MAX_CLIENT_CALLS} calls unanswered.
     */
    public java.util.concurrent.CompletableFuture<Object> callWithAnswer(String method, Object[] args) {
        java.util.concurrent.CompletableFuture<Object> f = new java.util.concurrent.CompletableFuture<>();
        channel.eventLoop().execute(() -> {
            if (state != State.CONNECTED || !channel.isActive()) {
                f.completeExceptionally(new io.millrace.api.CallFailedException(
                        "client " + clientId + " is not connected", null));
                return;
            }
            if (clientCalls.size() >= MAX_CLIENT_CALLS) {
                f.completeExceptionally(new io.millrace.api.CallFailedException("client " + clientId + " has "
                        + MAX_CLIENT_CALLS + " calls unanswered", null));
                return;
            }
            double id = nextCallId++;
            clientCalls.put(id, f);
            channel.writeAndFlush(Command.of(method, id, null, args));
        });
        return f;
    }

    private void onClientAnswer(NetCommand.Result r) {
        java.util.concurrent.CompletableFuture<Object> f = clientCalls.remove(r.transactionId());
        if (r.error()) {
            Object info = r.values().stream().filter(v -> v instanceof Map).findFirst().orElse(null);
            String description = info instanceof AmfObject o && o.getString("description") != null
                    ? o.getString("description") : info instanceof AmfObject o2 && o2.getString("code") != null
                    ? o2.getString("code") : "the client answered _error";
            Object details;
            try {
                details = io.millrace.server.app.AmfValues.toJava(info);
            } catch (IllegalArgumentException e) {
                details = null; // the description is what matters; an absurd info object is dropped
            }
            f.completeExceptionally(new io.millrace.api.CallFailedException(description, details));
        } else {
            Object v = r.values().size() > 1 ? r.values().get(1) : null;
            try {
                f.complete(io.millrace.server.app.AmfValues.toJava(v));
            } catch (IllegalArgumentException e) {
                f.completeExceptionally(new io.millrace.api.CallFailedException("unreadable answer: " + e.getMessage(), null));
            }
        }
    }

    /**
     * The application instance was unloaded (reload, idle, server stop): NetConnection.Connect.AppShutdown, then
     * the connection is closed. Any thread.
     */
    public void appShutdown(String description) {
        channel.eventLoop().execute(() -> {
            appAccepted = false; // the instance has let go of this client already
            if (!channel.isActive() || state == State.CLOSED) {
                return;
            }
            LOG.info("closing {}: {}", describe(), description);
            closedBecause(503, "application shut down");
            AmfObject info = NetConnectionStatus.CONNECT_APP_SHUTDOWN.info(description);
            channel.writeAndFlush(Command.of("onStatus", 0, null, info)).addListener(ChannelFutureListener.CLOSE);
        });
    }

    /** Closes the connection because the application said so. Any thread. */
    public void disconnectByApplication() {
        channel.eventLoop().execute(() -> {
            if (channel.isActive()) {
                LOG.info("disconnect {}: by the application", describe());
                closedBecause(200, "disconnected by the application");
                channel.close();
            }
        });
    }

    /** An onStatus command on a NetStream's message stream, with FMS's details and clientid. */
    public Command status(int streamId, Status status, String description, String details) {
        AmfObject info = status.info(description);
        if (details != null) {
            info.put("details", details);
        }
        info.put("clientid", clientId);
        return Command.of("onStatus", 0, null, info).onStream(streamId);
    }

    /** Sends a data message (always AMF0, as FMS sends file data and notifications). */
    public void write(DataMessage data) {
        channel.write(data);
    }

    /** The buffer length the client announced for a stream (SetBufferLength), or the configured default. */
    public long bufferLength(int streamId) {
        Long v = bufferLengths.get(streamId);
        return v != null ? v : config.vod().defaultBufferMillis();
    }

    // ---- channel events ---------------------------------------------------------------------

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        channel = ctx.channel();
        if (ctx.pipeline().get(SslHandler.class) != null) {
            protocol = "rtmps";
        }
        if (ctx.pipeline().get(PipelineNames.CHUNK_DECODER) instanceof ChunkDecoder d) {
            chunkState = d.state();
        }
        ServerConfig.Clients limits = config.clients();
        applyBandwidthLimit(limits.bandwidthLimitOut(), limits.bandwidthLimitIn());
    }

    // ---- statistics -------------------------------------------------------------------------

    /** The client's IP address (without the port). */
    public String ip() {
        java.net.InetAddress a = remoteAddress();
        return a == null ? "" : a.getHostAddress();
    }

    /** Frames a live viewer's queue dropped (it could not keep up). Event loop only. */
    public void countDropped(int audioMsgs, long audioBytes, int videoMsgs, long videoBytes) {
        droppedAudioMsgs += audioMsgs;
        droppedAudioBytes += audioBytes;
        droppedVideoMsgs += videoMsgs;
        droppedVideoBytes += videoBytes;
    }

    /** Called by the monitor's sampler once a second (its thread only). */
    public void sampleBandwidth(long nanos) {
        long[] s = {chunkState.bytesReceived(), chunkState.bytesSent(), nanos};
        synchronized (samples) {
            if (sampleCount == samples.length) {
                System.arraycopy(samples, 1, samples, 0, samples.length - 1);
                sampleCount--;
            }
            samples[sampleCount++] = s;
        }
    }

    /** Bytes per second each way ([in, out]) between the oldest and the newest sample. */
    private long[] bandwidth() {
        synchronized (samples) {
            if (sampleCount < 2) {
                return new long[] {0, 0};
            }
            long[] a = samples[0];
            long[] b = samples[sampleCount - 1];
            double seconds = (b[2] - a[2]) / 1e9;
            return new long[] {Math.round((b[0] - a[0]) / seconds), Math.round((b[1] - a[1]) / seconds)};
        }
    }

    /** NetStreams playing or publishing now. Any thread. */
    public int activeStreamCount() {
        int n = 0;
        for (NetStream s : streamSnapshot) {
            if (s.stats() != null) {
                n++;
            }
        }
        return n;
    }

    /** What this client's NetStreams play or publish. Any thread. */
    public List<NetStreamStats> netStreamStats() {
        List<NetStreamStats> out = new ArrayList<>();
        for (NetStream s : streamSnapshot) {
            NetStreamStats n = s.stats();
            if (n != null) {
                out.add(n);
            }
        }
        return out;
    }

    /** FMS's Client.getStats() figures and who the client is. Any thread. */
    public ClientStats stats() {
        long[] bw = bandwidth();
        long queued = 0;
        Channel ch = channel;
        if (ch != null && ch.unsafe().outboundBuffer() != null) {
            queued = ch.unsafe().outboundBuffer().totalPendingWriteBytes();
        }
        InetSocketAddress remote = ch != null && ch.remoteAddress() instanceof InetSocketAddress a ? a : null;
        ConnectTarget t = target;
        long dropped = droppedAudioMsgs + droppedVideoMsgs;
        long[] q = new long[4];
        for (NetStream s : streamSnapshot) {
            s.queueFigures(q);
        }
        return new ClientStats(clientId, t == null ? null : t.app(), t == null ? null : t.instance(),
                remote == null ? "" : remote.getAddress().getHostAddress(), remote == null ? 0 : remote.getPort(),
                protocol, flashVer, connectProperties.getString("swfUrl"), connectProperties.getString("pageUrl"),
                connectProperties.getString("tcUrl"), encoding.objectEncoding(), connectTimeMillis,
                chunkState.bytesReceived(), chunkState.bytesSent(), msgIn, chunkState.messagesSent(), dropped,
                pingRttMillis, bw[0], bw[1], q[0], q[1], q[2], q[3], queued, droppedAudioMsgs, droppedVideoMsgs,
                droppedAudioBytes, droppedVideoBytes, bandwidthLimitIn, bandwidthLimitOut, streamSnapshot.length);
    }

    /**
     * FMS's {@code Client.setBandwidthLimit}: the most this client may be sent ({@code out}, server to client)
     * and may send ({@code in}), in bytes per second; 0 removes a limit, a negative value keeps the one set.
     * Enforced by pacing the socket: writes wait (and the connection counts as not writable, so playback and
     * live fan-out hold back as they do for a slow client) and reads pause. Any thread.
     */
    public void setBandwidthLimit(long out, long in) {
        Channel ch = channel;
        if (ch != null) {
            ch.eventLoop().execute(() -> {
                if (ch.isActive()) { // a closed channel's pipeline would still start the shaper's timer
                    applyBandwidthLimit(out < 0 ? bandwidthLimitOut : out, in < 0 ? bandwidthLimitIn : in);
                }
            });
        }
    }

    private void applyBandwidthLimit(long out, long in) {
        if (shaper != null && out == 0) {
            channel.pipeline().remove(shaper); // writes out what it held; no timer left ticking
            shaper = null;
        } else if (shaper != null) {
            shaper.configure(out, 0);
        } else if (out > 0) {
            shaper = new ChannelTrafficShapingHandler(out, 0, SHAPER_CHECK_MILLIS);
            // Hold back at most about what the socket may hold, and not for long: beyond that the
            // connection is not writable, which is what the senders above wait on.
            shaper.setMaxWriteSize(config.rtmp().writeBufferHighWaterMark());
            shaper.setMaxWriteDelay(SHAPER_MAX_DELAY_MILLIS);
            channel.pipeline().addFirst(SHAPER, shaper);
        }
        if (pacer != null) {
            pacer.setRate(in);
        } else if (in > 0) {
            pacer = new InboundPacer(in);
            channel.pipeline().addFirst(PACER, pacer);
        }
        boolean changed = out != bandwidthLimitOut || in != bandwidthLimitIn;
        bandwidthLimitOut = out;
        bandwidthLimitIn = in;
        if (changed && state == State.CONNECTED) {
            LOG.info("bandwidth limit {}: out {} B/s, in {} B/s (0: none)", describe(), out, in);
        }
    }

    /** Records why the connection is about to close, for the access log's disconnect line (the first reason wins). */
    public void closedBecause(int status, String reason) {
        if (closeStatus == 200 && "closed".equals(closeReason)) {
            closeStatus = status;
            closeReason = reason;
        }
    }

    /**
     * An access log line about this client with its session fields filled in: application, instance, client
     * address, protocol, URI (tcUrl, its stem and query), referrer (the SWF's URL, FMS's Client.referrer),
     * user agent (flashVer), client id and the bytes each way so far.
     */
    public AccessLog.Entry accessEntry(String event, String category) {
        AccessLog log = accessLog();
        ConnectTarget t = target;
        String tcUrl = connectProperties.getString("tcUrl");
        int q = tcUrl == null ? -1 : tcUrl.indexOf('?');
        return log.entry(event, category)
                .set(AccessLog.Field.X_APP, t == null ? null : t.app())
                .set(AccessLog.Field.X_APPINST, t == null ? null : t.instance())
                .set(AccessLog.Field.C_IP, ip())
                .set(AccessLog.Field.C_PROTO, protocol)
                .set(AccessLog.Field.S_URI, tcUrl)
                .set(AccessLog.Field.CS_URI_STEM, q < 0 ? tcUrl : tcUrl.substring(0, q))
                .set(AccessLog.Field.CS_URI_QUERY, q < 0 ? null : tcUrl.substring(q + 1))
                .set(AccessLog.Field.C_REFERRER, connectProperties.getString("swfUrl"))
                .set(AccessLog.Field.C_USER_AGENT, flashVer)
                .set(AccessLog.Field.C_CLIENT_ID, clientId)
                .set(AccessLog.Field.CS_BYTES, chunkState.bytesReceived())
                .set(AccessLog.Field.SC_BYTES, chunkState.bytesSent());
    }

    /** Writes an access log line (nothing when the access log is off). */
    public void access(AccessLog.Entry entry) {
        accessLog().write(entry);
    }

    private AccessLog accessLog() {
        return monitor == null ? AccessLog.OFF : monitor.accessLog();
    }

    /** Closes the connection (admin kick). Any thread. */
    public void kick() {
        Channel ch = channel;
        if (ch != null) {
            ch.eventLoop().execute(() -> {
                if (ch.isActive()) {
                    LOG.info("kick {}: closed by the administrator", describe());
                    closedBecause(403, "kicked");
                    ch.close();
                }
            });
        }
    }

    private void startPings() {
        long interval = config.rtmp().pingIntervalMillis();
        if (interval <= 0) {
            return;
        }
        pingTimer = channel.eventLoop().scheduleAtFixedRate(this::ping, interval, interval, TimeUnit.MILLISECONDS);
    }

    /**
     * Sends a PingRequest, except to a client that is publishing: ffmpeg's publisher reads what the server
     * sends only between its writes and closes its socket without reading the rest, and a socket closed with
     * unread data is reset at once, which throws away the tail of the stream still in its send queue (seen:
     * the last 5 audio frames and the FCUnpublish of the bundled sample, in every run with a 1 s interval).
     * A publisher's RTT is the kernel's smoothed TCP round-trip time instead, where the transport gives it.
     */
    private void ping() {
        if (!channel.isActive()) {
            return;
        }
        if (!isPublishing()) {
            channel.writeAndFlush(new PingRequest(nowMillis32()));
        } else if (channel instanceof EpollSocketChannel epoll) {
            long micros = epoll.tcpInfo().rtt();
            if (micros > 0) {
                pingRttMillis = (micros + 500) / 1000;
            }
        }
    }

    /**
     * FMS's AutoCloseIdleClients: a client that has sent nothing but PingResponses and has had no stream
     * playing or publishing for {@code rtmp.idleTimeoutMillis} gets NetConnection.Connect.IdleTimeout and is
     * closed. A viewer that only receives is busy, not idle; so is a publisher.
     */
    private void startIdleTimer() {
        long timeout = config.rtmp().idleTimeoutMillis();
        if (timeout > 0) {
            scheduleIdleCheck(TimeUnit.MILLISECONDS.toNanos(timeout));
        }
    }

    private void scheduleIdleCheck(long delayNanos) {
        idleTimer = channel.eventLoop().schedule(this::checkIdle, delayNanos, TimeUnit.NANOSECONDS);
    }

    private void checkIdle() {
        if (state != State.CONNECTED || !channel.isActive()) {
            return;
        }
        long timeout = TimeUnit.MILLISECONDS.toNanos(config.rtmp().idleTimeoutMillis());
        long now = System.nanoTime();
        if (activeStreamCount() > 0) {
            lastBusyNanos = now;
            scheduleIdleCheck(timeout);
            return;
        }
        if (lastBusyNanos != 0) {
            // Busy at the last check, so idle since some time after it: count from now, never too early.
            lastBusyNanos = 0;
            lastInboundNanos = Math.max(lastInboundNanos, now);
        }
        long idle = now - lastInboundNanos;
        if (idle < timeout) {
            scheduleIdleCheck(timeout - idle);
            return;
        }
        LOG.info("closing {}: idle for {} s: nothing received and no stream playing or publishing"
                + " (rtmp.idleTimeoutMillis)", describe(), String.format(java.util.Locale.ROOT, "%.1f", idle / 1e9));
        closedBecause(408, "idle timeout");
        channel.writeAndFlush(Command.of("onStatus", 0, null, NetConnectionStatus.CONNECT_IDLE_TIMEOUT.info(
                "Connection closed: idle for more than " + config.rtmp().idleTimeoutMillis() / 1000.0 + " s.")))
                .addListener(ChannelFutureListener.CLOSE);
    }

    private boolean isPublishing() {
        for (NetStream s : streamSnapshot) {
            if (s.publishing() != null) {
                return true;
            }
        }
        return false;
    }

    private static long nowMillis32() {
        return (System.nanoTime() / 1_000_000) & 0xFFFFFFFFL;
    }

    /** The connect timer starts once the handshake is done (the handshake has its own timeout). */
    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt instanceof HandshakeCompleteEvent h) {
            handshake = h;
        }
        if (evt instanceof HandshakeCompleteEvent && connectTimeout == null) {
            connectTimeout = ctx.executor().schedule(() -> {
                if (state == State.AWAIT_CONNECT && channel.isActive()) {
                    floodLog.info(LOG, "connect timeout", "closing {}: no connect command within {} ms", describe(),
                            config.rtmp().connectTimeoutMillis());
                    channel.close();
                }
            }, config.rtmp().connectTimeoutMillis(), TimeUnit.MILLISECONDS);
        }
        ctx.fireUserEventTriggered(evt);
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        try {
            if (state == State.CLOSED) {
                return;
            }
            msgIn++;
            if (!(msg instanceof PingResponse)) {
                lastInboundNanos = System.nanoTime();
            }
            if (msg instanceof NetCommand cmd) {
                onCommand(cmd);
            } else if (msg instanceof UserControlEvent event) {
                onUserControl(event);
            } else if (msg instanceof io.millrace.rtmp.so.SharedObjectMessage so) {
                if (state == State.CONNECTED && appAccepted) {
                    instance.sharedObjectMessage(client, so);
                } else {
                    LOG.debug("{}: shared object message {} before connect; ignored", describe(), so.name());
                }
            } else if (msg instanceof DataMessage data) {
                NetStream s = state == State.CONNECTED ? streams.get(data.streamId()) : null;
                if (s != null) {
                    s.onData(data);
                } else {
                    LOG.debug("{}: ignoring data message {} on stream {}", describe(), data.name(), data.streamId());
                }
            } else if (msg instanceof RtmpMessage raw) {
                NetStream s = state == State.CONNECTED && isMedia(raw.typeId()) ? streams.get(raw.streamId()) : null;
                if (s != null) {
                    s.onMedia(raw);
                } else {
                    LOG.debug("{}: ignoring {} (this application does not take it)", describe(), raw);
                }
            }
        } finally {
            ReferenceCountUtil.release(msg);
        }
    }

    private static boolean isMedia(int typeId) {
        return typeId == io.millrace.rtmp.message.MessageType.AUDIO || typeId == io.millrace.rtmp.message.MessageType.VIDEO
                || typeId == io.millrace.rtmp.message.MessageType.AGGREGATE;
    }

    /** A publisher's read is done: what it brought may go out to the viewers now (one write per viewer per read). */
    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        if (state == State.CONNECTED) {
            for (NetStream s : streams.values()) {
                s.onReadComplete();
            }
        }
        ctx.fireChannelReadComplete();
    }

    /** This connection's NetStreams, in the order they were created (a read-only view). */
    public java.util.Collection<NetStream> streams() {
        return java.util.Collections.unmodifiableCollection(streams.values());
    }

    /** The NetStream with this id, or null. */
    public NetStream stream(int id) {
        return streams.get(id);
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        if (channel.isWritable()) {
            for (NetStream s : streams.values()) {
                s.onWritable();
            }
        }
        ctx.fireChannelWritabilityChanged();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        if (connectTimeout != null) {
            connectTimeout.cancel(false);
        }
        if (swfTimeout != null) {
            swfTimeout.cancel(false);
        }
        if (state == State.AWAIT_SWF) {
            LOG.debug("{}: connection closed before the answer to the SWF verification request", describe());
            heldCommands.clear();
        }
        if (pingTimer != null) {
            pingTimer.cancel(false);
        }
        if (idleTimer != null) {
            idleTimer.cancel(false);
        }
        if (bandwidthCheck != null) {
            bandwidthCheck.abandon();
        }
        boolean wasConnected = state == State.CONNECTED;
        state = State.CLOSED;
        if (!clientCalls.isEmpty()) {
            io.millrace.api.CallFailedException gone = new io.millrace.api.CallFailedException(
                    "client " + clientId + " disconnected before answering", null);
            clientCalls.values().forEach(f -> f.completeExceptionally(gone));
            clientCalls.clear();
        }
        for (NetStream s : streams.values()) {
            s.close("disconnect");
        }
        streams.clear();
        streamSnapshot = new NetStream[0];
        if (wasConnected) {
            access(accessEntry("disconnect", "session").set(AccessLog.Field.X_STATUS, closeStatus)
                    .set(AccessLog.Field.X_CTX, closeReason)
                    .set(AccessLog.Field.X_DURATION, (System.nanoTime() - connectedAtNanos) / 1_000_000_000L));
            if (monitor != null) {
                monitor.disconnected(this);
            }
            application.onDisconnect(this);
            if (appAccepted) {
                appAccepted = false;
                instance.clientLeft(client);
            }
            LOG.info("disconnect {} after {} s", describe(),
                    String.format("%.1f", (System.nanoTime() - connectedAtNanos) / 1e9));
        }
        ctx.fireChannelInactive();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        Throwable c = cause instanceof DecoderException && cause.getCause() != null ? cause.getCause() : cause;
        if (c instanceof IOException) {
            LOG.debug("{}: connection error: {}", describe(), c.getMessage());
            closedBecause(408, "connection error");
        } else if (c instanceof RtmpProtocolException || c instanceof io.millrace.amf.AmfException) {
            if (state == State.CONNECTED) {
                LOG.warn("closing {}: protocol error: {}", describe(), c.getMessage());
            } else {
                // Before connect anyone can cause this by the thousand (a handshake flood): rate-limited.
                floodLog.warn(LOG, "protocol error before connect", "closing {}: protocol error: {}", describe(),
                        c.getMessage());
            }
            closedBecause(400, "protocol error");
        } else if (c instanceof java.util.concurrent.RejectedExecutionException) {
            // The application instance has too much waiting (SerialExecutor.MAX_QUEUED): this client goes.
            LOG.warn("closing {}: the application is overloaded: {}", describe(), c.getMessage());
            closedBecause(503, "application overloaded");
        } else {
            LOG.error("closing {}: internal error", describe(), c);
            closedBecause(500, "internal error");
        }
        ctx.close();
    }

    // ---- commands ---------------------------------------------------------------------------

    private void onCommand(NetCommand cmd) {
        if (state == State.AWAIT_SWF || state == State.CONNECTING) {
            if (heldCommands.size() >= MAX_HELD_COMMANDS) {
                throw new RtmpProtocolException("more than " + MAX_HELD_COMMANDS
                        + " commands while the connect waits for " + (state == State.AWAIT_SWF
                        ? "SWF verification" : "the application's callback"));
            }
            heldCommands.add(cmd);
            return;
        }
        if (state == State.CLOSED) {
            return;
        }
        if (state == State.AWAIT_CONNECT) {
            if (cmd instanceof NetCommand.Connect connect) {
                onConnect(connect);
            } else {
                throw new RtmpProtocolException("command before connect: " + cmd.getClass().getSimpleName());
            }
            return;
        }
        // Java 17: an instanceof chain over the sealed NetCommand hierarchy (no pattern switch yet).
        if (cmd instanceof NetCommand.Connect c) {
            replyCallFailed(c.transactionId(), "Already connected.");
        } else if (cmd instanceof NetCommand.CreateStream c) {
            onCreateStream(c);
        } else if (cmd instanceof NetCommand.DeleteStream c) {
            onDeleteStream(c.targetStreamId());
        } else if (cmd instanceof NetCommand.CloseStream c) {
            withStream(c.streamId(), "closeStream", s -> s.stop("closeStream"));
        } else if (cmd instanceof NetCommand.Play c) {
            withStream(c.streamId(), "play", s -> s.play(c));
        } else if (cmd instanceof NetCommand.Publish c) {
            withStream(c.streamId(), "publish", s -> s.publish(c));
        } else if (cmd instanceof NetCommand.Seek c) {
            withStream(c.streamId(), "seek", s -> s.seek(c.milliseconds()));
        } else if (cmd instanceof NetCommand.Pause c) {
            withStream(c.streamId(), "pause", s -> s.pause(c.pause(), c.milliseconds()));
        } else if (cmd instanceof NetCommand.ReceiveAudio c) {
            withStream(c.streamId(), "receiveAudio", s -> s.receiveAudio(c.receive()));
        } else if (cmd instanceof NetCommand.ReceiveVideo c) {
            withStream(c.streamId(), "receiveVideo", s -> s.receiveVideo(c.receive()));
        } else if (cmd instanceof NetCommand.Result r) {
            if (bandwidthCheck != null && bandwidthCheck.owns(r.transactionId())) {
                bandwidthCheck.onAnswer(r.transactionId());
            } else if (clientCalls.containsKey(r.transactionId())) {
                onClientAnswer(r);
            } else {
                LOG.debug("{}: client answered transaction {}", describe(), r.transactionId());
            }
        } else if (cmd instanceof NetCommand.Close) {
            LOG.debug("{}: client sent close", describe());
            channel.close();
        } else if (cmd instanceof NetCommand.Call c) {
            onCall(c);
        }
    }

    private void onConnect(NetCommand.Connect connect) {
        if (connectTimeout != null) {
            connectTimeout.cancel(false);
        }
        connectProperties = connect.properties();
        target = ConnectTarget.parse(connect.app(), connect.tcUrl());
        flashVer = connect.flashVer();
        encoding = connect.objectEncoding() == 3 ? AmfEncoding.AMF3 : AmfEncoding.AMF0;
        CommandEncoder encoder = (CommandEncoder) channel.pipeline().get(PipelineNames.COMMAND_ENCODER);
        if (encoder != null) {
            encoder.setEncoding(encoding);
        }
        application = applications.find(target.app()).orElse(null);
        if (application == null) {
            AmfObject info = NetConnectionStatus.CONNECT_INVALID_APP.info(
                    "Application '" + target.app() + "' is not defined on this server.");
            info.put("objectEncoding", (double) encoding.objectEncoding());
            LOG.info("reject {} flashVer={}: InvalidApp ({})", describe(), flashVer, target.app());
            access(accessEntry("connect", "session").set(AccessLog.Field.X_STATUS, 404)
                    .set(AccessLog.Field.X_COMMENT, "InvalidApp"));
            state = State.CLOSED;
            if (monitor != null) {
                monitor.rejected(target.app());
            }
            channel.writeAndFlush(Command.of("_error", connect.transactionId(), null, info))
                    .addListener(ChannelFutureListener.CLOSE);
            return;
        }
        access = applications.access(target.app());
        AccessControl.Verdict v = access.connect(remoteAddress(), target.query(), flashVer,
                connectProperties.getString("pageUrl"), connectProperties.getString("swfUrl"), System.currentTimeMillis());
        if (!v.allowed()) {
            rejectConnect(connect, v.reason(), v.description(), v.status());
            return;
        }
        adobeUser = v.user();
        SwfVerifier swf = applications.swfVerifier(target.app());
        if (swf != null) {
            UserAgentException exempt = swf.exemption(flashVer);
            if (exempt != null) {
                LOG.debug("{}: flashVer {} is exempt from SWF verification ({})", describe(), flashVer, exempt);
            } else if (handshake == null || !handshake.digest()) {
                rejectConnect(connect, "SWF verification needs the digest handshake",
                        "Connection rejected: application '" + target.app() + "' requires SWF verification, which "
                                + "needs the digest (Flash Player 9 and later) handshake, and this client did the "
                                + "plain handshake.", 403);
                return;
            } else {
                awaitSwf(connect, swf);
                return;
            }
        }
        afterChecks(connect);
    }

    /**
     * The last step before a connect is accepted: the application's connect callback, when it has one, which
     * holds the connect (and the client's next commands) until it answers.
     */
    private void afterChecks(NetCommand.Connect connect) {
        if (access.callback(AccessControl.Action.CONNECT) == null) {
            askApplication(connect);
            return;
        }
        state = State.CONNECTING;
        access.ask(AccessControl.Action.CONNECT, callbackFields("connect", null)).thenAccept(d ->
                channel.eventLoop().execute(() -> {
                    if (state != State.CONNECTING || !channel.isActive()) {
                        return;
                    }
                    if (d.allowed()) {
                        askApplication(connect);
                    } else {
                        rejectConnect(connect, d.reason(), "Connection rejected by the application.", 403);
                    }
                }));
    }

    /** Instance names: path segments of letters, digits, '_', '-' and '.', none of them "." or "..". */
    private static final java.util.regex.Pattern INSTANCE_NAME =
            java.util.regex.Pattern.compile("(?!\\.{1,2}(/|$))[A-Za-z0-9_.-]{1,64}(/(?!\\.{1,2}(/|$))[A-Za-z0-9_.-]{1,64}){0,3}");

    /**
     * The application's onConnect, on its instance's thread; the connect (and the commands behind it) wait in
     * CONNECTING for its decision: accept, reject with a description and an application object, or redirect.
     */
    private void askApplication(NetCommand.Connect connect) {
        if (!INSTANCE_NAME.matcher(target.instance()).matches()) {
            rejectConnect(connect, "bad instance name", "Connection rejected: '" + target.instance()
                    + "' is not an instance name.", 400);
            return;
        }
        io.millrace.server.app.AppInstance i = applications.host(target.app()).acquire(target.instance());
        if (i == null) {
            rejectConnect(connect, "application not taking connections", "Connection rejected: application '"
                    + target.app() + "' is not taking connections now (stopping, or too many instances).", 503);
            return;
        }
        io.millrace.server.app.ClientHandle handle;
        try {
            handle = new io.millrace.server.app.ClientHandle(this, i, connect.extraArguments());
        } catch (IllegalArgumentException e) {
            i.connectAbandoned();
            rejectConnect(connect, "bad connect arguments", "Connection rejected: the connect arguments cannot be"
                    + " taken (" + e.getMessage() + ").", 400);
            return;
        }
        state = State.CONNECTING;
        instance = i;
        client = handle;
        i.connect(client, outcome -> {
            if (channel.eventLoop().inEventLoop()) {
                connectDecided(connect, outcome); // decided at once (no application code)
            } else {
                channel.eventLoop().execute(() -> connectDecided(connect, outcome));
            }
        });
    }

    private void connectDecided(NetCommand.Connect connect, io.millrace.server.app.Decisions.Outcome outcome) {
        boolean accepted = outcome instanceof io.millrace.server.app.Decisions.Accept;
        if (state != State.CONNECTING || !channel.isActive()) {
            if (accepted) {
                instance.clientLeft(client); // it went while the application decided
            }
            return;
        }
        if (accepted) {
            appAccepted = true;
            try {
                accept(connect);
                releaseHeldCommands();
            } catch (RuntimeException e) {
                channel.pipeline().fireExceptionCaught(e);
            }
        } else if (outcome instanceof io.millrace.server.app.Decisions.Reject r) {
            rejectConnect(connect, "rejected by the application", r.description(), 403, r.application(), null);
        } else if (outcome instanceof io.millrace.server.app.Decisions.Redirect r) {
            rejectConnect(connect, "redirected to " + r.uri(), r.description(), 302, null, r.uri());
        }
    }

    private void releaseHeldCommands() {
        while (!heldCommands.isEmpty() && state == State.CONNECTED) {
            onCommand(heldCommands.poll());
        }
        heldCommands.clear();
    }
    /** Asks for the client's SWF proof (user control 26, type 1) and holds the connect until it comes. */
    private void awaitSwf(NetCommand.Connect connect, SwfVerifier swf) {
        state = State.AWAIT_SWF;
        heldConnect = connect;
        heldVerifier = swf;
        channel.writeAndFlush(new SwfVerifyRequest());
        long timeout = swf.timeoutMillis();
        swfTimeout = channel.eventLoop().schedule(() -> {
            if (state == State.AWAIT_SWF && channel.isActive()) {
                swfFailed("no answer to the SWF verification request within " + timeout + " ms");
            }
        }, timeout, TimeUnit.MILLISECONDS);
    }

    /** The client's answer to the SWF verification request: well formed (42 bytes) or not (null data). */
    private void onSwfResponse(byte[] data, int length) {
        if (state != State.AWAIT_SWF) {
            LOG.debug("{}: SWF verification response that nobody asked for; ignored", describe());
            return;
        }
        swfTimeout.cancel(false);
        SwfVerifier.Result r = data != null ? heldVerifier.verify(data, handshake.swfVerificationKey())
                : new SwfVerifier.Result(null, "malformed response (" + length + " bytes, not "
                        + SwfVerification.RESPONSE_LENGTH + ")");
        if (!r.passed()) {
            swfFailed(r.reason());
            return;
        }
        LOG.debug("{}: SWF verification passed ({})", describe(), r.matched().file().getFileName());
        NetCommand.Connect connect = heldConnect;
        heldConnect = null;
        heldVerifier = null;
        afterChecks(connect);
    }

    private void swfFailed(String reason) {
        NetCommand.Connect connect = heldConnect;
        heldConnect = null;
        heldVerifier = null;
        heldCommands.clear();
        rejectConnect(connect, "SWF verification failed", "SWF verification failed: " + reason + ".", 403);
    }

    /**
     * Answers connect with {@code _error} NetConnection.Connect.Rejected and closes: one log line naming the
     * client, its flashVer, swfUrl and pageUrl, and an access log {@code connect} with the status (401 for
     * authentication, 403 for the rest, FMS's "connection rejected by access module").
     */
    private void rejectConnect(NetCommand.Connect connect, String comment, String description, int status) {
        rejectConnect(connect, comment, description, status, null, null);
    }

    /**
     * @param application what the client gets in the info object's {@code application} property (FMS's
     *                    {@code rejectConnection(client, obj)}), or null
     * @param redirect    where the client should go instead ({@code ex.code} 302, {@code ex.redirect}), or null
     */
    private void rejectConnect(NetCommand.Connect connect, String comment, String description, int status,
                               Object application, String redirect) {
        AmfObject info = NetConnectionStatus.CONNECT_REJECTED.info(description);
        info.put("objectEncoding", (double) encoding.objectEncoding());
        if (application != null) {
            try {
                info.put("application", io.millrace.server.app.AmfValues.toAmf(application));
            } catch (IllegalArgumentException e) {
                LOG.warn("{}: the rejection's application object cannot be sent: {}", describe(), e.getMessage());
            }
        }
        if (redirect != null) {
            info.put("ex", AmfObject.of("code", 302.0, "redirect", redirect));
        }
        String swfUrl = connectProperties.getString("swfUrl");
        String pageUrl = connectProperties.getString("pageUrl");
        // INFO: a rejection is policy at work (the authmod=adobe challenge rejects twice on its normal path).
        String detail = description.startsWith(comment) ? description
                : description.startsWith("[ AccessManager") ? comment : comment + " (told: " + description + ")";
        LOG.info("reject {} flashVer={} swfUrl={} pageUrl={}: {}", describe(), flashVer,
                swfUrl == null || swfUrl.isEmpty() ? "-" : swfUrl, pageUrl == null || pageUrl.isEmpty() ? "-" : pageUrl,
                detail);
        access(accessEntry("connect", "session").set(AccessLog.Field.X_STATUS, status)
                .set(AccessLog.Field.X_COMMENT, comment));
        state = State.CLOSED;
        heldCommands.clear();
        if (monitor != null) {
            monitor.rejected(target.app());
        }
        channel.writeAndFlush(Command.of("_error", connect.transactionId(), null, info))
                .addListener(ChannelFutureListener.CLOSE);
    }

    /** The fields of an HTTP callback about this client (nginx-rtmp's names), plus the stream's when there is one. */
    Map<String, String> callbackFields(String call, String name) {
        Map<String, String> f = new java.util.LinkedHashMap<>();
        f.put("call", call);
        f.put("app", target.app());
        f.put("instance", target.instance());
        if (name != null) {
            int q = name.indexOf('?');
            f.put("name", q < 0 ? name : name.substring(0, q));
            f.put("args", q < 0 ? "" : name.substring(q + 1));
        }
        f.put("addr", ip());
        f.put("clientid", clientId);
        f.put("flashver", flashVer == null ? "" : flashVer);
        f.put("swfurl", Objects.toString(connectProperties.getString("swfUrl"), ""));
        f.put("tcurl", Objects.toString(connectProperties.getString("tcUrl"), ""));
        f.put("pageurl", Objects.toString(connectProperties.getString("pageUrl"), ""));
        if (adobeUser != null) {
            f.put("user", adobeUser);
        }
        return f;
    }

    /**
     * Checks a publish or a play against the application's rules and, when they allow it, runs {@code proceed}
     * with the name to use (a callback may rename the stream); when they refuse, {@code refuse} gets the
     * description for the client and the access log status. Either runs on the event loop, maybe later.
     */
    void authorize(AccessControl.Action action, NetStream stream, String name, String type,
                   java.util.function.Consumer<String> allowed, java.util.function.BiConsumer<String, Integer> refuse) {
        // After the server's rules and the HTTP callback: the application's onPublish or onPlay.
        java.util.function.Consumer<String> proceed = n -> askApplication(action, stream, n, type, allowed, refuse);
        String bare = name;
        String query = null;
        int q = name.indexOf('?');
        if (q >= 0) {
            bare = name.substring(0, q);
            query = name.substring(q + 1);
        }
        AccessControl.Verdict v = access.stream(action, remoteAddress(), bare, query, adobeUser, System.currentTimeMillis());
        if (!v.allowed()) {
            LOG.info("refuse {} {} stream={}: {}", action.name().toLowerCase(java.util.Locale.ROOT), describe(), bare, v.reason());
            refuse.accept(v.description(), v.status());
            return;
        }
        if (access.callback(action) == null) {
            proceed.accept(name);
            return;
        }
        String call = action == AccessControl.Action.PUBLISH ? "publish" : "play";
        if (pendingCallbacks >= MAX_PENDING_CALLBACKS) {
            LOG.info("refuse {} {} stream={}: {} callbacks already waiting", call, describe(), bare, pendingCallbacks);
            refuse.accept("Not allowed to " + call + " " + bare + ": too many requests waiting.", 403);
            return;
        }
        // Only the newest command of a stream counts: a later play or publish supersedes one still waiting.
        long ticket = stream.authorization();
        pendingCallbacks++;
        String shown = bare;
        access.ask(action, callbackFields(call, name)).thenAccept(d -> channel.eventLoop().execute(() -> {
            pendingCallbacks--;
            if (state != State.CONNECTED || streams.get(stream.id()) != stream || !stream.isAuthorization(ticket)) {
                return; // the connection or the stream went away, or the client asked for something else since
            }
            try {
                if (!d.allowed()) {
                    LOG.info("refuse {} {} stream={}: {}", call, describe(), shown, d.reason());
                    refuse.accept("Not allowed to " + call + " " + shown + " (refused by the application).", 403);
                } else if (d.newName() != null) {
                    LOG.info("{} {} stream={}: renamed to {} by the callback", call, describe(), shown, d.newName());
                    proceed.accept(d.newName());
                } else {
                    proceed.accept(name);
                }
            } catch (RuntimeException e) {
                channel.pipeline().fireExceptionCaught(e); // as if it had happened while reading: one line, closed
            }
        }));
    }

    /**
     * The application's onPublish or onPlay (an application with code only: without code they accept). Only the
     * newest command of a stream counts, as with the callbacks.
     */
    private void askApplication(AccessControl.Action action, NetStream stream, String name, String type,
                                java.util.function.Consumer<String> proceed,
                                java.util.function.BiConsumer<String, Integer> refuse) {
        if (instance == null || !instance.hasCode()) {
            proceed.accept(name);
            return;
        }
        int q = name.indexOf('?');
        io.millrace.api.StreamRequest request = new io.millrace.api.StreamRequest(q < 0 ? name : name.substring(0, q),
                q < 0 ? null : name.substring(q + 1), type);
        long ticket = stream.authorization();
        boolean publish = action == AccessControl.Action.PUBLISH;
        instance.streamRequest(client, publish, request, outcome -> channel.eventLoop().execute(() -> {
            if (state != State.CONNECTED || streams.get(stream.id()) != stream || !stream.isAuthorization(ticket)) {
                return;
            }
            try {
                if (outcome instanceof io.millrace.server.app.Decisions.Reject r) {
                    LOG.info("refuse {} {} stream={}: {} (the application)", publish ? "publish" : "play", describe(),
                            request.name(), r.description());
                    refuse.accept(r.description(), 403);
                } else {
                    proceed.accept(name);
                }
            } catch (RuntimeException e) {
                channel.pipeline().fireExceptionCaught(e);
            }
        }));
    }

    /** A play or publication ended (NetStream): the application's onPlayStop or onUnpublish. */
    void streamEnded(boolean publish, String name) {
        if (instance != null && appAccepted && instance.hasCode() && name != null) {
            int q = name.indexOf('?');
            instance.streamEnded(client, publish, q < 0 ? name : name.substring(0, q));
        }
    }

    /** The application's access rules (the done callback). */
    AccessControl accessControl() {
        return access;
    }

    private java.net.InetAddress remoteAddress() {
        return channel != null && channel.remoteAddress() instanceof InetSocketAddress a ? a.getAddress() : null;
    }

    /** Accepts connect: the FMS answer sequence, then the application's onConnect. */
    private void accept(NetCommand.Connect connect) {
        state = State.CONNECTED;
        if (channel.pipeline().get(PipelineNames.CHUNK_DECODER) instanceof ChunkDecoder d) {
            d.maxMessageSize(config.rtmp().maxMessageSize()); // small until now (RtmpChannelInitializer)
        }
        connectedAtNanos = System.nanoTime();
        connectTimeMillis = System.currentTimeMillis();
        ServerConfig.Rtmp r = config.rtmp();
        channel.write(new WindowAckSize(r.windowAckSize()));
        channel.write(new SetPeerBandwidth(r.peerBandwidth(), LimitType.DYNAMIC));
        channel.write(new StreamBegin(0));
        channel.write(new SetChunkSize(r.chunkSize()));

        AmfObject properties = AmfObject.of("fmsVer", "FMS/" + FMS_VERSION, "capabilities", 31.0, "mode", 1.0);
        AmfObject info = NetConnectionStatus.CONNECT_SUCCESS.info(null);
        info.put("objectEncoding", (double) encoding.objectEncoding());
        info.put("data", AmfObject.ecmaArray(Map.of("version", FMS_VERSION)));
        channel.write(Command.of("_result", connect.transactionId(), properties, info));
        ServerConfig.BandwidthDetection detection = config.bandwidthDetection();
        boolean encoder = AccessControl.isEncoder(flashVer);
        // Encoders are not measured: they never answer onBWCheck, and ffmpeg drops the end of its stream
        // when it closes with a server message unread (see ping()).
        if (detection.enabled() && detection.onConnect() && !encoder) {
            channel.flush();
            checkBandwidth();
        } else {
            // FMS's vod and live services call onBWDone on every client they accept (bandwidth.md §1).
            channel.write(Command.of("onBWDone", 0, null));
            channel.flush();
        }
        LOG.info("connect {} flashVer={} objectEncoding={}", describe(), flashVer, encoding.objectEncoding());
        access(accessEntry("connect", "session").set(AccessLog.Field.X_STATUS, 200));
        if (monitor != null) {
            monitor.connected(this);
        }
        startPings();
        startIdleTimer();
        application.onConnect(this);
    }

    private void onCreateStream(NetCommand.CreateStream c) {
        int max = config.rtmp().maxStreamsPerConnection();
        if (streams.size() >= max) {
            LOG.info("{}: createStream refused: {} streams open, the most allowed on one connection"
                    + " (rtmp.maxStreamsPerConnection)", describe(), streams.size());
            replyCallFailed(c.transactionId(), "Too many streams on this connection (at most " + max + ").");
            return;
        }
        int id = nextStreamId++;
        streams.put(id, new NetStream(this, application, id));
        streamSnapshot = streams.values().toArray(new NetStream[0]);
        channel.writeAndFlush(Command.of("_result", c.transactionId(), null, (double) id));
    }

    private void onDeleteStream(int id) {
        NetStream s = streams.remove(id);
        if (s != null) {
            streamSnapshot = streams.values().toArray(new NetStream[0]);
            s.close("deleteStream");
        }
        bufferLengths.remove(id);
    }

    private void withStream(int id, String what, java.util.function.Consumer<NetStream> action) {
        NetStream s = streams.get(id);
        if (s == null) {
            LOG.info("{}: {} on stream {} which was never created; ignored", describe(), what, id);
            return;
        }
        action.accept(s);
    }

    private void onCall(NetCommand.Call call) {
        switch (call.method()) {
            case "checkBandwidth" -> {
                // FMS's built-in client method: the answer is onBWDone, called when the detection ends.
                reply(call.transactionId(), null);
                if (config.bandwidthDetection().enabled()) {
                    checkBandwidth();
                } else {
                    callClient("onBWDone");
                }
                return;
            }
            case "_checkbw" -> {
                // librtmp and ffmpeg send this once they get onBWDone; answered as SRS does, so they log no error.
                reply(call.transactionId(), null);
                return;
            }
            default -> {
            }
        }
        if (instance != null && instance.hasMethod(call.method())) {
            double tid = call.transactionId();
            instance.call(client, call, value -> channel.eventLoop().execute(() -> {
                if (state == State.CONNECTED && channel.isActive()) {
                    reply(tid, value);
                }
            }), failure -> channel.eventLoop().execute(() -> {
                if (state == State.CONNECTED && channel.isActive()) {
                    replyCallFailed(tid, failure);
                }
            }));
            return;
        }
        if (!application.call(this, call)) {
            LOG.info("{}: call to unknown method '{}'", describe(), call.method());
            replyCallFailed(call.transactionId(), "Method not found (" + call.method() + ").");
        }
    }

    /**
     * Starts FMS's native bandwidth detection ({@link BandwidthCheck}) unless one is running; it ends with
     * {@code onBWDone}. Event loop only.
     */
    public void checkBandwidth() {
        if (bandwidthCheck != null && !bandwidthCheck.finished()) {
            LOG.debug("{}: checkBandwidth while a detection runs: ignored", describe());
            return;
        }
        bandwidthCheck = new BandwidthCheck(config.bandwidthDetection(), System::nanoTime, new BandwidthCheck.Peer() {
            @Override
            public double callOnBWCheck(String payload) {
                double id = nextCallId++;
                channel.writeAndFlush(Command.of("onBWCheck", id, null, payload));
                return id;
            }

            @Override
            public long bytesOut() {
                return chunkState.bytesSent();
            }

            @Override
            public Runnable schedule(Runnable task, long millis) {
                ScheduledFuture<?> f = channel.eventLoop().schedule(task, millis, TimeUnit.MILLISECONDS);
                return () -> f.cancel(false);
            }

            @Override
            public void done(BandwidthCheck.Result r) {
                bandwidthCheck = null;
                if (!channel.isActive()) {
                    return;
                }
                if (r == null) {
                    LOG.info("bandwidth check {}: the client did not answer onBWCheck", describe());
                    callClient("onBWDone");
                    return;
                }
                LOG.info("bandwidth check {}: {} kbit/s ({} bytes in {} round trips, {} s, latency {} ms)", describe(),
                        r.kbitDown(), r.bytes(), r.rounds(), String.format(java.util.Locale.ROOT, "%.3f", r.deltaTime()),
                        r.latency());
                callClient("onBWDone", (double) r.kbitDown(), r.deltaDown(), r.deltaTime(), (double) r.latency());
            }
        });
        bandwidthCheck.start();
    }

    private void onUserControl(UserControlEvent event) {
        if (event instanceof SwfVerifyResponse r) {
            onSwfResponse(r.data(), SwfVerification.RESPONSE_LENGTH);
        } else if (event instanceof UnknownUserControl u && u.eventType() == UserControlEvent.SWF_VERIFY_RESPONSE) {
            onSwfResponse(null, u.data().length);
        } else if (event instanceof PingResponse pong) {
            pingRttMillis = (nowMillis32() - pong.timestamp()) & 0xFFFFFFFFL;
        } else if (event instanceof SetBufferLength sbl) {
            long ms = sbl.bufferMillis();
            bufferLengths.put(sbl.streamId(), ms);
            NetStream s = streams.get(sbl.streamId());
            if (s != null) {
                s.onBufferLength(ms);
            }
        }
    }
}
