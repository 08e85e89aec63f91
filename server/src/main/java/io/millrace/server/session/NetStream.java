package io.millrace.server.session;

import io.millrace.amf.AmfObject;
import io.millrace.rtmp.command.DataMessage;
import io.millrace.rtmp.command.NetCommand;
import io.millrace.rtmp.command.NetStreamStatus;
import io.millrace.rtmp.control.StreamEof;
import io.millrace.server.monitor.AccessLog;
import io.millrace.server.security.AccessControl;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;

/**
 * One NetStream of a connection (a message stream id from createStream): what it plays, its
 * server-side playlist, its buffer length and its receiveAudio/receiveVideo switches. Runs on the
 * connection's event loop.
 *
 * <p>Playlists as FMS kept them: {@code play(name, start, len, reset=false)} while something plays
 * appends to the playlist; when an item ends the next one starts on the same timeline after
 * onPlayStatus NetStream.Play.Switch; after the last one come onPlayStatus NetStream.Play.Complete,
 * StreamEOF and NetStream.Play.Stop. A play with reset true (the default) flushes the playlist.
 */
public final class NetStream {
    private static final Logger LOG = LoggerFactory.getLogger(NetStream.class);

    private final RtmpSession session;
    private final Application application;
    private final int id;
    /** Most items a playlist may hold. */
    public static final int MAX_PLAYLIST = 256;

    private final Deque<NetCommand.Play> playlist = new ArrayDeque<>();
    // Volatile: written on the event loop, read by monitoring.
    private volatile Playback playback;
    private volatile Publishing publishing;
    private volatile long startedMillis;
    /** The last item that played to its end, so that a seek afterwards plays it again from there. */
    private NetCommand.Play lastCompleted;
    /** The play command of the item playing now. */
    private NetCommand.Play currentItem;
    /** Where the timeline of the current playlist continues: added to the next item's timestamps. */
    private long timelineOffset;
    /** Payload bytes sent for the current playlist (onPlayStatus Play.Complete's {@code bytes}). */
    private long playlistBytes;
    /** Counts play and publish commands that went to a callback; the newest one's answer is the one used. */
    private long authorizations;
    private boolean receiveAudio = true;
    private boolean receiveVideo = true;

    NetStream(RtmpSession session, Application application, int id) {
        this.session = session;
        this.application = application;
        this.id = id;
    }

    public int id() {
        return id;
    }

    public RtmpSession session() {
        return session;
    }

    public boolean receivingAudio() {
        return receiveAudio;
    }

    public boolean receivingVideo() {
        return receiveVideo;
    }

    public long bufferLength() {
        return session.bufferLength(id);
    }

    /** Replaces whatever plays on this stream (the old one is closed without a status) and starts it. */
    public void startPlayback(Playback next) {
        if (publishing != null) {
            Publishing p = publishing;
            publishing = null;
            p.close("play", true);
            accessEnd("unpublish", p.name(), 200, "play", p::accessFields);
        }
        if (playback != null) {
            Playback old = playback;
            playback = null;
            old.close();
            accessEnd("stop", old.name(), 200, "replaced", old::accessFields);
        }
        playback = next;
        startedMillis = System.currentTimeMillis();
        // Logged before start: a playback may end inside start (a one-frame play), and the bytes it sends
        // at once belong between its play and stop lines.
        access("play", next.name(), 200, null, next::accessFields);
        next.start();
    }

    /**
     * Writes a stream event to the access log: {@code name} (its query split off into x-sname-query), the
     * status and context, and whatever {@code fields} adds. Public for the applications' refusals.
     */
    public void access(String event, String name, int status, String context,
                       java.util.function.Consumer<AccessLog.Entry> fields) {
        AccessLog.Entry e = session.accessEntry(event, "stream").set(AccessLog.Field.X_STATUS, status)
                .set(AccessLog.Field.X_CTX, context);
        if (name != null) {
            int q = name.indexOf('?');
            e.set(AccessLog.Field.X_SNAME, q < 0 ? name : name.substring(0, q));
            e.set(AccessLog.Field.X_SNAME_QUERY, q < 0 ? null : name.substring(q + 1));
        }
        if (fields != null) {
            fields.accept(e);
        }
        session.access(e);
    }

