package io.millrace.server.session;

import io.millrace.rtmp.command.NetCommand;
import io.millrace.rtmp.command.NetStreamStatus;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One NetStream of a connection (a message stream id from createStream): what it plays, its buffer
 * length and its receiveAudio/receiveVideo switches. Runs on the connection's event loop.
 */
public final class NetStream {
    private static final Logger LOG = LoggerFactory.getLogger(NetStream.class);

    private final RtmpSession session;
    private final Application application;
    private final int id;
    private Playback playback;
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
        if (playback != null) {
            playback.close();
        }
        playback = next;
        next.start();
    }

    /** Called by a playback that ended by itself (end of file or of the requested length). */
    public void playbackEnded(Playback ended) {
        if (playback == ended) {
            playback = null;
        }
    }

    void play(NetCommand.Play play) {
        if (play.name() == null || play.name().isBlank()) {
            if (playback != null && play.name() == null && play.start() == 0) {
                // play(false) / play(null) stops the stream, as NetStream.play(false) did in Flash.
                stop("play(false)");
                return;
            }
            session.channel().writeAndFlush(session.status(id, NetStreamStatus.PLAY_FAILED,
                    "Play failed: no stream name given.", ""));
            return;
        }
        application.play(session, this, play);
    }

    void seek(double ms) {
        if (playback == null) {
            session.channel().writeAndFlush(session.status(id, NetStreamStatus.SEEK_FAILED,
                    "Seek failed: nothing is playing on stream " + id + ".", null));
            return;
        }
        playback.seek(Math.max(0, (long) ms));
    }

    void pause(boolean pause, double ms) {
        if (playback == null) {
            session.channel().writeAndFlush(session.status(id, NetStreamStatus.FAILED,
                    "Pause failed: nothing is playing on stream " + id + ".", null));
            return;
        }
        playback.pause(pause);
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
        if (playback != null) {
            Playback p = playback;
            playback = null;
            p.close();
            LOG.info("stop {} stream={} reason={}", session.describe(), p.name(), reason);
            session.channel().writeAndFlush(session.status(id, NetStreamStatus.PLAY_STOP,
                    "Stopped playing " + p.name() + ".", p.name()));
        }
    }

    /** deleteStream or disconnect: free everything, no status. */
    void close(String reason) {
        if (playback != null) {
            Playback p = playback;
            playback = null;
            p.close();
            LOG.info("stop {} stream={} reason={}", session.describe(), p.name(), reason);
        }
    }
}
