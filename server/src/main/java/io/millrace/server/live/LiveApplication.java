package io.millrace.server.live;

import io.millrace.amf.AmfObject;
import io.millrace.api.ServerStream;
import io.millrace.media.MediaIndex;
import io.millrace.media.MediaIndexCache;
import io.millrace.rtmp.command.NetCommand;
import io.millrace.rtmp.command.NetStreamStatus;
import io.millrace.rtmp.control.StreamBegin;
import io.millrace.server.config.ServerConfig;
import io.millrace.server.monitor.StreamStats;
import io.millrace.server.session.Application;
import io.millrace.server.session.ConnectTarget;
import io.millrace.server.session.NetStream;
import io.millrace.server.session.RtmpSession;
import io.millrace.server.vod.MediaFiles;
import io.millrace.server.vod.VodApplication;
import io.netty.channel.EventLoopGroup;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;
import java.util.regex.Pattern;

/**
 * FMS's live service: encoders publish (FMLE/ffmpeg/OBS with releaseStream, FCPublish, publish, FCUnpublish;
 * Flash clients with publish alone), viewers play with start -2 (live, else a recording, else wait for a
 * publisher) or -1 (live only, waiting if need be), and recordings land in {@code <data>/recordings} where this
 * application (start >= 0, or -2 with nobody publishing) and the vod application play them.
 *
 * <p>The query part of a stream name ({@code name?key=...}) is not part of the name; it is kept with the
 * publication for the access checks of later releases.
 *
 * <p>Server-side streams ({@link #serverStream}, FMS's {@code Stream.get}) publish playlists of files into the
 * same live streams, in place of an encoder ({@link PlaylistStream}); they play on the event loops given by
 * {@link #eventLoops} and end with their instance ({@link #closeServerStreams}).
 */
public final class LiveApplication implements Application {
    private static final Logger LOG = LoggerFactory.getLogger(LiveApplication.class);
    private static final Pattern SAFE_NAME = Pattern.compile("[A-Za-z0-9_][A-Za-z0-9_.-]*(/[A-Za-z0-9_][A-Za-z0-9_.-]*)*");
    static final int MAX_NAME_LENGTH = 256;

    private final String name;
    private final ServerConfig config;
    private final LiveStreams streams;
    private final VodApplication recorded;
    private final Path recordingsDir;
    private final AtomicLong viewerDrops = new AtomicLong();
    /** Most server-side streams one instance may have. */
    static final int MAX_SERVER_STREAMS = 1000;
    private final MediaFiles files;
    private volatile EventLoopGroup eventLoops;
    /** Server-side streams by instance, then name (guarded by itself). */
    private final Map<String, Map<String, PlaylistStream>> serverStreams = new HashMap<>();

    public LiveApplication(String name, ServerConfig config, MediaIndexCache indexes) {
        this.name = name;
        this.config = config;
        this.streams = new LiveStreams(config.live());
        this.recordingsDir = config.recordingsDir();
        this.recorded = new VodApplication(name, config.vod(), indexes, recordingsDir);
        this.files = new MediaFiles(indexes, config.mediaDir(), recordingsDir);
    }

    @Override
    public String type() {
        return "live";
    }

    @Override
    public String name() {
        return name;
    }

    /** Viewers dropped to a keyframe because they could not keep up, since start. */
    public long viewerDrops() {
        return viewerDrops.get();
    }

    void viewerDropped() {
        viewerDrops.incrementAndGet();
    }

    void released(LiveStream s) {
        streams.release(s);
    }

    // ---- calls ----------------------------------------------------------------------------------

    @Override
    public boolean call(RtmpSession session, NetCommand.Call call) {
        String streamName = call.arg(0) instanceof String s ? s : "";
        switch (call.method()) {
            case "releaseStream", "FCUnsubscribe" -> {
                session.reply(call.transactionId(), null);
                return true;
            }
            case "FCPublish" -> {
                // FMLE and ffmpeg wait for nothing, but FMS's live main.asc answers with onFCPublish.
                session.reply(call.transactionId(), null);
                session.callClient("onFCPublish", AmfObject.of("code", NetStreamStatus.PUBLISH_START.code(),
                        "description", streamName));
                return true;
            }
            case "FCUnpublish" -> {
                String bare = new StreamName(streamName).name;
                session.reply(call.transactionId(), null);
                session.callClient("onFCUnpublish", AmfObject.of("code", NetStreamStatus.UNPUBLISH_SUCCESS.code(),
                        "description", streamName));
                for (NetStream s : session.streams()) {
                    if (s.publishing() != null && s.publishing().name().equals(bare)) {
                        s.unpublish("FCUnpublish");
                    }
                }
                return true;
            }
            case "FCSubscribe" -> {
                // Akamai-style edge subscription: the stream is always "there" here.
                session.reply(call.transactionId(), null);
                session.callClient("onFCSubscribe", AmfObject.of("code", NetStreamStatus.PLAY_START.code(),
                        "description", streamName));
                return true;
            }
            default -> {
                return recorded.call(session, call);
            }
        }
    }