    /** The seconds since what plays or publishes now started (the access log's x-duration). */
    private long secondsSinceStart() {
        return (System.currentTimeMillis() - startedMillis) / 1000;
    }

    private void accessEnd(String event, String name, int status, String reason,
                           java.util.function.Consumer<AccessLog.Entry> fields) {
        long seconds = secondsSinceStart();
        session.streamEnded(event.equals("unpublish"), name);
        session.accessControl().done(() -> session.callbackFields(event.equals("unpublish") ? "publish_done" : "play_done", name));
        access(event, name, status, reason, e -> {
            e.set(AccessLog.Field.X_DURATION, seconds);
            fields.accept(e);
        });
    }

    /** Whether something plays on this stream now. */
    public boolean isPlaying() {
        return playback != null;
    }

    /** What this stream plays or publishes now, for monitoring; null when it does neither. Any thread. */
    public io.millrace.server.monitor.NetStreamStats stats() {
        Playback pb = playback;
        Publishing pub = publishing;
        if (pb == null && pub == null) {
            return null;
        }
        ConnectTarget t = session.target();
        return new io.millrace.server.monitor.NetStreamStats(session.clientId(), id, t.app(), t.instance(),
                pub != null ? pub.name() : pb.name(), pub != null ? "publish" : "play",
                pub != null || pb.isLive() ? "live" : "vod", startedMillis, session.ip());
    }

    /** Adds what waits in the server for what this stream plays ({@link Playback#queueFigures}). Any thread. */
    void queueFigures(long[] into) {
        Playback p = playback;
        if (p != null) {
            p.queueFigures(into);
        }
    }

    /** The ticket of the newest play, publish or stop command: a callback's answer counts only for it. */
    long authorization() {
        return authorizations;
    }

    /** Whether {@code ticket} is still the newest authorization (nothing was asked on this stream since). */
    boolean isAuthorization(long ticket) {
        return authorizations == ticket;
    }

    /** What this stream publishes, or null. */
    public Publishing publishing() {
        return publishing;
    }

    /** Makes {@code next} what this stream publishes (what it played or published before is ended without a status). */
    public void startPublishing(Publishing next) {
        end("publish");
        publishing = next;
        startedMillis = System.currentTimeMillis();
        access("publish", next.name(), 200, null, next::accessFields);
    }

    /** Called by a publication that ended by itself (idle, or taken down): the stream publishes nothing now. */
    public void publishingEnded(Publishing ended) {
        if (publishing == ended) {
            publishing = null;
            accessEnd("unpublish", ended.name(), 200, "ended", ended::accessFields);
        }
    }

    void publish(NetCommand.Publish publish) {
        authorizations++;
        if (publish.stops()) {
            unpublish("publish(false)");
            return;
        }
        if (publishing != null) {
            session.channel().writeAndFlush(session.status(id, NetStreamStatus.PUBLISH_BAD_NAME,
                    "Stream " + id + " is already publishing " + publishing.name() + ".", publish.name()));
            access("publish", publish.name(), 409, "stream already publishing", null);
            return;
        }
        session.authorize(AccessControl.Action.PUBLISH, this, publish.name(), publish.type(),
                name -> application.publish(session, this, name.equals(publish.name()) ? publish
                        : new NetCommand.Publish(publish.transactionId(), publish.streamId(), name, publish.type())),
                (description, status) -> {
                    session.channel().writeAndFlush(session.status(id, NetStreamStatus.PUBLISH_DENIED, description,
                            publish.name()));
                    access("publish", publish.name(), status, "refused", null);
                });
    }

    /** Ends the publication with NetStream.Unpublish.Success to the publisher; false if nothing was published. */
    public boolean unpublish(String reason) {
        Publishing p = publishing;
        if (p == null) {
            return false;
        }
        publishing = null;
        p.close(reason, true);
        accessEnd("unpublish", p.name(), 200, reason, p::accessFields);
        return true;
    }

    void onMedia(io.millrace.rtmp.message.RtmpMessage msg) {
        if (publishing != null) {
            publishing.onMedia(msg);
        } else {
            LOG.debug("{}: media on stream {} which is not publishing; dropped", session.describe(), id);
        }
    }

