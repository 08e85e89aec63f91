package io.millrace.media.flv;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.DefaultByteBufHolder;

/**
 * One FLV tag: its type, timestamp, where it was in the file, and its data, i.e. the tag body that
 * becomes an RTMP message payload byte for byte (audio/video tag header included).
 *
 * <p>The tag owns its data buffer; release the tag (or hand it on) when done. Timestamps are the
 * 24-bit Timestamp with TimestampExtended as its high 8 bits: an unsigned 32-bit value in a long.
 */
public final class FlvTag extends DefaultByteBufHolder {
    /** TagType of audio tags (also the RTMP message type). */
    public static final int AUDIO = 8;
    /** TagType of video tags. */
    public static final int VIDEO = 9;
    /** TagType of AMF3 script data (Enhanced RTMP). */
    public static final int SCRIPT_AMF3 = 15;
    /** TagType of AMF0 script data (onMetaData, cue points). */
    public static final int SCRIPT = 18;
    /** Bytes in a tag header (before the data). */
    public static final int HEADER_SIZE = 11;
    /** Bytes in the PreviousTagSize field after every tag. */
    public static final int TRAILER_SIZE = 4;
    /** Largest DataSize a tag can declare (UI24). */
    public static final int MAX_DATA_SIZE = 0xFFFFFF;

    /** Video CodecID: Sorenson H.263. */
    public static final int CODEC_H263 = 2;
    /** Video CodecID: Screen video. */
    public static final int CODEC_SCREEN = 3;
    /** Video CodecID: On2 VP6. */
    public static final int CODEC_VP6 = 4;
    /** Video CodecID: On2 VP6 with alpha. */
    public static final int CODEC_VP6_ALPHA = 5;
    /** Video CodecID: Screen video version 2. */
    public static final int CODEC_SCREEN_V2 = 6;
    /** Video CodecID: AVC (H.264). */
    public static final int CODEC_AVC = 7;
    /** SoundFormat: MP3. */
    public static final int SOUND_MP3 = 2;
    /** SoundFormat: AAC. */
    public static final int SOUND_AAC = 10;
    /** SoundFormat value that announces an Enhanced RTMP audio ExHeader. */
    public static final int SOUND_EX_HEADER = 9;

    private final int type;
    private final long timestamp;
    private final long offset;
    private final boolean filtered;

    /**
     * A tag that did not come from a file (offset -1). Takes ownership of {@code data}.
     */
    public FlvTag(int type, long timestamp, ByteBuf data) {
        this(type, timestamp, -1, false, data);
    }

    /**
     * Takes ownership of {@code data}.
     *
     * @param type      TagType (8, 9, 18, ...)
     * @param timestamp milliseconds, 0 .. 2^32-1
     * @param offset    file offset of the tag header, or -1
     * @param filtered  the Filter bit (encrypted / pre-processed data)
     */
    public FlvTag(int type, long timestamp, long offset, boolean filtered, ByteBuf data) {
        super(data);
        if (type < 0 || type > 31) {
            throw new IllegalArgumentException("tag type " + type);
        }
        this.type = type;
        this.timestamp = timestamp & 0xFFFFFFFFL;
        this.offset = offset;
        this.filtered = filtered;
    }

    public int type() {
        return type;
    }

    /** Milliseconds (DTS for video), unsigned 32-bit. */
    public long timestamp() {
        return timestamp;
    }

    /** File offset of the tag header, or -1 for a tag not read from a file. */
    public long offset() {
        return offset;
    }

    /** The Filter bit: the data is encrypted or pre-processed (FLV Annex F). */
    public boolean isFiltered() {
        return filtered;
    }

    /** The tag body (same buffer as {@link #content()}); the tag keeps ownership. */
    public ByteBuf data() {
        return content();
    }

    public int dataSize() {
        return content().readableBytes();
    }

    /** Bytes the tag takes in a file: header, data and the PreviousTagSize that follows. */
    public long totalSize() {
        return HEADER_SIZE + (long) dataSize() + TRAILER_SIZE;
    }

