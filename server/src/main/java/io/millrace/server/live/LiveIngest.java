package io.millrace.server.live;

import io.millrace.amf.AmfEncoding;
import io.millrace.amf.AmfObject;
import io.millrace.rtmp.chunk.ChunkWriter;
import io.millrace.rtmp.chunk.SharedMessage;
import io.millrace.rtmp.command.AmfMessageCodec;
import io.millrace.rtmp.command.DataMessage;
import io.millrace.rtmp.message.ChunkStreams;
import io.millrace.rtmp.message.MessageType;
import io.millrace.rtmp.message.RtmpMessage;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;

import java.util.List;

/**
 * What one publication puts into its {@link LiveStream}, whoever the publisher is (an encoder or a server-side
 * stream): turns media and data into {@link LiveFrame}s on the stream's timeline, each chunked once for every
 * viewer, keeps the stream's metadata, feeds the recorder, and counts what came in for monitoring.
 *
 * <p>Used on one thread at a time (the publisher's event loop); the figures are read by monitoring from any
 * thread.
 */
final class LiveIngest {
    private final LiveStream stream;
    private final LiveSource source;
    private final int chunkSize;
    private final ByteBufAllocator alloc;
    private FlvRecorder recorder;
    /** What a viewer that receives every frame on message stream 1 has been sent, header by header. */
    private final ChunkWriter model = new ChunkWriter();
    private final ByteBuf scratch = Unpooled.buffer(32);
    private final long startedNanos = System.nanoTime();
    // Statistics: written on the publisher's event loop, read by monitoring.
    private volatile long frames;
    private volatile long bytes;
    private volatile int videoCodecId = -1;
    private volatile int width;
    private volatile int height;
    private volatile int soundFormat = -1;
    private volatile long keyframeIntervalMillis;
    private long lastKeyframeTs = -1;
    /** Per-second buckets of video frames and media bytes, by second number modulo 8. */
    private final long[] bucketSecond = new long[8];
    private final long[] bucketVideoFrames = new long[8];
    private final long[] bucketBytes = new long[8];

    LiveIngest(LiveStream stream, LiveSource source, int chunkSize, ByteBufAllocator alloc) {
        this.stream = stream;
        this.source = source;
        this.chunkSize = chunkSize;
        this.alloc = alloc;
        this.model.setChunkSize(chunkSize);
    }

    LiveStream stream() {
        return stream;
    }

    void recordTo(FlvRecorder r) {
        this.recorder = r;
    }

    /** The recorder, or null when the publication is not recorded. */
    FlvRecorder recorder() {
        return recorder;
    }

    /**
     * An audio or video message at the publisher's 32-bit timestamp (mapped onto the stream's timeline, track 0
     * audio, 1 video). Borrows {@code payload}.
     */
    void media(int typeId, long timestamp32, ByteBuf payload) {
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
        stream.publish(source, new LiveFrame(LiveFrame.kindOf(typeId), m, ts, keyframe, config));
    }

    /**
     * The stream's metadata (onMetaData): marked as Millrace's, recorded, kept for new viewers and sent to those
     * watching. Takes {@code m} over.
     */
    void metadata(AmfObject m) {
        m.put("server", "Millrace");
        width = (int) m.getNumber("width", 0);
        height = (int) m.getNumber("height", 0);
        if (recorder != null) {
            recorder.metadata(m);
        }
        stream.metadata(source, dataFrame("onMetaData", List.of(m), true, 0));
    }

    /** {@code @clearDataFrame}: new viewers get no metadata. */
    void clearMetadata() {
        stream.metadata(source, null);
    }

    /** A data message (NetStream.send, a cue point) at the publisher's timestamp. */
    void data(String handler, List<Object> values, long timestamp32) {
        stream.publish(source, dataFrame(handler, values, false, timestamp32));
    }

    /** A data message already encoded as an AMF0 message body (a script tag of a file). Borrows {@code body}. */
    void encodedData(ByteBuf body, long timestamp32) {
        long ts = stream.map(2, timestamp32);
        SharedMessage m = SharedMessage.of(MessageType.DATA_AMF0, ChunkStreams.STREAM_COMMAND, body.retainedDuplicate(),
                chunkSize, alloc);
        stream.publish(source, new LiveFrame(LiveFrame.Kind.DATA, m, ts, false, false));
    }

    /** What was published goes out to the viewers now (or within the merge window). */
    void flush() {
        stream.flush();
    }

    private LiveFrame dataFrame(String handler, List<Object> values, boolean config, long timestamp32) {
        long ts = config ? stream.now() : stream.map(2, timestamp32);
        RtmpMessage encoded = AmfMessageCodec.encode(new DataMessage(handler, values, 0, 0), AmfEncoding.AMF0, alloc);
        SharedMessage m = SharedMessage.of(MessageType.DATA_AMF0, ChunkStreams.STREAM_COMMAND,
                encoded.content().retain(), chunkSize, alloc);
        encoded.release();
        return new LiveFrame(LiveFrame.Kind.DATA, m, ts, false, config);
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

    long startedNanos() {
        return startedNanos;
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
}