    // ---- play -----------------------------------------------------------------------------------

    @Override
    public void play(RtmpSession session, NetStream stream, NetCommand.Play play) {
        double start = play.startNormalized();
        StreamName n = new StreamName(play.name());
        String instance = session.target().instance();
        if (start >= 0) {
            recorded.play(session, stream, recordedPlay(play, instance, n, start));
            return;
        }
        if (start == -2 && streams.published(instance, n.name) == null && recorded.has(recordedName(instance, n.name))) {
            recorded.play(session, stream, recordedPlay(play, instance, n, 0));
            return;
        }
        boolean reset = play.resets();
        LiveStream ls = streams.acquire(instance, n.name);
        stream.startPlayback(new LiveSubscriber(this, session, stream, ls, n.name, reset, config.live().queueMillis()));
    }

    private static NetCommand.Play recordedPlay(NetCommand.Play play, String instance, StreamName n, double start) {
        return new NetCommand.Play(play.transactionId(), play.streamId(), recordedName(instance, n.name), start,
                play.len(), play.reset());
    }

    private static String recordedName(String instance, String name) {
        return ConnectTarget.DEFAULT_INSTANCE.equals(instance) ? name : instance + "/" + name;
    }

    // ---- monitoring -----------------------------------------------------------------------------

    @Override
    public List<StreamStats> liveStreams(String instance) {
        List<StreamStats> out = new ArrayList<>();
        for (LiveStream s : streams.all()) {
            String inst = s.key.substring(0, s.key.length() - s.name.length() - 1);
            if (instance != null && !instance.equals(inst)) {
                continue;
            }
            LiveSource p = s.publisher();
            List<String> viewers = new ArrayList<>();
            for (LiveSubscriber v : s.viewers()) {
                viewers.add(v.session().clientId());
            }
            if (p == null) {
                out.add(new StreamStats(name, inst, s.name, null, null, 0, 0, null, null, 0, 0, 0, 0, 0, 0, 0,
                        s.bytesOut(), s.droppedFrames(), viewers.size(), viewers));
                continue;
            }
            LiveIngest in = p.ingest();
            double[] rates = in.rates();
            out.add(new StreamStats(name, inst, s.name, p.clientId(), p.publishType(), p.publishTimeMillis(),
                    (System.currentTimeMillis() - p.publishTimeMillis()) / 1000, videoCodecName(in.videoCodecId()),
                    audioCodecName(in.soundFormat()), in.width(), in.height(), Math.round(rates[0] * 100) / 100.0,
                    Math.round(rates[1]), in.keyframeIntervalMillis(), in.framesIn(), in.bytesIn(), s.bytesOut(),
                    s.droppedFrames(), viewers.size(), viewers));
        }
        out.sort(java.util.Comparator.comparing(StreamStats::instance).thenComparing(StreamStats::name));
        return out;
    }

    /** FLV CodecID names, or the Enhanced RTMP FourCC. */
    static String videoCodecName(int id) {
        return switch (id) {
            case -1 -> null;
            case 2 -> "Sorenson H.263";
            case 3 -> "Screen video";
            case 4 -> "On2 VP6";
            case 5 -> "On2 VP6 with alpha";
            case 6 -> "Screen video 2";
            case 7 -> "H.264";
            case 12 -> "HEVC";
            default -> id > 0xFFFF ? fourCc(id) : "codec " + id;
        };
    }

    /** FLV SoundFormat names. */
    static String audioCodecName(int format) {
        return switch (format) {
            case -1 -> null;
            case 0, 3 -> "PCM";
            case 1 -> "ADPCM";
            case 2 -> "MP3";
            case 4, 5, 6 -> "Nellymoser";
            case 7 -> "G.711 A-law";
            case 8 -> "G.711 mu-law";
            case 10 -> "AAC";
            case 11 -> "Speex";
            case 14 -> "MP3 8 kHz";
            default -> "format " + format;
        };
    }

    private static String fourCc(int v) {
        return new String(new char[] {(char) (v >>> 24), (char) (v >>> 16 & 0xFF), (char) (v >>> 8 & 0xFF), (char) (v & 0xFF)});
    }

    @Override
    public boolean stopStream(String instance, String streamName) {
        LiveStream s = streams.published(instance, streamName);
        LiveSource p = s == null ? null : s.publisher();
        if (p == null) {
            return false;
        }
        p.stopByAdmin();
        return true;
    }

