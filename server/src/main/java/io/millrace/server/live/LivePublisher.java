package io.millrace.server.live;

import io.millrace.amf.AmfEncoding;
import io.millrace.amf.AmfObject;
import io.millrace.rtmp.chunk.ChunkWriter;
import io.millrace.rtmp.chunk.SharedMessage;
import io.millrace.rtmp.command.AmfMessageCodec;
import io.millrace.rtmp.command.DataMessage;
import io.millrace.rtmp.command.NetStreamStatus;
import io.millrace.rtmp.message.ChunkStreams;
import io.millrace.rtmp.message.MessageType;
import io.millrace.rtmp.message.RtmpMessage;
import io.millrace.server.monitor.AccessLog;
import io.millrace.server.session.NetStream;
import io.millrace.server.session.Publishing;
import io.millrace.server.session.RtmpSession;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.netty.util.concurrent.ScheduledFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A publication on a live stream, on the publisher's event loop: turns what the encoder sends into
 * {@link LiveFrame}s on the stream's timeline (each chunked once for all viewers), keeps the metadata
 * ({@code @setDataFrame onMetaData}), splits aggregate messages, feeds the recorder, and unpublishes a
 * publisher that has sent no media for {@code live.idleTimeoutMillis}.
 */
final class LivePublisher implements Publishing {
    private static final Logger LOG = LoggerFactory.getLogger(LivePublisher.class);

    private final LiveApplication app;
    private final RtmpSession session;
    private final NetStream netStream;
    private final LiveStream stream;
    private final String name;
    private final String query;
    private final int chunkSize;
    private final ByteBufAllocator alloc;
    private FlvRecorder recorder;
    /** What a viewer that receives every frame on message stream 1 has been sent, header by header. */
    private final ChunkWriter model = new ChunkWriter();
    private final ByteBuf scratch = Unpooled.buffer(32);
    private ScheduledFuture<?> idleCheck;
    private long lastMediaNanos = System.nanoTime();
    private final long startedNanos = System.nanoTime();
    private boolean closed;
    // Statistics: written on this publisher's event loop, read by monitoring.
    private volatile long frames;
    private volatile long bytes;
    private volatile int videoCodecId = -1;
    private volatile int width;
    private volatile int height;
    private volatile int soundFormat = -1;
    private volatile long keyframeIntervalMillis;
    private long lastKeyframeTs = -1;
    private volatile String publishType = "live";
    private final long publishTimeMillis = System.currentTimeMillis();
    /** Per-second buckets of video frames and media bytes, by second number modulo 8. */
    private final long[] bucketSecond = new long[8];
    private final long[] bucketVideoFrames = new long[8];
    private final long[] bucketBytes = new long[8];

    LivePublisher(LiveApplication app, RtmpSession session, NetStream netStream, LiveStream stream, String name,
                  String query, int chunkSize) {
        this.app = app;
        this.session = session;
        this.netStream = netStream;
        this.stream = stream;
        this.name = name;
        this.query = query;
        this.chunkSize = chunkSize;
        this.alloc = session.channel().alloc();
        this.model.setChunkSize(chunkSize);
    }

    @Override
    public String name() {
        return name;
    }

    /** The query part of the publish name ({@code name?key=...}), or null: kept for access checks. */
    String query() {
        return query;
    }


    void recordTo(FlvRecorder r) {
        this.recorder = r;
        netStream.access("record", name, 200, r.appending() ? "append" : "record",
                e -> e.set(AccessLog.Field.X_FILE_NAME, r.file()).set(AccessLog.Field.X_FILE_EXT, "flv"));
    }

    @Override
    public void accessFields(AccessLog.Entry e) {
        e.set(AccessLog.Field.CS_STREAM_BYTES, bytes).set(AccessLog.Field.X_COMMENT, publishType);
    }

    void watchIdle(long idleMillis) {
        if (idleMillis <= 0) {
            return;
        }
        long period = Math.max(50, Math.min(1000, idleMillis / 4));
        idleCheck = session.channel().eventLoop().scheduleAtFixedRate(() -> {
            if (!closed && System.nanoTime() - lastMediaNanos > TimeUnit.MILLISECONDS.toNanos(idleMillis)) {
                LOG.info("unpublish {} stream={} reason=idle (no media for {} ms)", session.describe(), name, idleMillis);
                session.channel().writeAndFlush(session.status(netStream.id(), NetStreamStatus.PUBLISH_IDLE,
                        name + " was unpublished: no media for " + idleMillis + " ms.", name));
                end(false);
                netStream.publishingEnded(this);
            }
        }, period, period, TimeUnit.MILLISECONDS);
    }

    @Override
    public void onMedia(RtmpMessage msg) {
        if (closed) {
            return;
        }
        lastMediaNanos = System.nanoTime();
        if (msg.typeId() == MessageType.AGGREGATE) {
            splitAggregate(msg);
        } else {
            media(msg.typeId(), msg.timestamp(), msg.content());
        }
    }

