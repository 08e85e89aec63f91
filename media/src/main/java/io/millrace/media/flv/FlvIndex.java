package io.millrace.media.flv;

import io.millrace.amf.AmfObject;
import io.millrace.media.MediaFormatException;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.Arrays;

/**
 * What a VOD player needs to know about an FLV file: where the metadata and the codec configuration
 * tags are, the key frames (time and file offset) for seeking, duration, codecs and picture size.
 *
 * <p>Immutable and compact (seek points in two {@code long[]}, nothing per tag), so it can be cached
 * and shared between threads; see {@link FlvIndexCache}.
 *
 * <p>All times are in milliseconds on the file's own timeline (tag timestamps). The index is built
 * from one scan of the tag headers, or, when the file's onMetaData has a {@code keyframes} object
 * ({@code times} in seconds, {@code filepositions}) that agrees with the tags it points at, from that
 * table plus a look at the first and the last tags; in that case the tag counts are unknown (-1).
 *
 * <p>In files without video, the seek points are audio frames at least
 * 500 ms apart ({@link #seekPointsFromAudio()}).
 */
public final class FlvIndex {
    private final Path path;
    private final long fileSize;
    private final long lastModifiedMillis;
    private final boolean fromKeyframesTable;
    private final long metadataOffset;
    private final AmfObject metadata;
    private final long videoSequenceHeaderOffset;
    private final long audioSequenceHeaderOffset;
    private final long firstMediaOffset;
    private final long firstMediaTimestamp;
    private final long startTimestamp;
    private final long durationMs;
    private final long[] keyframeTimes;
    private final long[] keyframeOffsets;
    private final boolean seekPointsFromAudio;
    private final int videoTagCount;
    private final int audioTagCount;
    private final int videoCodecId;
    private final int audioCodecId;
    private final int soundByte;
    private final int width;
    private final int height;
    private final double frameRate;
    private final int audioSampleRate;
    private final int audioChannels;
    private final boolean canSeekToEnd;

    FlvIndex(FlvIndexBuilder b) {
        this.path = b.path;
        this.fileSize = b.fileSize;
        this.lastModifiedMillis = b.lastModifiedMillis;
        this.fromKeyframesTable = b.fromTable;
        this.metadataOffset = b.metadataOffset;
        this.metadata = b.metadata == null ? null : b.metadata.deepCopy();
        this.videoSequenceHeaderOffset = b.videoSequenceHeaderOffset;
        this.audioSequenceHeaderOffset = b.audioSequenceHeaderOffset;
        this.firstMediaOffset = b.firstMediaOffset;
        this.firstMediaTimestamp = b.firstMediaTimestamp;
        this.startTimestamp = b.startTimestamp;
        this.durationMs = b.durationMs;
        this.keyframeTimes = b.keyframeTimes;
        this.keyframeOffsets = b.keyframeOffsets;
        this.seekPointsFromAudio = b.seekPointsFromAudio;
        this.videoTagCount = b.fromTable ? -1 : b.videoTags;
        this.audioTagCount = b.fromTable ? -1 : b.audioTags;
        this.videoCodecId = b.videoCodecId;
        this.audioCodecId = b.audioCodecId;
        this.soundByte = b.soundByte;
        this.width = b.width;
        this.height = b.height;
        this.frameRate = b.frameRate;
        this.audioSampleRate = b.audioSampleRate;
        this.audioChannels = b.audioChannels;
        this.canSeekToEnd = b.canSeekToEnd;
    }

    /**
     * Indexes {@code file}, using its onMetaData keyframes table when it checks out.
     *
     * @throws MediaFormatException if the file is not an FLV file
     */
    public static FlvIndex build(Path file) throws IOException {
        return build(file, true);
    }

    /**
     * Indexes {@code file}; with {@code useKeyframesTable} false every tag header is scanned even if
     * the metadata has a keyframes table.
     */
    public static FlvIndex build(Path file, boolean useKeyframesTable) throws IOException {
        Path real = file.toRealPath();
        BasicFileAttributes attrs = Files.readAttributes(real, BasicFileAttributes.class);
        try (FlvReader reader = new FlvReader(real)) {
            return new FlvIndexBuilder(reader, real, attrs.size(), attrs.lastModifiedTime().toMillis(),
                    useKeyframesTable).build();
        }
    }