    // ---- publish --------------------------------------------------------------------------------

    @Override
    public void publish(RtmpSession session, NetStream stream, NetCommand.Publish publish) {
        int id = stream.id();
        StreamName n = new StreamName(publish.name());
        String invalid = n.invalidReason();
        if (invalid != null) {
            LOG.info("reject publish {} stream={}: {}", session.describe(), publish.name(), invalid);
            session.channel().writeAndFlush(session.status(id, NetStreamStatus.PUBLISH_BAD_NAME,
                    "Cannot publish " + publish.name() + ": " + invalid + ".", publish.name()));
            stream.access("publish", publish.name(), 400, invalid, null);
            return;
        }
        String instance = session.target().instance();
        String type = publish.type().toLowerCase(Locale.ROOT);
        String recordMode = switch (type) {
            case "record", "append" -> type;
            default -> config.live().record();
        };
        LiveStream ls = streams.acquire(instance, n.name);
        LivePublisher p = new LivePublisher(this, session, stream, ls, n.name, n.query, config.rtmp().chunkSize());
        if (!ls.attach(p)) {
            streams.release(ls);
            LOG.info("reject publish {} stream={}: BadName (already published)", session.describe(), n.name);
            session.channel().writeAndFlush(session.status(id, NetStreamStatus.PUBLISH_BAD_NAME,
                    n.name + " is already being published.", n.name));
            stream.access("publish", publish.name(), 409, "already published", null);
            return;
        }
        p.publishType(type.equals("record") || type.equals("append") ? type : "live");
        stream.startPublishing(p);
        session.channel().write(new StreamBegin(id));
        session.channel().write(session.status(id, NetStreamStatus.PUBLISH_START, n.name + " is now published.", n.name));
        String recording = "";
        if (!"off".equals(recordMode)) {
            recording = startRecording(session, id, p, instance, n, "append".equals(recordMode));
        }
        session.channel().flush();
        p.watchIdle(config.live().idleTimeoutMillis());
        ls.flush();
        LOG.info("publish {} stream={} type={}{}", session.describe(), n.name, type, recording);
    }

    private String startRecording(RtmpSession session, int id, LivePublisher p, String instance, StreamName n,
                                  boolean append) {
        String file = n.name;
        if (file.regionMatches(true, 0, "flv:", 0, 4)) {
            file = file.substring(4);
        }
        if (!SAFE_NAME.matcher(file).matches() || file.contains("..") || !SAFE_NAME.matcher(instance).matches()) {
            session.channel().write(session.status(id, NetStreamStatus.RECORD_NO_ACCESS,
                    "Cannot record " + n.name + ": a recorded name may hold letters, digits, '_', '-', '.' and '/'.",
                    n.name));
            return " record=refused (name)";
        }
        Path path = recordingFile(instance, file);
        if (path == null) {
            session.channel().write(session.status(id, NetStreamStatus.RECORD_NO_ACCESS,
                    "Cannot record " + n.name + ": the name leaves the recordings folder.", n.name));
            return " record=refused (path)";
        }
        try {
            p.recordTo(FlvRecorder.open(path, append));
        } catch (IOException | RuntimeException e) {
            LOG.warn("{} stream={}: cannot record to {}: {}", session.describe(), n.name, path, e.toString());
            session.channel().write(session.status(id, NetStreamStatus.RECORD_FAILED,
                    "Cannot record " + n.name + ": " + e.getMessage(), n.name));
            return " record=failed";
        }
        session.channel().write(session.status(id, NetStreamStatus.RECORD_START, "Recording " + n.name + ".", n.name));
        return " record=" + (append ? "append " : "") + path;
    }

    /** Where a stream of {@code instance} named {@code file} (a safe name) is recorded, or null if that leaves the folder. */
    private Path recordingFile(String instance, String file) {
        if (!file.toLowerCase(Locale.ROOT).endsWith(".flv")) {
            file = file + ".flv";
        }
        Path dir = ConnectTarget.DEFAULT_INSTANCE.equals(instance) ? recordingsDir : recordingsDir.resolve(instance);
        Path path = dir.resolve(file).normalize();
        return path.startsWith(recordingsDir) ? path : null;
    }

    /** Where a server-side stream of this name is recorded (as an encoder's would be), or null if it cannot be. */
    Path recordingPath(String instance, String streamName) {
        String file = streamName;
        if (file.regionMatches(true, 0, "flv:", 0, 4)) {
            file = file.substring(4);
        }
        if (!SAFE_NAME.matcher(file).matches() || file.contains("..") || !SAFE_NAME.matcher(instance).matches()) {
            return null;
        }
        return recordingFile(instance, file);
    }