    /**
     * An aggregate message (type 22): FLV tags back to back, each followed by its 4-byte back pointer; their
     * timestamps are relative to the first one's, which the aggregate's own timestamp replaces.
     */
    private void splitAggregate(RtmpMessage msg) {
        ByteBuf b = msg.content();
        int at = b.readerIndex();
        int end = b.writerIndex();
        long first = -1;
        while (end - at >= 11) {
            int type = b.getUnsignedByte(at) & 0x1F;
            int size = b.getUnsignedMedium(at + 1);
            long ts = b.getUnsignedMedium(at + 4) | ((long) b.getUnsignedByte(at + 7) << 24);
            if (size > end - at - 11) {
                LOG.info("{} stream={}: aggregate message with a sub-message of {} bytes past its end; rest dropped",
                        session.describe(), name, size);
                return;
            }
            if (first < 0) {
                first = ts;
            }
            long stamped = (msg.timestamp() + (ts - first)) & 0xFFFFFFFFL;
            if (type == MessageType.AUDIO || type == MessageType.VIDEO) {
                media(type, stamped, b.slice(at + 11, size));
            } else if (type == MessageType.DATA_AMF0) {
                RtmpMessage data = new RtmpMessage(type, stamped, msg.streamId(), b.retainedSlice(at + 11, size));
                try {
                    onData(AmfMessageCodec.decodeData(data));
                } catch (RuntimeException e) {
                    LOG.info("{} stream={}: bad data message in an aggregate: {}", session.describe(), name, e.getMessage());
                } finally {
                    data.release();
                }
            }
            at += 11 + size + 4;
        }
    }

    /** Borrows {@code payload}. */
    private void media(int typeId, long timestamp32, ByteBuf payload) {
        boolean video = typeId == MessageType.VIDEO;
        if (payload.readableBytes() == 0) {
            return;
        }
        boolean config = video ? LiveFrame.isVideoConfig(payload) : LiveFrame.isAudioConfig(payload);
        boolean keyframe = video && !config && LiveFrame.isKeyframeType(payload);
        long ts = stream.map(video ? 1 : 0, timestamp32);
        countFrame(video, keyframe, config, ts, payload);
        if (recorder != null) {
            recorder.write(typeId, ts, payload, config);
        }
        int csid = video ? ChunkStreams.VIDEO : ChunkStreams.AUDIO;
        SharedMessage m = SharedMessage.of(typeId, csid, payload.retainedDuplicate(), chunkSize, alloc,
                predictHeader(csid, typeId, ts, payload.readableBytes()));
        stream.publish(this, new LiveFrame(LiveFrame.kindOf(typeId), m, ts, keyframe, config));
    }

    private void countFrame(boolean video, boolean keyframe, boolean config, long ts, ByteBuf payload) {
        int size = payload.readableBytes();
        frames++;
        bytes += size;
        int first = payload.getUnsignedByte(payload.readerIndex());
        if (video) {
            // Enhanced RTMP (IsExHeader) names the codec with a FourCC after the first byte.
            videoCodecId = (first & 0x80) != 0 && size >= 5 ? payload.getInt(payload.readerIndex() + 1) : first & 0x0F;
        } else {
            soundFormat = first >> 4;
        }
        if (keyframe) {
            if (lastKeyframeTs >= 0 && ts > lastKeyframeTs) {
                keyframeIntervalMillis = ts - lastKeyframeTs;
            }
            lastKeyframeTs = ts;
        }
        long second = System.nanoTime() / 1_000_000_000L;
        int slot = (int) (second & 7);
        if (bucketSecond[slot] != second) {
            bucketVideoFrames[slot] = 0;
            bucketBytes[slot] = 0;
            bucketSecond[slot] = second;
        }
        if (video && !config) {
            bucketVideoFrames[slot]++;
        }
        bucketBytes[slot] += size;
    }

    void publishType(String type) {
        this.publishType = type;
    }

    String publishType() {
        return publishType;
    }

    long publishTimeMillis() {
        return publishTimeMillis;
    }

    RtmpSession session() {
        return session;
    }

    NetStream netStream() {
        return netStream;
    }

    long framesIn() {
        return frames;
    }

    long bytesIn() {
        return bytes;
    }

    long keyframeIntervalMillis() {
        return keyframeIntervalMillis;
    }

    int videoCodecId() {
        return videoCodecId;
    }

    int width() {
        return width;
    }

    int height() {
        return height;
    }

    int soundFormat() {
        return soundFormat;
    }

    /** [video frames per second, bits per second] over the last complete seconds (up to 5). Any thread (racy, for monitoring). */
    double[] rates() {
        long now = System.nanoTime() / 1_000_000_000L;
        // Whole seconds only: not the current one, nor the one the publication began in.
        long from = Math.max(now - 5, startedNanos / 1_000_000_000L + 1);
        if (from >= now) {
            return new double[] {0, 0};
        }
        int seconds = (int) (now - from);
        long framesSum = 0;
        long bytesSum = 0;
        for (long sec = from; sec < now; sec++) {
            int slot = (int) (sec & 7);
            if (bucketSecond[slot] == sec) {
                framesSum += bucketVideoFrames[slot];
                bytesSum += bucketBytes[slot];
            }
        }
        return new double[] {(double) framesSum / seconds, bytesSum * 8.0 / seconds};
    }