    /** The indexed file (real path). */
    public Path path() {
        return path;
    }

    /** File size when indexed. */
    public long fileSize() {
        return fileSize;
    }

    /** File modification time when indexed, ms since the epoch. */
    public long lastModifiedMillis() {
        return lastModifiedMillis;
    }

    /** True when the seek points came from the onMetaData keyframes table (tag counts then -1). */
    public boolean fromKeyframesTable() {
        return fromKeyframesTable;
    }

    /**
     * Duration in ms: from the earliest media timestamp to the last audio or video frame's
     * timestamp plus one frame duration (estimated from the frame spacing). From the metadata's
     * {@code duration} only when the file has no media frames.
     */
    public long durationMs() {
        return durationMs;
    }

    /** Earliest audio/video timestamp seen (0 for ordinary files). */
    public long startTimestamp() {
        return startTimestamp;
    }

    /** Offset of the first onMetaData script tag, or -1. */
    public long metadataOffset() {
        return metadataOffset;
    }

    /**
     * A copy of the file's own onMetaData value (normally an ECMA array), or {@code null} when the
     * file has none or it could not be read. Use {@link #completeMetadata()} for what to send players.
     */
    public AmfObject metadata() {
        return metadata == null ? null : metadata.deepCopy();
    }

    /** The file's onMetaData completed with what the index knows; see {@link FlvMetadata#complete}. */
    public AmfObject completeMetadata() {
        return FlvMetadata.complete(this);
    }

    AmfObject metadataUnsafe() {
        return metadata;
    }

    /**
     * Offset of the first video sequence header tag (AVC sequence header, AVCPacketType 0; also
     * HEVC/Enhanced RTMP SequenceStart), or -1.
     */
    public long videoSequenceHeaderOffset() {
        return videoSequenceHeaderOffset;
    }

    /** Offset of the first audio sequence header tag (AAC AACPacketType 0 / ExHeader SequenceStart), or -1. */
    public long audioSequenceHeaderOffset() {
        return audioSequenceHeaderOffset;
    }

    /**
     * Offset of the first audio or video tag (where playing from the start begins, after onMetaData);
     * the first tag's offset when the file has no media tags.
     */
    public long firstMediaOffset() {
        return firstMediaOffset;
    }

    /** Timestamp of the tag at {@link #firstMediaOffset()}. */
    public long firstMediaTimestamp() {
        return firstMediaTimestamp;
    }

    /** Number of seek points (key frames). */
    public int keyframeCount() {
        return keyframeTimes.length;
    }

    public long keyframeTime(int i) {
        return keyframeTimes[i];
    }

    public long keyframeOffset(int i) {
        return keyframeOffsets[i];
    }

    /** Copy of the key frame times, ms, ascending. */
    public long[] keyframeTimes() {
        return keyframeTimes.clone();
    }

    /** Copy of the key frame tag offsets, ascending, parallel to {@link #keyframeTimes()}. */
    public long[] keyframeOffsets() {
        return keyframeOffsets.clone();
    }

    /** True when the file has no video and the seek points are audio frames. */
    public boolean seekPointsFromAudio() {
        return seekPointsFromAudio;
    }

    /**
     * Index of the last key frame at or before {@code ms} (the first of several with that same
     * time), or -1 when {@code ms} is before the first key frame or there are none.
     */
    public int keyframeIndexAtOrBefore(long ms) {
        int i = Arrays.binarySearch(keyframeTimes, ms);
        if (i < 0) {
            i = -i - 2; // insertion point - 1
        }
        while (i > 0 && keyframeTimes[i - 1] == keyframeTimes[i]) {
            i--;
        }
        return i;
    }

    /** Index of the first key frame at or after {@code ms}, or -1 when there is none. */
    public int keyframeIndexAtOrAfter(long ms) {
        int i = Arrays.binarySearch(keyframeTimes, ms);
        if (i < 0) {
            i = -i - 1;
        }
        while (i > 0 && keyframeTimes[i - 1] == ms) {
            i--;
        }
        return i < keyframeTimes.length ? i : -1;
    }

