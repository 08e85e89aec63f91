package io.millrace.server.http;

import io.millrace.server.monitor.AppStats;
import io.millrace.server.monitor.ClientStats;
import io.millrace.server.monitor.InstanceStats;
import io.millrace.server.monitor.Monitoring;
import io.millrace.server.monitor.NetStreamStats;
import io.millrace.server.monitor.ServerStats;
import io.millrace.server.monitor.StreamStats;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;

import java.time.Clock;
import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

/**
 * The FMS Administration API over HTTP: {@code GET /admin/<command>?param=value...}, with FMS's command
 * and parameter names, answering FMS's result object {@code {level, code, timestamp, data}} (an error has
 * {@code description} instead of {@code data}). JSON by default; {@code format=xml} gives FMS's XML,
 * {@code <result><level/><code/><timestamp/><data/></result>}, arrays as {@code <_0>}, {@code <_1>}, ...
 * Command and parameter names are matched without regard to case. Credentials ({@code auser}/{@code apswd}
 * or HTTP Basic) are checked before this class is reached.
 *
 * <h2>Commands</h2>
 * <ul>
 *   <li>{@code ping}: success, no data.</li>
 *   <li>{@code getServerStats}: the server (mapping below).</li>
 *   <li>{@code getApps} [{@code verbose=true}]: application names; verbose: one getAppStats object each.</li>
 *   <li>{@code getAppStats app}: one application, all instances together.</li>
 *   <li>{@code getActiveInstances}: {@code "app/instance"} of every active instance.</li>
 *   <li>{@code getInstanceStats appInst}: one instance.</li>
 *   <li>{@code getSharedObjects appInst}: the instance's shared objects in memory (name, persistent, version,
 *       subscribers, properties, bytes).</li>
 *   <li>{@code getLiveStreams appInst}: names of the instance's live streams (also those whose viewers
 *       wait for a publisher).</li>
 *   <li>{@code getLiveStreamStats appInst stream}: publisher, subscribers and the stream's media figures.</li>
 *   <li>{@code getNetStreams appInst}: ids of the NetStreams that play or publish in the instance.</li>
 *   <li>{@code getNetStreamStats appInst streamids}: {@code -1} for all, else a comma-separated list of
 *       ids (brackets allowed); ids that no longer exist are skipped.</li>
 *   <li>{@code getUsers appInst}: client ids of the instance's clients.</li>
 *   <li>{@code getUserStats appInst userid}: one client ({@code Client.getStats()} and more).</li>
 * </ul>
 * {@code appInst} is {@code app/instance}; a bare {@code app} means {@code app/_definst_}, as in FMS.
 *
 * <h2>Result codes and HTTP statuses</h2>
 * Success: level {@code status}, code {@code NetConnection.Call.Success}, HTTP 200. Unknown command:
 * level {@code error}, code {@code NetConnection.Call.Failed}, HTTP 404. Missing or malformed parameter:
 * {@code NetConnection.Admin.CommandFailed}, HTTP 400, the description naming the parameter. Unknown
 * application, instance, stream or user: {@code NetConnection.Admin.CommandFailed}, HTTP 404. Missing or
 * wrong credentials: {@code NetConnection.Connect.Rejected}, HTTP 401; admin API disabled (no password
 * configured): {@code NetConnection.Connect.Rejected}, HTTP 403. (FMS answered 200 whatever the level;
 * the level and code are FMS's, the HTTP status tells plain HTTP clients what happened.)
 *
 * <h2>Field mapping</h2>
 * Directions: {@code *_in} is client to server (what the server receives), {@code *_out} server to client.
 * {@code bw_in}/{@code bw_out} are bytes per second over the last
 * {@value io.millrace.server.monitor.ClientStats#BW_WINDOW_SECONDS} seconds (FMS's own documentation
 * labels them the other way round and in KB; Millrace uses the names' meaning and bytes). Dates
 * ({@code launchTime}, {@code launch_time}, {@code time}, {@code connect_time}, the result's
 * {@code timestamp}) are written as FMS on Linux wrote them, e.g. {@code Sun 23 Sep 2007 06:16:40 PM UTC},
 * in the server's time zone; {@code up_time} is in seconds.
 * <ul>
 *   <li>Server ({@link ServerStats}): launchTime, up_time = uptimeSeconds, cpu_Usage = cpuUsage &times; 100
 *       (percent of one core, so up to 100 &times; cores, as FMS counted; -1 before the first sample),
 *       memory_Usage = heap used / heap max in percent (the JVM heap, not system memory), num_cores,
 *       server_version, heap_used, heap_max, direct_memory_used (bytes), live_streams, net_streams, and
 *       io: {bytes_in, bytes_out, bw_in, bw_out, msg_in, msg_out, msg_dropped, connected = connections,
 *       total_connects = totalConnects, total_disconnects = totalDisconnects, rejected = rejectedConnects}.</li>
 *   <li>Application ({@link AppStats}) and instance ({@link InstanceStats}): name, type (application only),
 *       launch_time, up_time, connected = connections, accepted, rejected, total_connects = accepted +
 *       rejected, total_disconnects = disconnected, bytes_in, bytes_out, bw_in, bw_out, msg_in, msg_out,
 *       msg_dropped, live_streams, and active_instances (application only).</li>
 *   <li>Live stream ({@link StreamStats}): publisher {name, time, publish_time = publishTime, type =
 *       "publishing", client = publisher's client id, stream_id = its NetStream id, client_type = "normal",
 *       publish_type} (left out while no one publishes), subscribers [{client, stream_id, subscribe_time}],
 *       and Millrace's figures: up_time, video_codec, audio_codec, width, height, frame_rate, bitrate_in
 *       (bits per second, audio and video), keyframe_interval (ms), frames_in, bytes_in, bytes_out (media
 *       payload), dropped_frames, viewers.</li>
 *   <li>NetStream ({@link NetStreamStats}): id = {@code "<client id>:<stream id>"} (what getNetStreams lists
 *       and getNetStreamStats takes: FMS numbered NetStreams per instance, Millrace per client), name,
 *       type = "publishing", "playing live" or "play recorded", time = start of the play or publish,
 *       client, streamid, client_type = "normal", client_ip.</li>
 *   <li>User ({@link ClientStats}): client_id, connect_time, up_time, protocol, ip, port, flash_ver,
 *       swf_url, page_url, tc_url, object_encoding, bytes_in, bytes_out, msg_in, msg_out, msg_dropped,
 *       ping_rtt (ms, -1 before the first answer), bw_in, bw_out, msg_queue {audio = audioQueueMsgs,
 *       video = videoQueueMsgs}, audio_queue_msgs, video_queue_msgs, audio_queue_bytes, video_queue_bytes,
 *       data_queue_bytes (bytes waiting in the socket's outbound buffer), dropped_audio_msgs,
 *       dropped_video_msgs, dropped_audio_bytes, dropped_video_bytes, bandwidth_limit_out (server to
 *       client) and bandwidth_limit_in (bytes per second, 0 = none), streams, stream_ids. FMS's
 *       so_queue_* and data_queue_msgs are not kept by Millrace and are left out.</li>
 * </ul>
 */