    /**
     * The first-chunk header of this frame for a viewer on message stream 1 that received the previous frame
     * of the track: the same for every such viewer, since fmt 1..3 headers carry the delta, not the time.
     * Null when it would be a fmt-0 header (absolute time) or need an extended timestamp.
     */
    private byte[] predictHeader(int csid, int typeId, long ts, int length) {
        scratch.clear();
        int fmt = model.writeHeader(csid, typeId, ts, 1, length, scratch);
        int expected = 1 + (fmt == 1 ? 7 : fmt == 2 ? 3 : 0);
        if (fmt == 0 || scratch.readableBytes() != expected) {
            return null;
        }
        byte[] h = new byte[expected];
        scratch.getBytes(0, h);
        return h;
    }

    @Override
    public void onData(DataMessage data) {
        if (closed) {
            return;
        }
        String n = data.name();
        List<Object> values = data.values();
        if ("@setDataFrame".equals(n)) {
            if (values.size() >= 2 && values.get(0) instanceof String handler) {
                Object meta = values.get(1);
                if ("onMetaData".equals(handler)) {
                    AmfObject m = metadataObject(meta);
                    m.put("server", "Millrace");
                    width = (int) m.getNumber("width", 0);
                    height = (int) m.getNumber("height", 0);
                    if (recorder != null) {
                        recorder.metadata(m);
                    }
                    stream.metadata(this, dataFrame("onMetaData", List.of(m), true, 0));
                } else {
                    stream.publish(this, dataFrame(handler, values.subList(1, values.size()), false, data.timestamp()));
                }
            }
            return;
        }
        if ("@clearDataFrame".equals(n)) {
            stream.metadata(this, null);
            return;
        }
        stream.publish(this, dataFrame(n, values, false, data.timestamp()));
    }

    private static AmfObject metadataObject(Object meta) {
        if (meta instanceof AmfObject o) {
            AmfObject copy = o.deepCopy();
            return copy.isEcmaArray() ? copy : AmfObject.ecmaArray(copy);
        }
        if (meta instanceof Map<?, ?> m) {
            AmfObject a = new AmfObject();
            m.forEach((k, v) -> a.put(String.valueOf(k), v));
            return AmfObject.ecmaArray(a);
        }
        return AmfObject.ecmaArray(Map.of());
    }

    private LiveFrame dataFrame(String handler, List<Object> values, boolean config, long timestamp32) {
        long ts = config ? stream.now() : stream.map(2, timestamp32);
        RtmpMessage encoded = AmfMessageCodec.encode(new DataMessage(handler, values, 0, 0), AmfEncoding.AMF0, alloc);
        SharedMessage m = SharedMessage.of(MessageType.DATA_AMF0, ChunkStreams.STREAM_COMMAND,
                encoded.content().retain(), chunkSize, alloc);
        encoded.release();
        return new LiveFrame(LiveFrame.Kind.DATA, m, ts, false, config);
    }

    @Override
    public void onReadComplete() {
        stream.flush();
    }

    @Override
    public void close(String reason, boolean status) {
        if (closed) {
            return;
        }
        LOG.info("unpublish {} stream={} reason={} after {} s, {} frames, {} bytes", session.describe(), name, reason,
                String.format("%.1f", (System.nanoTime() - startedNanos) / 1e9), frames, bytes);
        end(status);
    }

    /** Stops recording (Record.Stop), then tells the publisher (Unpublish.Success) if asked, then the viewers. */
    private void end(boolean unpublishStatus) {
        if (closed) {
            return;
        }
        closed = true;
        if (idleCheck != null) {
            idleCheck.cancel(false);
        }
        boolean active = session.channel().isActive();
        if (recorder != null) {
            recorder.close();
            FlvRecorder r = recorder;
            long size = r.fileSize();
            netStream.access("recordstop", name, 200, null, e -> e.set(AccessLog.Field.X_FILE_NAME, r.file())
                    .set(AccessLog.Field.X_FILE_EXT, "flv").set(AccessLog.Field.X_FILE_SIZE, size < 0 ? null : size)
                    .set(AccessLog.Field.X_FILE_LENGTH, String.format(java.util.Locale.ROOT, "%.3f", r.lengthSeconds())));
            if (active) {
                session.channel().write(session.status(netStream.id(), NetStreamStatus.RECORD_STOP,
                        "Stopped recording " + name + ".", name));
            }
        }
        if (unpublishStatus && active) {
            session.channel().write(session.status(netStream.id(), NetStreamStatus.UNPUBLISH_SUCCESS,
                    name + " is now unpublished.", name));
        }
        if (active) {
            session.channel().flush();
        }
        stream.detach(this);
        app.released(stream);
    }
}
