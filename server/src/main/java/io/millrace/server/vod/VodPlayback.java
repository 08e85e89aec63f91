package io.millrace.server.vod;

import io.millrace.media.FrameRef;
import io.millrace.media.MediaFrame;
import io.millrace.media.MediaIndex;
import io.millrace.media.MediaReader;
import io.millrace.rtmp.chunk.ChunkEncoder;
import io.millrace.rtmp.command.DataMessage;
import io.millrace.rtmp.command.NetStreamStatus;
import io.millrace.rtmp.control.StreamBegin;
import io.millrace.rtmp.control.StreamIsRecorded;
import io.millrace.rtmp.message.ChunkStreams;
import io.millrace.rtmp.message.MessageType;
import io.millrace.rtmp.message.RtmpMessage;
import io.millrace.server.monitor.AccessLog;
import io.millrace.server.session.NetStream;
import io.millrace.server.session.Playback;
import io.millrace.server.session.RtmpSession;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.util.concurrent.ScheduledFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * Plays one media file (FLV, MP4 family or MP3, through its {@link MediaReader}) on one NetStream, paced as FMS paces on-demand streams: the server runs ahead of
 * real time by the client's buffer length plus {@code bufferLeadMillis}, and never writes while the
 * socket is not writable, so a slow reader is not sent more and memory per viewer stays bounded by the
 * channel's write-buffer high-water mark. When the reader is that far ahead, it waits until a batch of
 * media (a quarter of the lead, at most 250 ms) is due and sends it in one write, rather than waking
 * for every frame.
 *
 * <p>File timestamps go out unchanged (after a seek too), as Flash Player expects for NetStream.time.
 * Frames are lent by the reader from its read-ahead window (one positional read for many frames; the
 * file is never read whole) and encoded straight into the connection's chunk stream
 * ({@link ChunkEncoder#writeBatched}): no buffer or message object per frame, one outbound buffer for many
 * frames. A playback that waits (for its pacing timer, or paused) keeps the frame it has read but not sent
 * in a buffer of its own and lets go of the reader's window.
 *
 * <p>At its end the playback hands over to its {@link NetStream}, which starts the next playlist item
 * or ends the stream (onPlayStatus NetStream.Play.Complete, StreamEOF, NetStream.Play.Stop: Red5's
 * order, one of the two that FMS clones use, fms-reference.md §2.4).
 *
 * <p>Timestamps are the file's plus the stream's timeline offset (non-zero for the second and later
 * items of a playlist).
 */
final class VodPlayback implements Playback {
    private static final Logger LOG = LoggerFactory.getLogger(VodPlayback.class);
    /** Tags written per turn of the event loop before yielding to other channels. */
    private static final int TAGS_PER_TURN = 128;
    /** Frames of the first turn after a start or seek: flushed at once, so that media begins promptly
     *  even when many plays start together on one event loop. */
    private static final int FIRST_TURN_TAGS = 8;
    /** Longest wait between sends when the lead is large (one batch of media per wake-up). */
    private static final long MAX_BATCH_MILLIS = 250;

    private final RtmpSession session;
    private final NetStream stream;
    private final Channel channel;
    private final String name;
    private final Path file;
    private final MediaIndex index;
    private final long requestedStart;
    private final long length;
    private final boolean reset;
    private final boolean sampleAccess;
    private final long leadMillis;
    private final long batchMillis;

    private final ChunkEncoder encoder;
    private MediaReader reader;
    /** The frame read and not sent yet, when {@link #hasFrame}: lent by the reader, or {@link #held}'s. */
    private final FrameRef frame = new FrameRef();
    private boolean hasFrame;
    /** The unsent frame's own copy while the playback waits (the reader's window let go), else null. */
    private MediaFrame held;
    private long bufferMillis;
    private long baseTimestamp;
    private long baseNanos;
    private final long offset;
    /** Timestamp of the previous frame of the leading kind (video, else audio) and the gap to it. */
    private long previousFrameTimestamp = -1;
    private long frameDuration;
    private long endTimestamp = -1;
    private long lastTimestamp;
    private long bytesSent;
    private boolean paused;
    private boolean closed;
    private boolean audio;
    private boolean video;
    private boolean waitForKeyframe;
    private boolean firstTurn = true;
    private ScheduledFuture<?> timer;

    VodPlayback(RtmpSession session, NetStream stream, String name, Path file, MediaIndex index,
                long start, long length, boolean reset, boolean sampleAccess, long leadMillis) {
        this.session = session;
        this.stream = stream;
        this.channel = session.channel();
        this.encoder = channel.pipeline().get(ChunkEncoder.class);
        this.name = name;
        this.file = file;
        this.index = index;
        this.requestedStart = Math.max(0, start);
        this.length = length;
        this.reset = reset;
        this.sampleAccess = sampleAccess;
        this.leadMillis = leadMillis;
        this.batchMillis = Math.min(MAX_BATCH_MILLIS, leadMillis / 4);
        this.audio = stream.receivingAudio();
        this.video = stream.receivingVideo();
        this.bufferMillis = stream.bufferLength();
        this.offset = stream.timelineOffset();
    }

    @Override
    public void accessFields(AccessLog.Entry e) {
        String fileName = file.getFileName().toString();
        int dot = fileName.lastIndexOf('.');
        e.set(AccessLog.Field.X_FILE_NAME, file)
                .set(AccessLog.Field.X_FILE_EXT, dot < 0 ? null : fileName.substring(dot + 1).toLowerCase(java.util.Locale.ROOT))
                .set(AccessLog.Field.X_FILE_SIZE, index.fileSize())
                .set(AccessLog.Field.X_FILE_LENGTH, String.format(java.util.Locale.ROOT, "%.3f", index.durationMs() / 1000.0))
                .set(AccessLog.Field.SC_STREAM_BYTES, bytesSent);
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public void start() {
        try {
            reader = index.openReader();
        } catch (IOException | RuntimeException e) {
            fail("Failed to open " + name + ": " + e.getMessage());
            return;
        }
        int id = stream.id();
        channel.write(new StreamIsRecorded(id));
        channel.write(new StreamBegin(id));
        if (reset) {
            channel.write(session.status(id, NetStreamStatus.PLAY_RESET, "Playing and resetting " + name + ".", name));
        }
        channel.write(session.status(id, NetStreamStatus.PLAY_START, "Started playing " + name + ".", name));
        session.write(DataMessage.of("|RtmpSampleAccess", id, 0, sampleAccess, sampleAccess));
        session.write(DataMessage.of("onStatus", id, 0, io.millrace.amf.AmfObject.of("code", NetStreamStatus.DATA_START.code())));
        try {
            long position = positionAt(requestedStart);
            if (length >= 0) {
                endTimestamp = Math.max(requestedStart, position) + length;
            }
            sendHeaders(position);
        } catch (IOException | RuntimeException e) {
            fail("Failed to read " + name + ": " + e.getMessage());
            return;
        }
        channel.flush();
        LOG.info("play {} stream={} start={} len={} file={}", session.describe(), name, requestedStart, length, file.getFileName());
        pump();
    }

    /** Positions the reader at the keyframe at or before {@code ms}; returns that keyframe's timestamp. */
    private long positionAt(long ms) throws IOException {
        releasePending();
        long ts = reader.seek(ms);
        baseTimestamp = ts;
        baseNanos = System.nanoTime();
        lastTimestamp = ts;
        waitForKeyframe = false;
        return ts;
    }

    /**
     * onMetaData, then the AVC and AAC sequence headers. The headers carry the start position's
     * timestamp; onMetaData carries 0, because ffmpeg's FLV reader (and so ffplay, VLC and rtmpdump's
     * files read by them) takes script data as metadata only at timestamp 0 and turns it into a stray
     * data packet anywhere else. Flash Player dispatches it at once either way.
     */
    private void sendHeaders(long timestamp) throws IOException {
        session.write(new DataMessage("onMetaData", java.util.List.of(index.metadata()), stream.id(), 0));
        for (MediaFrame config : reader.configFrames(channel.alloc())) {
            send(config, timestamp);
        }
    }

    @Override
    public void seek(long ms) {
        if (closed) {
            return;
        }
        cancelTimer();
        int id = stream.id();
        // The client seeks on the stream's timeline; a later playlist item's file starts at the offset.
        long ts;
        try {
            ts = positionAt(Math.max(0, ms - offset));
        } catch (IOException | RuntimeException e) {
            fail("Failed to seek in " + name + ": " + e.getMessage());
            return;
        }
        if (length >= 0) {
            endTimestamp = ts + length;
        }
        firstTurn = true;
        channel.write(new StreamIsRecorded(id));
        channel.write(new StreamBegin(id));
        channel.write(session.status(id, NetStreamStatus.SEEK_NOTIFY,
                "Seeking " + ms + " (stream ID: " + id + ").", name));
        channel.write(session.status(id, NetStreamStatus.PLAY_START, "Started playing " + name + ".", name));
        try {
            sendHeaders(ts);
        } catch (IOException | RuntimeException e) {
            fail("Failed to read " + name + ": " + e.getMessage());
            return;
        }
        channel.flush();
        LOG.debug("{}: seek {} to {} ms (keyframe at {} ms in the file)", session.describe(), name, ms, ts);
        if (!paused) {
            pump();
        }
    }

    @Override
    public void pause(boolean pause) {
        if (closed) {
            return;
        }
        int id = stream.id();
        if (pause) {
            paused = true;
            cancelTimer();
            park();
            channel.writeAndFlush(session.status(id, NetStreamStatus.PAUSE_NOTIFY, "Pausing " + name + ".", name));
        } else {
            boolean wasPaused = paused;
            paused = false;
            channel.write(new StreamBegin(id));
            channel.writeAndFlush(session.status(id, NetStreamStatus.UNPAUSE_NOTIFY, "Unpausing " + name + ".", name));
            if (wasPaused) {
                // Resume where sending stopped; the pacing clock restarts from there.
                baseTimestamp = lastTimestamp;
                baseNanos = System.nanoTime();
                pump();
            }
        }
    }

    @Override
    public void receiveAudio(boolean receive) {
        audio = receive;
    }

    @Override
    public void receiveVideo(boolean receive) {
        if (receive && !video) {
            waitForKeyframe = true; // a decoder cannot start from an inter frame
        }
        video = receive;
    }

    @Override
    public void bufferLength(long millis) {
        bufferMillis = millis;
        if (!paused && !closed) {
            pump();
        }
    }

    @Override
    public void onWritable() {
        if (!paused && !closed && timer == null) {
            pump();
        }
    }

    private void pump() {
        timer = null;
        if (closed || paused) {
            return;
        }
        int written = 0;
        int limit = firstTurn ? FIRST_TURN_TAGS : TAGS_PER_TURN;
        firstTurn = false;
        try {
            while (channel.isWritable()) {
                if (!hasFrame) {
                    if (!reader.next(frame, channel.alloc())) {
                        complete();
                        break;
                    }
                    hasFrame = true;
                }
                long ts = frame.timestamp();
                if (endTimestamp >= 0 && ts > endTimestamp && (frame.isAudio() || frame.isVideo())) {
                    complete();
                    break;
                }
                long elapsed = (System.nanoTime() - baseNanos) / 1_000_000;
                long allowed = baseTimestamp + elapsed + bufferMillis + leadMillis;
                if (ts > allowed) {
                    // Wake when a batch of media is due, not for every frame: one write (and one system
                    // call) per batch instead of one per frame. The lead covers the batch.
                    park();
                    schedule(ts - allowed + batchMillis);
                    break;
                }
                boolean sent = wanted(frame);
                if (sent) {
                    send(frame, ts);
                    lastTimestamp = ts;
                }
                boolean single = sent && length == 0 && frame.isVideo();
                consumed();
                if (single) {
                    complete(); // play(name, start, 0): a single frame
                    break;
                }
                if (++written >= limit) {
                    schedule(0);
                    break;
                }
            }
        } catch (IOException | RuntimeException e) {
            LOG.warn("{}: read error in {}: {}", session.describe(), name, e.toString());
            fail("Failed to read " + name + ": " + e.getMessage());
            return;
        }
        channel.flush();
    }

    /** The current frame has been sent or skipped. */
    private void consumed() {
        hasFrame = false;
        frame.clear();
        if (held != null) {
            held.release();
            held = null;
        }
    }

    /**
     * Before a wait: keeps the unsent frame in a buffer of its own and lets the reader drop its window, so
     * that a waiting playback holds one frame, not a window of them.
     */
    private void park() {
        if (hasFrame && held == null) {
            held = frame.toFrame(channel.alloc());
            ByteBuf body = held.content();
            frame.set(held.type(), held.timestamp(), held.isKeyframe(), held.isConfig(), 0, 0,
                    body, body.readerIndex(), body.readableBytes());
        }
        if (reader != null) {
            reader.idle();
        }
    }

    /** Whether a frame read from the file goes to the client (receiveAudio / receiveVideo). */
    private boolean wanted(FrameRef f) {
        if (f.isAudio()) {
            return audio;
        }
        if (f.isVideo()) {
            if (!video) {
                return false;
            }
            if (waitForKeyframe && !f.isConfig()) {
                if (!f.isKeyframe()) {
                    return false;
                }
                waitForKeyframe = false;
            }
            return true;
        }
        return true; // script data (cue points and the like) goes out at its time
    }

    private void send(FrameRef f, long timestamp) {
        int type = f.type();
        frameSent(f.isConfig(), f.isAudio(), f.isVideo(), timestamp, f.payloadLength());
        encoder.writeBatched(ChunkStreams.forMessage(type, stream.id()), type, timestamp + offset, stream.id(),
                f.prefix(), f.prefixLength(), f.data(), f.index(), f.length());
    }

    /** Sends a frame the playback owns (a sequence header); releases it. */
    private void send(MediaFrame tag, long timestamp) {
        int type = tag.type();
        frameSent(tag.isConfig(), tag.isAudio(), tag.isVideo(), timestamp, tag.content().readableBytes());
        RtmpMessage msg = new RtmpMessage(type, timestamp + offset, stream.id(), ChunkStreams.forMessage(type, stream.id()),
                tag.content().retain());
        tag.release();
        channel.write(msg);
    }

    private void frameSent(boolean config, boolean isAudio, boolean isVideo, long timestamp, int bytes) {
        bytesSent += bytes;
        if (!config && (isVideo || (isAudio && !index.hasVideo()))) {
            if (previousFrameTimestamp >= 0 && timestamp > previousFrameTimestamp) {
                frameDuration = timestamp - previousFrameTimestamp;
            }
            previousFrameTimestamp = timestamp;
        }
    }

    private void complete() {
        channel.flush();
        close();
        // The next item continues one frame after this one's last timestamp.
        long frame = Math.max(0, frameDuration);
        stream.playbackCompleted(this, lastTimestamp + offset, lastTimestamp + offset + frame, bytesSent);
    }

    private void fail(String description) {
        channel.writeAndFlush(session.status(stream.id(), NetStreamStatus.PLAY_FAILED, description, name));
        close();
        stream.playbackFailed(this);
    }

    private void schedule(long delayMillis) {
        if (timer == null && !closed) {
            timer = channel.eventLoop().schedule(this::pump, Math.max(delayMillis, 1), TimeUnit.MILLISECONDS);
        }
    }

    private void cancelTimer() {
        if (timer != null) {
            timer.cancel(false);
            timer = null;
        }
    }

    private void releasePending() {
        if (hasFrame) {
            consumed();
        }
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        cancelTimer();
        releasePending();
        if (reader != null) {
            try {
                reader.close();
            } catch (IOException e) {
                LOG.debug("closing {}: {}", file, e.toString());
            }
        }
    }
}