    void onData(DataMessage data) {
        if (publishing != null) {
            publishing.onData(data);
        } else {
            LOG.debug("{}: data {} on stream {} which is not publishing; dropped", session.describe(), data.name(), id);
        }
    }

    void onReadComplete() {
        if (publishing != null) {
            publishing.onReadComplete();
        }
    }

    /** Added to the timestamps of the item that starts now, so that a playlist is one timeline. */
    public long timelineOffset() {
        return timelineOffset;
    }

    /**
     * Called by a playback that reached its end (of the file or of the requested length): starts the
     * next playlist item, or ends the stream with Play.Complete, StreamEOF and Play.Stop.
     *
     * @param endTimestamp the last timestamp sent, on this stream's timeline
     * @param nextTimestamp where a following item's timeline should start (after the last frame)
     * @param bytes        payload bytes the item sent
     */
    public void playbackCompleted(Playback ended, long endTimestamp, long nextTimestamp, long bytes) {
        if (playback != ended) {
            return;
        }
        playback = null;
        lastCompleted = null;
        playlistBytes += bytes;
        accessEnd("stop", ended.name(), 200, "complete", e -> {
            ended.accessFields(e);
            e.set(AccessLog.Field.X_SPOS, String.format(java.util.Locale.ROOT, "%.3f", endTimestamp / 1000.0));
        });
        LOG.info("stop {} stream={} reason=complete position={} ms bytes={}", session.describe(), ended.name(),
                endTimestamp, bytes);
        NetCommand.Play next;
        while ((next = playlist.poll()) != null) {
            AmfObject info = NetStreamStatus.PLAY_SWITCH.info(null);
            info.remove("description");
            session.write(new DataMessage("onPlayStatus", List.of(info), id, endTimestamp));
            timelineOffset = nextTimestamp;
            currentItem = next;
            application.play(session, this, next);
            if (playback != null) {
                return;
            }
            // That item could not play (its status is sent, e.g. StreamNotFound): on to the next, as FMS did.
        }
        lastCompleted = currentItem;
        AmfObject info = NetStreamStatus.PLAY_COMPLETE.info(null);
        info.remove("description");
        info.put("duration", (double) endTimestamp);
        info.put("bytes", (double) playlistBytes);
        session.write(new DataMessage("onPlayStatus", List.of(info), id, endTimestamp));
        session.channel().write(new StreamEof(id));
        session.channel().writeAndFlush(session.status(id, NetStreamStatus.PLAY_STOP,
                "Stopped playing " + ended.name() + ".", ended.name()));
    }

    /** Called by a playback that failed after it had started (its status already sent). */
    public void playbackFailed(Playback failed) {
        if (playback == failed) {
            playback = null;
            playlist.clear();
            accessEnd("stop", failed.name(), 500, "failed", failed::accessFields);
        }
    }

    void play(NetCommand.Play play) {
        authorizations++;
        if (play.name() == null || play.name().isBlank()) {
            playAuthorized(play);
            return;
        }
        session.authorize(AccessControl.Action.PLAY, this, play.name(),
                play.start() == -1 ? "live" : play.start() >= 0 ? "recorded" : "any",
                name -> playAuthorized(name.equals(play.name()) ? play
                        : new NetCommand.Play(play.transactionId(), play.streamId(), name, play.start(), play.len(), play.reset())),
                (description, status) -> {
                    session.channel().writeAndFlush(session.status(id, NetStreamStatus.PLAY_FAILED, description, play.name()));
                    access("play", play.name(), status, "refused", null);
                });
    }