    /** What a publication of type "live" records: off, record or append ({@code live.record}). */
    String recordMode() {
        return config.live().record();
    }

    // ---- server-side streams ------------------------------------------------------------------------

    /**
     * The event loops server-side streams play on (the server's worker group); each stream keeps to one of them.
     * Set once by the server before any {@link #serverStream} call.
     */
    public void eventLoops(EventLoopGroup group) {
        this.eventLoops = Objects.requireNonNull(group, "group");
    }

    /**
     * The server-side stream {@code name} of {@code instance} (FMS's {@code Stream.get(name)}): created on first
     * use, then the same object until {@link #closeServerStreams} closes the instance's streams. Its playlist
     * publishes into the live stream of that name, which clients play as any live stream. Any thread.
     *
     * @param listenerExecutor where the stream's {@link ServerStream.Listener}s run (the instance's serial
     *                         executor); taken from the call that creates the stream
     * @throws IllegalArgumentException when the name is not a valid stream name
     * @throws IllegalStateException    before {@link #eventLoops} was set, or past
     *                                  {@value #MAX_SERVER_STREAMS} streams in one instance
     */
    public ServerStream serverStream(String instance, String name, Executor listenerExecutor) {
        return serverStream(instance, name, listenerExecutor, System::nanoTime);
    }

    /** As {@link #serverStream(String, String, Executor)}, paced by {@code nanoClock} (tests). */
    ServerStream serverStream(String instance, String name, Executor listenerExecutor, LongSupplier nanoClock) {
        Objects.requireNonNull(instance, "instance");
        Objects.requireNonNull(listenerExecutor, "listenerExecutor");
        String invalid = name == null ? "no stream name given" : new StreamName(name).invalidReason();
        if (invalid == null && name.indexOf('?') >= 0) {
            invalid = "a server-side stream name takes no query ('?')";
        }
        if (invalid != null) {
            throw new IllegalArgumentException("invalid server-side stream name " + name + ": " + invalid);
        }
        String bare = name.trim();
        synchronized (serverStreams) {
            Map<String, PlaylistStream> ofInstance = serverStreams.computeIfAbsent(instance, k -> new HashMap<>());
            PlaylistStream s = ofInstance.get(bare);
            if (s == null) {
                EventLoopGroup group = eventLoops;
                if (group == null) {
                    throw new IllegalStateException("the live application " + this.name + " has no event loops yet");
                }
                if (ofInstance.size() >= MAX_SERVER_STREAMS) {
                    throw new IllegalStateException("instance " + instance + " has " + MAX_SERVER_STREAMS
                            + " server-side streams already");
                }
                s = new PlaylistStream(this, instance, bare, group.next(), listenerExecutor, nanoClock);
                ofInstance.put(bare, s);
            }
            return s;
        }
    }

    /** Stops and forgets every server-side stream of {@code instance} (the instance unloads). Any thread. */
    /** Whether a server-side stream of {@code instance} plays now (its instance is then not idle). Any thread. */
    public boolean hasPlayingServerStreams(String instance) {
        synchronized (serverStreams) {
            Map<String, PlaylistStream> ofInstance = serverStreams.get(instance);
            return ofInstance != null && ofInstance.values().stream().anyMatch(PlaylistStream::isPlaying);
        }
    }

    public void closeServerStreams(String instance) {
        Map<String, PlaylistStream> ofInstance;
        synchronized (serverStreams) {
            ofInstance = serverStreams.remove(instance);
        }
        if (ofInstance != null) {
            ofInstance.values().forEach(PlaylistStream::close);
        }
    }

    /** The index of a file a server-side stream plays; IllegalArgumentException when there is none to play. */
    MediaIndex openMedia(String file) {
        return files.open(file);
    }

    LiveStream acquireStream(String instance, String streamName) {
        return streams.acquire(instance, streamName);
    }

    int chunkSize() {
        return config.rtmp().chunkSize();
    }

    /** A stream name as a client sends it: the name, and the query after '?' (kept, not part of the name). */
    static final class StreamName {
        final String name;
        final String query;

        StreamName(String raw) {
            String s = raw == null ? "" : raw.trim();
            int q = s.indexOf('?');
            this.name = q >= 0 ? s.substring(0, q) : s;
            this.query = q >= 0 ? s.substring(q + 1) : null;
        }

        String invalidReason() {
            if (name.isEmpty()) {
                return "no stream name given";
            }
            if (name.length() > MAX_NAME_LENGTH) {
                return "the name is longer than " + MAX_NAME_LENGTH + " characters";
            }
            for (int i = 0; i < name.length(); i++) {
                if (Character.isISOControl(name.charAt(i))) {
                    return "the name holds a control character";
                }
            }
            return null;
        }
    }
}