final class FmsAdminApi {

    static final String SUCCESS = "NetConnection.Call.Success";
    static final String CALL_FAILED = "NetConnection.Call.Failed";
    static final String COMMAND_FAILED = "NetConnection.Admin.CommandFailed";
    static final String REJECTED = "NetConnection.Connect.Rejected";

    /** FMS's instance name when the URL names none. */
    static final String DEFAULT_INSTANCE = "_definst_";

    private final Monitoring monitoring;
    private final Clock clock;
    private final DateTimeFormatter dates;
    private final Map<String, Function<AdminRequest, Object>> commands = new LinkedHashMap<>();

    FmsAdminApi(Monitoring monitoring, Clock clock) {
        this.monitoring = monitoring;
        this.clock = clock;
        this.dates = DateTimeFormatter.ofPattern("EEE dd MMM yyyy hh:mm:ss a z", Locale.ENGLISH).withZone(clock.getZone());
        command("ping", r -> null);
        command("getServerStats", r -> server(monitoring.server()));
        command("getApps", this::getApps);
        command("getAppStats", r -> {
            String app = r.required("app");
            return app(monitoring.application(app).orElseThrow(() -> ApiError.notFound("application not found: " + app)));
        });
        command("getActiveInstances", r -> monitoring.instances(null).stream()
                .map(i -> i.app() + "/" + i.instance()).toList());
        command("getInstanceStats", r -> instance(instanceOf(r)));
        command("getLiveStreams", r -> {
            InstanceStats i = instanceOf(r);
            return monitoring.liveStreams(i.app(), i.instance()).stream().map(StreamStats::name).toList();
        });
        command("getLiveStreamStats", this::getLiveStreamStats);
        command("getNetStreams", r -> {
            InstanceStats i = instanceOf(r);
            return monitoring.netStreams(i.app(), i.instance()).stream().map(FmsAdminApi::netStreamId).toList();
        });
        command("getNetStreamStats", this::getNetStreamStats);
        command("getUsers", r -> {
            InstanceStats i = instanceOf(r);
            return monitoring.clients(i.app(), i.instance()).stream().map(ClientStats::clientId).toList();
        });
        command("getUserStats", this::getUserStats);
        command("getSharedObjects", r -> {
            InstanceStats i = instanceOf(r);
            return monitoring.sharedObjects(i.app(), i.instance()).stream().map(o -> {
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("name", o.name());
                m.put("persistent", o.persistent());
                m.put("version", o.version());
                m.put("subscribers", o.subscribers());
                m.put("properties", o.properties());
                m.put("bytes", o.bytes());
                return m;
            }).toList();
        });
    }