    private void playAuthorized(NetCommand.Play play) {
        if (play.name() == null || play.name().isBlank()) {
            if (playback != null && play.name() == null && play.start() == 0) {
                // play(false) / play(null) stops the stream, as NetStream.play(false) did in Flash.
                stop("play(false)");
                return;
            }
            session.channel().writeAndFlush(session.status(id, NetStreamStatus.PLAY_FAILED,
                    "Play failed: no stream name given.", ""));
            access("play", null, 400, "no stream name", null);
            return;
        }
        boolean reset = play.resets();
        if (!reset && playback != null) {
            if (playlist.size() >= MAX_PLAYLIST) {
                session.channel().writeAndFlush(session.status(id, NetStreamStatus.PLAY_FAILED,
                        "Play failed: the playlist already holds " + MAX_PLAYLIST + " items.", play.name()));
                access("play", play.name(), 400, "playlist full", null);
                return;
            }
            playlist.add(play);
            LOG.debug("{}: {} queued on stream {} ({} waiting)", session.describe(), play.name(), id, playlist.size());
            return;
        }
        playlist.clear();
        timelineOffset = 0;
        playlistBytes = 0;
        lastCompleted = null;
        currentItem = play;
        application.play(session, this, play);
    }

    void seek(double ms) {
        if (playback == null && lastCompleted != null && timelineOffset == 0) {
            // After the end of a file a player's seek bar still works: play it again from there.
            NetCommand.Play again = lastCompleted;
            lastCompleted = null;
            session.channel().write(session.status(id, NetStreamStatus.SEEK_NOTIFY,
                    "Seeking " + (long) ms + " (stream ID: " + id + ").", again.name()));
            playlistBytes = 0;
            currentItem = new NetCommand.Play(again.transactionId(), id, again.name(), Math.max(0, (long) ms), -1, 0);
            application.play(session, this, currentItem);
            return;
        }
        if (playback == null) {
            session.channel().writeAndFlush(session.status(id, NetStreamStatus.SEEK_FAILED,
                    "Seek failed: nothing is playing on stream " + id + ".", null));
            return;
        }
        Playback p = playback;
        access("seek", p.name(), 200, null, e -> e.set(AccessLog.Field.X_SPOS, position(ms)));
        // The playback may end inside seek (a seek to the last frames): p, not the field, from here on.
        p.seek(Math.max(0, (long) ms));
    }

    private static String position(double ms) {
        return String.format(java.util.Locale.ROOT, "%.3f", Math.max(0, ms) / 1000.0);
    }

    void pause(boolean pause, double ms) {
        if (playback == null) {
            session.channel().writeAndFlush(session.status(id, NetStreamStatus.FAILED,
                    "Pause failed: nothing is playing on stream " + id + ".", null));
            return;
        }
        Playback p = playback;
        access(pause ? "pause" : "unpause", p.name(), 200, null, e -> e.set(AccessLog.Field.X_SPOS, position(ms)));
        p.pause(pause); // may end the playback (unpausing near the end sends the rest at once)
    }

    void receiveAudio(boolean receive) {
        receiveAudio = receive;
        if (playback != null) {
            playback.receiveAudio(receive);
        }
    }

    void receiveVideo(boolean receive) {
        receiveVideo = receive;
        if (playback != null) {
            playback.receiveVideo(receive);
        }
    }

    void onBufferLength(long ms) {
        if (playback != null) {
            playback.bufferLength(ms);
        }
    }

    void onWritable() {
        if (playback != null) {
            playback.onWritable();
        }
    }

    /** closeStream: stop what plays, answer Play.Stop, keep the stream id usable. */
    void stop(String reason) {
        authorizations++;
        Playback p = end(reason);
        if (p != null) {
            session.channel().writeAndFlush(session.status(id, NetStreamStatus.PLAY_STOP,
                    "Stopped playing " + p.name() + ".", p.name()));
        }
    }

    /** deleteStream or disconnect: free everything; a publisher still connected is told Unpublish.Success. */
    void close(String reason) {
        authorizations++;
        if (publishing != null && session.channel().isActive()) {
            unpublish(reason);
        }
        end(reason);
    }

    /** Empties the playlist and ends what plays or publishes; returns what played, or null. */
    private Playback end(String reason) {
        Publishing pub = publishing;
        if (pub != null) {
            publishing = null;
            pub.close(reason, false);
            accessEnd("unpublish", pub.name(), 200, reason, pub::accessFields);
        }
        playlist.clear();
        Playback p = playback;
        if (p != null) {
            playback = null;
            p.close();
            LOG.info("stop {} stream={} reason={}", session.describe(), p.name(), reason);
            accessEnd("stop", p.name(), 200, reason, p::accessFields);
        }
        return p;
    }
}
