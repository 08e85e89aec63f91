package io.millrace.server.live;

import io.millrace.amf.AmfObject;
import io.millrace.rtmp.command.DataMessage;
import io.millrace.rtmp.command.NetStreamStatus;
import io.millrace.rtmp.control.StreamBegin;
import io.millrace.server.monitor.AccessLog;
import io.millrace.server.session.NetStream;
import io.millrace.server.session.Playback;
import io.millrace.server.session.RtmpSession;
import io.netty.channel.Channel;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayDeque;
import java.util.List;

/**
 * One viewer of a live stream, on its connection's event loop: writes what the stream's fan-out hands it,
 * with its own timestamps (its first media frame is 0), and keeps a queue, bounded in milliseconds of media,
 * for what the socket cannot take yet. A viewer whose queue grows past {@code live.queueMillis} loses it,
 * waits for the next keyframe, gets NetStream.Play.InsufficientBW, and the stream's drop counter goes up:
 * the publisher and the other viewers never wait for it.
 */
final class LiveSubscriber implements Playback {
    /** Payload bytes written to this viewer (the access log's sc-stream-bytes). Event loop only. */
    private long bytesSent;
    // What waits in the queue: written on the event loop, read by monitoring.
    private volatile long queuedAudioMsgs;
    private volatile long queuedVideoMsgs;
    private volatile long queuedAudioBytes;
    private volatile long queuedVideoBytes;
    private static final Logger LOG = LoggerFactory.getLogger(LiveSubscriber.class);

    private final LiveApplication app;
    private final RtmpSession session;
    private final NetStream netStream;
    private final Channel channel;
    private final LiveStream stream;
    private final String name;
    private final boolean reset;
    private final long queueMillis;
    private final ArrayDeque<LiveFrame> queue = new ArrayDeque<>();

    private LoopFanout fanout;
    private long lastSeq;
    /** The stream timestamp that is this viewer's 0; -1 until its first media frame. */
    private long base = -1;
    private boolean waitKeyframe = true;
    private boolean receiveAudio;
    private boolean receiveVideo;
    private boolean paused;
    private boolean dirty;
    private boolean closed;
    private long drops;

    LiveSubscriber(LiveApplication app, RtmpSession session, NetStream netStream, LiveStream stream, String name,
                   boolean reset, long queueMillis) {
        this.app = app;
        this.session = session;
        this.netStream = netStream;
        this.channel = session.channel();
        this.stream = stream;
        this.name = name;
        this.reset = reset;
        this.queueMillis = queueMillis;
        this.receiveAudio = netStream.receivingAudio();
        this.receiveVideo = netStream.receivingVideo();
    }

    RtmpSession session() {
        return session;
    }

    @Override
    public boolean isLive() {
        return true;
    }