    private void command(String name, Function<AdminRequest, Object> body) {
        commands.put(name.toLowerCase(Locale.ROOT), body);
    }

    /** Answers {@code /admin/...}; {@code request.segments()} starts with "admin". */
    HttpReply handle(AdminRequest request) {
        boolean xml;
        try {
            xml = wantsXml(request);
        } catch (ApiError e) {
            return reply(false, e.status(), error(e.fmsCode(), e.getMessage()));
        }
        try {
            if (!request.method().equals(HttpMethod.GET)) {
                throw ApiError.methodNotAllowed(request.method().name(), "GET");
            }
            List<String> seg = request.segments();
            if (seg.size() != 2) {
                throw new ApiError(HttpResponseStatus.NOT_FOUND, CALL_FAILED,
                        seg.size() < 2 ? "no command given: use /admin/<command>, e.g. /admin/ping"
                                : "unknown command: " + String.join("/", seg.subList(1, seg.size())));
            }
            Function<AdminRequest, Object> command = commands.get(seg.get(1).toLowerCase(Locale.ROOT));
            if (command == null) {
                throw new ApiError(HttpResponseStatus.NOT_FOUND, CALL_FAILED, "unknown command: " + seg.get(1));
            }
            Object data = command.apply(request);
            Map<String, Object> result = new LinkedHashMap<>();
            result.put("level", "status");
            result.put("code", SUCCESS);
            result.put("timestamp", date(clock.millis()));
            if (data != null) {
                result.put("data", data);
            }
            return reply(xml, HttpResponseStatus.OK, result);
        } catch (ApiError e) {
            HttpReply reply = reply(xml, e.status(), error(e.fmsCode(), e.getMessage()));
            return e.allow() == null ? reply : reply.withHeader("Allow", e.allow());
        }
    }

    /** The answer to a request whose credentials were refused (401) or while the admin API is off (403). */
    HttpReply rejected(AdminRequest request, AdminAuth.Outcome outcome) {
        boolean xml;
        try {
            xml = wantsXml(request);
        } catch (ApiError e) {
            xml = false;
        }
        return outcome == AdminAuth.Outcome.DISABLED
                ? reply(xml, HttpResponseStatus.FORBIDDEN, error(REJECTED,
                        "The admin API is disabled: set http.adminPassword in the configuration to enable it."))
                : reply(xml, HttpResponseStatus.UNAUTHORIZED, error(REJECTED,
                        "Admin user requires a valid user name and password."));
    }

    private static boolean wantsXml(AdminRequest request) {
        String format = request.param("format");
        if (format == null || format.equalsIgnoreCase("json")) {
            return false;
        }
        if (format.equalsIgnoreCase("xml")) {
            return true;
        }
        throw ApiError.badRequest("format must be json or xml, not " + format);
    }