    /** File offset of the next tag, or -1 when this tag did not come from a file. */
    public long nextOffset() {
        return offset < 0 ? -1 : offset + totalSize();
    }

    public boolean isAudio() {
        return type == AUDIO;
    }

    public boolean isVideo() {
        return type == VIDEO;
    }

    /** AMF0 (18) or AMF3 (15) script data. */
    public boolean isScript() {
        return type == SCRIPT || type == SCRIPT_AMF3;
    }

    /** A video coded frame with FrameType 1 (key frame); sequence headers are not key frames. */
    public boolean isKeyframe() {
        ByteBuf d = content();
        return isVideo() && TagBits.videoKeyframe(d, d.readerIndex(), d.readableBytes());
    }

    /**
     * A codec configuration tag: AVC/HEVC sequence header (AVCPacketType 0), AAC sequence header
     * (AACPacketType 0), or an Enhanced RTMP SequenceStart.
     */
    public boolean isSequenceHeader() {
        ByteBuf d = content();
        if (isVideo()) {
            return TagBits.videoSequenceHeader(d, d.readerIndex(), d.readableBytes());
        }
        return isAudio() && TagBits.audioSequenceHeader(d, d.readerIndex(), d.readableBytes());
    }

    /** A coded video picture or coded audio frame (not configuration, end of sequence, or commands). */
    public boolean isFrame() {
        ByteBuf d = content();
        if (isVideo()) {
            return TagBits.videoFrame(d, d.readerIndex(), d.readableBytes());
        }
        return isAudio() && TagBits.audioFrame(d, d.readerIndex(), d.readableBytes());
    }

    /**
     * Video CodecID or audio SoundFormat; for Enhanced RTMP ExHeaders the FourCC as a big-endian int
     * (e.g. {@code hvc1} = 0x68766331). -1 for script tags, empty bodies or unreadable headers.
     */
    public int codecId() {
        ByteBuf d = content();
        if (isVideo()) {
            return TagBits.videoCodecId(d, d.readerIndex(), d.readableBytes());
        }
        if (isAudio()) {
            return TagBits.audioCodecId(d, d.readerIndex(), d.readableBytes());
        }
        return -1;
    }

    /** Video FrameType (1 key, 2 inter, 3 disposable, 4 generated key, 5 info/command), else -1. */
    public int frameType() {
        ByteBuf d = content();
        return isVideo() ? TagBits.videoFrameType(d, d.readerIndex(), d.readableBytes()) : -1;
    }

    /** CompositionTime (PTS - DTS, ms, signed) of an AVC/HEVC coded frame; 0 otherwise. */
    public int compositionTime() {
        ByteBuf d = content();
        return isVideo() ? TagBits.compositionTime(d, d.readerIndex(), d.readableBytes()) : 0;
    }

    @Override
    public FlvTag copy() {
        return replace(content().copy());
    }

    @Override
    public FlvTag duplicate() {
        return replace(content().duplicate());
    }

    @Override
    public FlvTag retainedDuplicate() {
        return replace(content().retainedDuplicate());
    }

    /** A tag with the same header fields and the given data (ownership of {@code content} passes). */
    @Override
    public FlvTag replace(ByteBuf content) {
        return new FlvTag(type, timestamp, offset, filtered, content);
    }

    @Override
    public FlvTag retain() {
        super.retain();
        return this;
    }

    @Override
    public FlvTag retain(int increment) {
        super.retain(increment);
        return this;
    }

    @Override
    public FlvTag touch() {
        super.touch();
        return this;
    }

    @Override
    public FlvTag touch(Object hint) {
        super.touch(hint);
        return this;
    }

    @Override
    public String toString() {
        return "FlvTag(type=" + type + ", ts=" + timestamp + ", offset=" + offset + ", size="
                + (refCnt() > 0 ? String.valueOf(dataSize()) : "released") + ")";
    }
}