    /**
     * Index of the key frame closest to {@code ms} (the earlier one on a tie), FMS's default seek
     * behaviour; -1 when there are no key frames.
     */
    public int keyframeIndexClosest(long ms) {
        int before = keyframeIndexAtOrBefore(ms);
        int after = keyframeIndexAtOrAfter(ms);
        if (before < 0) {
            return after;
        }
        if (after < 0) {
            return before;
        }
        return ms - keyframeTimes[before] <= keyframeTimes[after] - ms ? before : after;
    }

    /**
     * File offset of the last key frame at or before {@code ms}; {@link #firstMediaOffset()} when
     * {@code ms} is before the first key frame or there are none.
     */
    public long keyframeOffsetAtOrBefore(long ms) {
        int i = keyframeIndexAtOrBefore(ms);
        return i < 0 ? firstMediaOffset : keyframeOffsets[i];
    }

    /**
     * Time of the key frame {@link #keyframeOffsetAtOrBefore} returns; {@link #firstMediaTimestamp()}
     * when there is none at or before {@code ms}.
     */
    public long keyframeTimeAtOrBefore(long ms) {
        int i = keyframeIndexAtOrBefore(ms);
        return i < 0 ? firstMediaTimestamp : keyframeTimes[i];
    }

    /** Number of video tags (sequence headers included), or -1 when built from the keyframes table. */
    public int videoTagCount() {
        return videoTagCount;
    }

    /** Number of audio tags (sequence headers included), or -1 when built from the keyframes table. */
    public int audioTagCount() {
        return audioTagCount;
    }

    public boolean hasVideo() {
        return videoCodecId >= 0;
    }

    public boolean hasAudio() {
        return audioCodecId >= 0;
    }

    /**
     * Video CodecID of the first video tag (7 = AVC) or its Enhanced RTMP FourCC as an int; -1 when
     * the file has no video.
     */
    public int videoCodecId() {
        return videoCodecId;
    }

    /** SoundFormat of the first audio tag (10 = AAC) or its FourCC as an int; -1 without audio. */
    public int audioCodecId() {
        return audioCodecId;
    }

    /** SoundRate bits (0..3) of the first audio tag header, or -1. */
    public int soundRateBits() {
        return soundByte < 0 ? -1 : soundByte >> 2 & 3;
    }

    /** SoundSize bit (0 = 8-bit, 1 = 16-bit) of the first audio tag header, or -1. */
    public int soundSizeBits() {
        return soundByte < 0 ? -1 : soundByte >> 1 & 1;
    }

    /** SoundType bit (0 = mono, 1 = stereo) of the first audio tag header, or -1. */
    public int soundTypeBits() {
        return soundByte < 0 ? -1 : soundByte & 1;
    }

    /** Picture width from the AVC SPS (after cropping) or the H.263 / screen video header; 0 if unknown. */
    public int width() {
        return width;
    }

    /** Picture height; 0 if unknown. */
    public int height() {
        return height;
    }

    /**
     * Frames per second: from the video frame count and timestamps (or, for an index built from the
     * keyframes table, the metadata's framerate); 0 if unknown.
     */
    public double frameRate() {
        return frameRate;
    }

    /** Audio sample rate in Hz (AAC: from the AudioSpecificConfig, else the tag header); 0 if unknown. */
    public int audioSampleRate() {
        return audioSampleRate;
    }

    /** Audio channel count (AAC: from the AudioSpecificConfig, else the tag header); 0 if unknown. */
    public int audioChannels() {
        return audioChannels;
    }

    /** The last video frame is a key frame (onMetaData {@code canSeekToEnd}). */
    public boolean canSeekToEnd() {
        return canSeekToEnd;
    }

    @Override
    public String toString() {
        return "FlvIndex(" + path + ", " + fileSize + " bytes, " + durationMs + " ms, " + keyframeTimes.length
                + " key frames" + (fromKeyframesTable ? " from keyframes table" : "")
                + ", video " + videoCodecId + " " + width + "x" + height + " @" + frameRate
                + ", audio " + audioCodecId + " " + audioSampleRate + " Hz x" + audioChannels + ")";
    }
}