    private Map<String, Object> error(String code, String description) {
        Map<String, Object> result = new LinkedHashMap<>();
        result.put("level", "error");
        result.put("code", code);
        result.put("description", description);
        result.put("timestamp", date(clock.millis()));
        return result;
    }

    private static HttpReply reply(boolean xml, HttpResponseStatus status, Map<String, Object> result) {
        return xml ? HttpReply.text(status, HttpReply.XML, XmlWriter.document("result", result))
                : HttpReply.json(status, result);
    }

    // ---- commands with parameters ------------------------------------------------------------------

    private Object getApps(AdminRequest r) {
        String verbose = r.param("verbose");
        boolean v = false;
        if (verbose != null) {
            if (!verbose.equalsIgnoreCase("true") && !verbose.equalsIgnoreCase("false")) {
                throw ApiError.badRequest("verbose must be true or false, not " + verbose);
            }
            v = verbose.equalsIgnoreCase("true");
        }
        List<AppStats> apps = monitoring.applications();
        return v ? apps.stream().map(this::app).toList() : apps.stream().map(AppStats::name).toList();
    }

    private Object getLiveStreamStats(AdminRequest r) {
        InstanceStats i = instanceOf(r);
        String name = r.required("stream");
        StreamStats s = monitoring.liveStream(i.app(), i.instance(), name)
                .orElseThrow(() -> ApiError.notFound("live stream not found: " + name + " in " + i.app() + "/" + i.instance()));
        List<NetStreamStats> netStreams = monitoring.netStreams(i.app(), i.instance()).stream()
                .filter(n -> n.name().equals(name) && n.type().equals("live")).toList();
        Map<String, Object> data = new LinkedHashMap<>();
        if (s.publisherClientId() != null) {
            NetStreamStats ns = netStreams.stream()
                    .filter(n -> n.mode().equals("publish") && n.clientId().equals(s.publisherClientId()))
                    .findFirst().orElse(null);
            Map<String, Object> publisher = new LinkedHashMap<>();
            publisher.put("name", s.name());
            publisher.put("time", date(s.publishTimeMillis()));
            publisher.put("type", "publishing");
            publisher.put("client", s.publisherClientId());
            publisher.put("stream_id", ns == null ? null : ns.streamId());
            publisher.put("publish_time", date(s.publishTimeMillis()));
            publisher.put("client_type", "normal");
            publisher.put("publish_type", s.publishType());
            data.put("publisher", publisher);
        }
        List<Object> subscribers = new ArrayList<>();
        for (String viewer : s.viewerClientIds()) {
            NetStreamStats ns = netStreams.stream()
                    .filter(n -> n.mode().equals("play") && n.clientId().equals(viewer))
                    .findFirst().orElse(null);
            Map<String, Object> sub = new LinkedHashMap<>();
            sub.put("client", viewer);
            sub.put("stream_id", ns == null ? null : ns.streamId());
            sub.put("subscribe_time", ns == null ? null : date(ns.startTimeMillis()));
            subscribers.add(sub);
        }
        data.put("subscribers", subscribers);
        data.put("up_time", s.uptimeSeconds());
        data.put("video_codec", s.videoCodec());
        data.put("audio_codec", s.audioCodec());
        data.put("width", s.width());
        data.put("height", s.height());
        data.put("frame_rate", s.frameRate());
        data.put("bitrate_in", s.bitrateIn());
        data.put("keyframe_interval", s.keyframeIntervalMillis());
        data.put("frames_in", s.framesIn());
        data.put("bytes_in", s.bytesIn());
        data.put("bytes_out", s.bytesOut());
        data.put("dropped_frames", s.droppedFrames());
        data.put("viewers", s.viewers());
        return data;
    }