    @Override
    public void accessFields(AccessLog.Entry e) {
        e.set(AccessLog.Field.SC_STREAM_BYTES, bytesSent);
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public void start() {
        int id = netStream.id();
        channel.write(new StreamBegin(id));
        if (reset) {
            channel.write(session.status(id, NetStreamStatus.PLAY_RESET, "Playing and resetting " + name + ".", name));
        }
        channel.write(session.status(id, NetStreamStatus.PLAY_START, "Started playing " + name + ".", name));
        session.write(DataMessage.of("|RtmpSampleAccess", id, 0, false, false));
        List<LiveFrame> first = stream.subscribe(this, channel.eventLoop());
        try {
            for (LiveFrame f : first) {
                accept(f);
            }
        } finally {
            for (LiveFrame f : first) {
                f.release();
            }
        }
        dirty = true;
        flush();
    }

    /** Called by the stream, under its lock, as this viewer registers. */
    void joined(LoopFanout fo, long seq, boolean publishing) {
        this.fanout = fo;
        this.lastSeq = seq;
        LOG.info("play {} stream={} live{}", session.describe(), name, publishing ? "" : ": waiting for a publisher");
    }

    /** A frame from the fan-out (on this loop); borrows it. Frames from before this viewer joined are skipped. */
    void deliver(LiveFrame f) {
        if (closed || f.seq <= lastSeq) {
            return;
        }
        lastSeq = f.seq;
        accept(f);
    }

    private void accept(LiveFrame f) {
        switch (f.kind) {
            case PUBLISH, RESET -> waitKeyframe = true;
            case UNPUBLISH, SWITCH -> {
            }
            case AUDIO -> {
                if (!f.config && (!receiveAudio || paused)) {
                    return;
                }
            }
            case VIDEO -> {
                if (!f.config) {
                    if (!receiveVideo || paused) {
                        return;
                    }
                    if (waitKeyframe) {
                        if (!f.keyframe) {
                            return;
                        }
                        waitKeyframe = false;
                    }
                }
            }
            case DATA -> {
                if (paused && !f.config) {
                    return;
                }
            }
        }
        if (base < 0 && f.isMedia() && !f.config) {
            base = f.timestamp;
        }
        if (queue.isEmpty() && channel.isWritable()) {
            write(f);
            return;
        }
        if (!queue.isEmpty() && f.timestamp - queue.peekFirst().timestamp > queueMillis && f.isMedia()) {
            drop();
        }
        enqueue(f.retain());
    }

    /** Adds to the queue and its figures (FMS's audio/video_queue_msgs and _bytes). Event loop only. */
    private void enqueue(LiveFrame f) {
        queue.add(f);
        count(f, 1);
    }

    private LiveFrame dequeue() {
        LiveFrame f = queue.poll();
        if (f != null) {
            count(f, -1);
        }
        return f;
    }

    private void count(LiveFrame f, int sign) {
        if (f.kind == LiveFrame.Kind.AUDIO) {
            queuedAudioMsgs += sign;
            queuedAudioBytes += sign * (long) f.message.payload().readableBytes();
        } else if (f.kind == LiveFrame.Kind.VIDEO) {
            queuedVideoMsgs += sign;
            queuedVideoBytes += sign * (long) f.message.payload().readableBytes();
        }
    }

    /** Adds what waits in this viewer's queue to {@code into}: audio messages, video messages, audio bytes, video bytes. */
    @Override
    public void queueFigures(long[] into) {
        into[0] += queuedAudioMsgs;
        into[1] += queuedVideoMsgs;
        into[2] += queuedAudioBytes;
        into[3] += queuedVideoBytes;
    }

    private void write(LiveFrame f) {
        int id = netStream.id();
        dirty = true;
        switch (f.kind) {
            case PUBLISH -> channel.write(session.status(id, NetStreamStatus.PLAY_PUBLISH_NOTIFY,
                    name + " is now published.", name));
            case UNPUBLISH -> channel.write(session.status(id, NetStreamStatus.PLAY_UNPUBLISH_NOTIFY,
                    name + " is now unpublished.", name));
            case SWITCH -> {
                // As NetStream sends it between the items of a client's playlist: code and level only.
                AmfObject info = NetStreamStatus.PLAY_SWITCH.info(null);
                info.remove("description");
                session.write(new DataMessage("onPlayStatus", List.of(info), id, base < 0 ? 0 : Math.max(0, f.timestamp - base)));
            }
            case RESET -> {
                channel.write(session.status(id, NetStreamStatus.PLAY_RESET, "Playing and resetting " + name + ".", name));
                channel.write(session.status(id, NetStreamStatus.PLAY_START, "Started playing " + name + ".", name));
            }
            default -> {
                long ts = base < 0 ? 0 : Math.max(0, f.timestamp - base);
                // On this channel's loop, holding the frame: the encoder is done with it when write returns.
                channel.write(f.message.borrowedForStream(id, ts), channel.voidPromise());
                bytesSent += f.message.payload().readableBytes();
            }
        }
    }

    /** The queue is longer than the viewer can take: keep only what must not be lost, wait for a keyframe. */
    private void drop() {
        int dropped = 0;
        int audioMsgs = 0;
        int videoMsgs = 0;
        long audioBytes = 0;
        long videoBytes = 0;
        int n = queue.size();
        for (int i = 0; i < n; i++) {
            LiveFrame f = dequeue();
            if (f.config || f.isEvent()) {
                enqueue(f);
            } else {
                dropped++;
                int size = f.message.payload().readableBytes();
                if (f.kind == LiveFrame.Kind.AUDIO) {
                    audioMsgs++;
                    audioBytes += size;
                } else if (f.kind == LiveFrame.Kind.VIDEO) {
                    videoMsgs++;
                    videoBytes += size;
                }
                f.release();
            }
        }
        session.countDropped(audioMsgs, audioBytes, videoMsgs, videoBytes);
        stream.countDropped(dropped);
        waitKeyframe = true;
        drops++;
        app.viewerDropped();
        if (drops == 1 || LOG.isDebugEnabled()) {
            LOG.info("{} stream={}: viewer cannot keep up, dropped {} frames (> {} ms queued) to the next keyframe{}",
                    session.describe(), name, dropped, queueMillis, drops == 1 ? "" : " (drop " + drops + ")");
        }
        channel.write(session.status(netStream.id(), NetStreamStatus.PLAY_INSUFFICIENT_BW,
                "Not enough bandwidth to play " + name + ": " + dropped + " frames dropped.", name));
        dirty = true;
    }

    /** After a drain: one flush for whatever this viewer was given. */
    void flush() {
        if (dirty) {
            dirty = false;
            channel.flush();
        }
    }

    private void pump() {
        LiveFrame f;
        while (!closed && channel.isWritable() && (f = dequeue()) != null) {
            try {
                write(f);
            } finally {
                f.release();
            }
        }
        flush();
    }

    @Override
    public void onWritable() {
        pump();
    }

    @Override
    public void seek(long ms) {
        channel.writeAndFlush(session.status(netStream.id(), NetStreamStatus.SEEK_FAILED,
                "Seek failed: " + name + " is a live stream.", name));
    }

    @Override
    public void pause(boolean pause) {
        if (pause == paused) {
            return;
        }
        paused = pause;
        int id = netStream.id();
        if (pause) {
            clearQueue();
            channel.writeAndFlush(session.status(id, NetStreamStatus.PAUSE_NOTIFY, "Pausing " + name + ".", name));
        } else {
            // Back to the live point, from its next keyframe.
            waitKeyframe = true;
            channel.writeAndFlush(session.status(id, NetStreamStatus.UNPAUSE_NOTIFY, "Unpausing " + name + ".", name));
        }
    }

    @Override
    public void receiveAudio(boolean receive) {
        receiveAudio = receive;
    }

    @Override
    public void receiveVideo(boolean receive) {
        if (receive && !receiveVideo) {
            waitKeyframe = true;
        }
        receiveVideo = receive;
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        if (fanout != null) {
            stream.unsubscribe(this, fanout);
        }
        clearQueue();
        app.released(stream);
    }

    private void clearQueue() {
        LiveFrame f;
        while ((f = dequeue()) != null) {
            f.release();
        }
    }

    @Override
    public String toString() {
        return "LiveSubscriber{" + name + ", queued=" + queue.size() + ", drops=" + drops + "}";
    }

}
