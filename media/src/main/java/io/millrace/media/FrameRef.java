package io.millrace.media;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;

/**
 * One frame as a {@link MediaReader} lends it, without a buffer of its own: the RTMP message body is
 * {@link #prefixLength()} bytes of {@link #prefix()} (the FLV audio/video tag header that MP4 and MP3
 * samples lack: {@code 17 01 <cts24>} for an AVC keyframe, {@code AF 01} for AAC, {@code 2F} for MP3;
 * none for FLV, whose tags carry it) followed by {@link #length()} bytes of {@link #data()} from
 * {@link #index()}. The data lies in the reader's read-ahead buffer and is valid until the reader's next
 * call; copy it (into the outbound chunk stream, or with {@link #toFrame}) before then.
 *
 * <p>A mutable holder, reused for every frame of a stream; one thread.
 */
public final class FrameRef {
    /** Longest prefix: the five bytes of an AVC video tag header. */
    public static final int MAX_PREFIX = 8;

    private int type;
    private long timestamp;
    private boolean keyframe;
    private boolean config;
    private long prefix;
    private int prefixLength;
    private ByteBuf data;
    private int index;
    private int length;

    /**
     * Describes the next frame. {@code prefix} holds the {@code prefixLength} prefix bytes in its low
     * bytes, first byte most significant.
     */
    public void set(int type, long timestamp, boolean keyframe, boolean config, long prefix, int prefixLength,
                    ByteBuf data, int index, int length) {
        if (prefixLength < 0 || prefixLength > MAX_PREFIX) {
            throw new IllegalArgumentException("prefix of " + prefixLength + " bytes");
        }
        this.type = type;
        this.timestamp = timestamp;
        this.keyframe = keyframe;
        this.config = config;
        this.prefix = prefix;
        this.prefixLength = prefixLength;
        this.data = data;
        this.index = index;
        this.length = length;
    }

    /** Forgets the data (not owned: nothing is released). */
    public void clear() {
        data = null;
        length = 0;
        prefixLength = 0;
    }

    /** RTMP message type: {@link MediaFrame#AUDIO}, {@link MediaFrame#VIDEO} or {@link MediaFrame#DATA}. */
    public int type() {
        return type;
    }

    /** Decode timestamp in milliseconds. */
    public long timestamp() {
        return timestamp;
    }

    public boolean isKeyframe() {
        return keyframe;
    }

    public boolean isConfig() {
        return config;
    }

    public boolean isAudio() {
        return type == MediaFrame.AUDIO;
    }

    public boolean isVideo() {
        return type == MediaFrame.VIDEO;
    }

    public long prefix() {
        return prefix;
    }

    public int prefixLength() {
        return prefixLength;
    }

    /** The buffer holding the frame's bytes after the prefix (borrowed: do not release or move its indexes). */
    public ByteBuf data() {
        return data;
    }

    public int index() {
        return index;
    }

    public int length() {
        return length;
    }

    /** Length of the message body: prefix plus data. */
    public int payloadLength() {
        return prefixLength + length;
    }

    /** The frame copied into a buffer of its own from {@code alloc}, owned by the caller. */
    public MediaFrame toFrame(ByteBufAllocator alloc) {
        int size = payloadLength();
        ByteBuf body = alloc.buffer(size, size);
        for (int i = prefixLength - 1; i >= 0; i--) {
            body.writeByte((int) (prefix >>> (8 * i)));
        }
        if (length > 0) {
            body.writeBytes(data, index, length);
        }
        return new MediaFrame(type, timestamp, keyframe, config, body);
    }

    @Override
    public String toString() {
        return (type == MediaFrame.VIDEO ? "video" : type == MediaFrame.AUDIO ? "audio" : "data") + "@" + timestamp
                + (keyframe ? " key" : "") + (config ? " config" : "") + " len=" + payloadLength();
    }
}