    private Object getNetStreamStats(AdminRequest r) {
        InstanceStats i = instanceOf(r);
        String ids = r.required("streamids").trim();
        if (ids.startsWith("[") && ids.endsWith("]")) {
            ids = ids.substring(1, ids.length() - 1).trim();
        }
        Set<String> wanted = null;
        if (!ids.equals("-1")) {
            wanted = new HashSet<>();
            for (String id : ids.split(",")) {
                String t = id.trim();
                if (!t.matches("\\d{1,19}:\\d{1,10}")) {
                    throw ApiError.badRequest("streamids must be -1 or a list of NetStream ids like 12:1 (from getNetStreams), not "
                            + r.param("streamids"));
                }
                wanted.add(t);
            }
        }
        List<Object> out = new ArrayList<>();
        for (NetStreamStats n : monitoring.netStreams(i.app(), i.instance())) {
            if (wanted == null || wanted.contains(netStreamId(n))) {
                out.add(netStream(n));
            }
        }
        return out;
    }

    private Object getUserStats(AdminRequest r) {
        InstanceStats i = instanceOf(r);
        String id = r.required("userid");
        ClientStats c = monitoring.client(id)
                .filter(x -> x.app().equals(i.app()) && x.instance().equals(i.instance()))
                .orElseThrow(() -> ApiError.notFound("user not found: " + id + " in " + i.app() + "/" + i.instance()));
        List<Integer> streamIds = monitoring.netStreams(i.app(), i.instance()).stream()
                .filter(n -> n.clientId().equals(id)).map(NetStreamStats::streamId).sorted().toList();
        return user(c, streamIds);
    }

    /** The instance named by {@code appInst}; 400 when missing or malformed, 404 when not active. */
    private InstanceStats instanceOf(AdminRequest r) {
        String appInst = r.required("appInst");
        int slash = appInst.indexOf('/');
        String app = slash < 0 ? appInst : appInst.substring(0, slash);
        String instance = slash < 0 ? DEFAULT_INSTANCE : appInst.substring(slash + 1);
        if (app.isEmpty() || instance.isEmpty()) {
            throw ApiError.badRequest("appInst must be application/instance, not " + appInst);
        }
        return monitoring.instance(app, instance)
                .orElseThrow(() -> ApiError.notFound("application instance not found: " + app + "/" + instance));
    }

    // ---- mapping -----------------------------------------------------------------------------------

    String date(long millis) {
        return dates.format(Instant.ofEpochMilli(millis));
    }

    private long upTime(long launchMillis) {
        return Math.max(0, (clock.millis() - launchMillis) / 1000);
    }

    static String netStreamId(NetStreamStats n) {
        return n.clientId() + ":" + n.streamId();
    }

    private Map<String, Object> server(ServerStats s) {
        Map<String, Object> d = new LinkedHashMap<>();
        d.put("launchTime", date(s.launchTimeMillis()));
        d.put("up_time", s.uptimeSeconds());
        d.put("cpu_Usage", s.cpuUsage() < 0 ? -1 : Math.round(s.cpuUsage() * 100));
        d.put("memory_Usage", s.heapMaxBytes() > 0 ? Math.round(s.heapUsedBytes() * 100.0 / s.heapMaxBytes()) : -1);
        d.put("num_cores", s.cores());
        d.put("server_version", s.version());
        d.put("heap_used", s.heapUsedBytes());
        d.put("heap_max", s.heapMaxBytes());
        d.put("direct_memory_used", s.directMemoryUsedBytes());
        d.put("live_streams", s.liveStreams());
        d.put("net_streams", s.netStreams());
        Map<String, Object> io = new LinkedHashMap<>();
        io.put("bytes_in", s.bytesIn());
        io.put("bytes_out", s.bytesOut());
        io.put("bw_in", s.bwIn());
        io.put("bw_out", s.bwOut());
        io.put("msg_in", s.msgIn());
        io.put("msg_out", s.msgOut());
        io.put("msg_dropped", s.msgDropped());
        io.put("connected", s.connections());
        io.put("total_connects", s.totalConnects());
        io.put("total_disconnects", s.totalDisconnects());
        io.put("rejected", s.rejectedConnects());
        d.put("io", io);
        return d;
    }

    private Map<String, Object> app(AppStats a) {
        Map<String, Object> d = new LinkedHashMap<>();
        d.put("name", a.name());
        d.put("type", a.type());
        d.put("launch_time", date(a.launchTimeMillis()));
        d.put("up_time", upTime(a.launchTimeMillis()));
        d.put("connected", a.connections());
        d.put("accepted", a.accepted());
        d.put("rejected", a.rejected());
        d.put("total_connects", a.accepted() + a.rejected());
        d.put("total_disconnects", a.disconnected());
        d.put("bytes_in", a.bytesIn());
        d.put("bytes_out", a.bytesOut());
        d.put("bw_in", a.bwIn());
        d.put("bw_out", a.bwOut());
        d.put("msg_in", a.msgIn());
        d.put("msg_out", a.msgOut());
        d.put("msg_dropped", a.msgDropped());
        d.put("active_instances", a.instances());
        d.put("live_streams", a.liveStreams());
        return d;
    }

    private Map<String, Object> instance(InstanceStats i) {
        Map<String, Object> d = new LinkedHashMap<>();
        d.put("name", i.app() + "/" + i.instance());
        d.put("launch_time", date(i.launchTimeMillis()));
        d.put("up_time", upTime(i.launchTimeMillis()));
        d.put("connected", i.connections());
        d.put("accepted", i.accepted());
        d.put("rejected", i.rejected());
        d.put("total_connects", i.accepted() + i.rejected());
        d.put("total_disconnects", i.disconnected());
        d.put("bytes_in", i.bytesIn());
        d.put("bytes_out", i.bytesOut());
        d.put("bw_in", i.bwIn());
        d.put("bw_out", i.bwOut());
        d.put("msg_in", i.msgIn());
        d.put("msg_out", i.msgOut());
        d.put("msg_dropped", i.msgDropped());
        d.put("live_streams", i.liveStreams());
        return d;
    }

    private Map<String, Object> netStream(NetStreamStats n) {
        Map<String, Object> d = new LinkedHashMap<>();
        d.put("id", netStreamId(n));
        d.put("name", n.name());
        d.put("type", n.mode().equals("publish") ? "publishing"
                : n.type().equals("live") ? "playing live" : "play recorded");
        d.put("time", date(n.startTimeMillis()));
        d.put("client", n.clientId());
        d.put("streamid", n.streamId());
        d.put("client_type", "normal");
        d.put("client_ip", n.clientIp());
        return d;
    }

    private Map<String, Object> user(ClientStats c, List<Integer> streamIds) {
        Map<String, Object> d = new LinkedHashMap<>();
        d.put("client_id", c.clientId());
        d.put("connect_time", date(c.connectTimeMillis()));
        d.put("up_time", upTime(c.connectTimeMillis()));
        d.put("protocol", c.protocol());
        d.put("ip", c.ip());
        d.put("port", c.port());
        d.put("flash_ver", c.flashVer());
        d.put("swf_url", c.swfUrl());
        d.put("page_url", c.pageUrl());
        d.put("tc_url", c.tcUrl());
        d.put("object_encoding", c.objectEncoding());
        d.put("bytes_in", c.bytesIn());
        d.put("bytes_out", c.bytesOut());
        d.put("msg_in", c.msgIn());
        d.put("msg_out", c.msgOut());
        d.put("msg_dropped", c.msgDropped());
        d.put("ping_rtt", c.pingRttMillis());
        d.put("bw_in", c.bwIn());
        d.put("bw_out", c.bwOut());
        Map<String, Object> queue = new LinkedHashMap<>();
        queue.put("audio", c.audioQueueMsgs());
        queue.put("video", c.videoQueueMsgs());
        d.put("msg_queue", queue);
        d.put("audio_queue_msgs", c.audioQueueMsgs());
        d.put("video_queue_msgs", c.videoQueueMsgs());
        d.put("audio_queue_bytes", c.audioQueueBytes());
        d.put("video_queue_bytes", c.videoQueueBytes());
        d.put("data_queue_bytes", c.dataQueueBytes());
        d.put("dropped_audio_msgs", c.droppedAudioMsgs());
        d.put("dropped_video_msgs", c.droppedVideoMsgs());
        d.put("dropped_audio_bytes", c.droppedAudioBytes());
        d.put("dropped_video_bytes", c.droppedVideoBytes());
        d.put("bandwidth_limit_out", c.bandwidthLimitOut());
        d.put("bandwidth_limit_in", c.bandwidthLimitIn());
        d.put("streams", c.streams());
        d.put("stream_ids", streamIds);
        return d;
    }
}
