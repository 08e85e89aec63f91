package io.millrace.media.mp4;

import io.millrace.amf.AmfObject;
import io.millrace.media.MediaFormatException;
import io.millrace.media.MediaIndex;
import io.millrace.media.MediaReader;

import java.io.IOException;
import java.nio.file.Path;

/**
 * An MP4-family file (MP4, F4V, MOV, M4A, M4V, 3GP; plain or fragmented) as a {@link MediaIndex}: the
 * sample tables of its first enabled video track and first audio track, in primitive arrays
 * ({@link Mp4Track}: 8 to 12 bytes per sample), and its onMetaData.
 *
 * <p><b>Tracks and codecs.</b> Video: H.264 ({@code avc1}/{@code avc3}), sent as FLV AVC packets
 * ({@code 17 00 00 00 00 <avcC>} sequence header, {@code 17|27 01 <cts SI24> <sample>} frames). Audio: AAC
 * ({@code mp4a} with an MPEG-4/MPEG-2 AAC object type; {@code AF 00 <AudioSpecificConfig>}, {@code AF 01
 * <sample>}) and MP3 ({@code .mp3}, or {@code mp4a} with object type 0x69/0x6B; one header byte from the
 * sample entry, no configuration frame). Any other codec of a chosen track (HEVC, AV1, VP9, Opus, FLAC,
 * AC-3 ...) leaves the file unplayable: {@link #unsupportedReason()} says why, the metadata still
 * describes it, and no sample table is built. This includes a supported audio track next to an
 * unsupported video one, and the reverse.
 *
 * <p><b>Timestamps.</b> Decode time in ms = round(dts × 1000 / timescale), half up, in 64-bit. A simple
 * edit list shifts the track (see {@link EditList}), which makes the times those ffprobe shows. When that
 * moves decode times before zero (the B-frame delay, AAC priming), the whole file (every track alike)
 * moves later by just enough to start at 0, as ffmpeg's FLV muxer does: RTMP timestamps cannot be
 * negative, and this keeps every relative time, A/V sync and strictly increasing decode times. The AVC
 * composition time (presentation ms minus timestamp, signed) carries B-frame reordering.
 *
 * <p><b>Metadata.</b> {@code videocodecid}/{@code audiocodecid} are the FLV numbers (7 AVC, 10 AAC, 2 MP3)
 * that FLV-style players and ffmpeg's FLV demuxer understand, not FMS's strings ("avc1", "mp4a"); the
 * FourCCs are in {@code trackinfo[].sampledescription[].sampletype}. An unsupported codec's id is its
 * FourCC as a number, as Enhanced RTMP writes it. See {@link Mp4Metadata} for the keys.
 *
 * <p><b>Seeking.</b> To the last video keyframe at or before the time (audio from the last audio sample
 * at or before that keyframe); audio-only files to the last audio sample at or before the time.
 *
 * <p>Immutable and thread-safe.
 */
public final class Mp4Index implements MediaIndex {
    private final Path path;
    private final long fileSize;
    private final long lastModifiedMillis;
    private final long durationMs;
    private final AmfObject metadata;
    private final boolean hasVideo;
    private final boolean hasAudio;
    private final Mp4Track video;
    private final Mp4Track audio;
    private final String unsupportedReason;
    private final long moovPosition;

    Mp4Index(Path path, long fileSize, long lastModifiedMillis, long durationMs, AmfObject metadata, boolean hasVideo,
             boolean hasAudio, Mp4Track video, Mp4Track audio, String unsupportedReason, long moovPosition) {
        this.path = path;
        this.fileSize = fileSize;
        this.lastModifiedMillis = lastModifiedMillis;
        this.durationMs = durationMs;
        this.metadata = metadata;
        this.hasVideo = hasVideo;
        this.hasAudio = hasAudio;
        Mp4Track v = video == null || video.count() == 0 ? null : video;
        Mp4Track a = audio == null || audio.count() == 0 ? null : audio;
        // One lead for the whole file: RTMP timestamps cannot be negative (see the class comment).
        long earliest = Math.min(v == null ? 0 : v.firstDecodeMs(), a == null ? 0 : a.firstDecodeMs());
        long lead = Math.max(0, -earliest);
        this.video = v == null ? null : v.withLead(lead);
        this.audio = a == null ? null : a.withLead(lead);
        this.unsupportedReason = unsupportedReason;
        this.moovPosition = moovPosition;
    }

    /**
     * Indexes an MP4-family file.
     *
     * @throws MediaFormatException (one line, starting with the file name) if the file is not an MP4 file
     *                              or its structure is broken
     */
    public static Mp4Index build(Path file) throws IOException {
        return Mp4IndexBuilder.build(file);
    }

    @Override
    public Path path() {
        return path;
    }

    @Override
    public long fileSize() {
        return fileSize;
    }

    @Override
    public long lastModifiedMillis() {
        return lastModifiedMillis;
    }

    @Override
    public long durationMs() {
        return durationMs;
    }

    @Override
    public AmfObject metadata() {
        return metadata.deepCopy();
    }

    @Override
    public boolean hasVideo() {
        return hasVideo;
    }

    @Override
    public boolean hasAudio() {
        return hasAudio;
    }

    @Override
    public String unsupportedReason() {
        return unsupportedReason;
    }

    /** Offset of the moov box in the file. */
    public long moovPosition() {
        return moovPosition;
    }

    /** Number of video samples that will play (0 without video or when unsupported). */
    public int videoSampleCount() {
        return video == null ? 0 : video.count();
    }

    /** Number of audio samples that will play (0 without audio or when unsupported). */
    public int audioSampleCount() {
        return audio == null ? 0 : audio.count();
    }

    @Override
    public long seekPointAtOrBefore(long ms) {
        return seekPosition(ms).timestamp();
    }

    /** Where playing from {@code ms} starts: a sample index per track and the returned timestamp. */
    record SeekPosition(int video, int audio, long timestamp) {
    }

    SeekPosition seekPosition(long ms) {
        if (video != null) {
            int k = video.keyframeAtOrBefore(ms);
            if (k < 0) {
                return start();
            }
            long t = video.timestampMs(k);
            int a = audio == null ? 0 : Math.max(0, audio.startSampleAtOrBefore(t));
            return new SeekPosition(k, a, t);
        }
        if (audio != null) {
            int a = audio.startSampleAtOrBefore(ms);
            return a < 0 ? start() : new SeekPosition(0, a, audio.timestampMs(a));
        }
        return start();
    }

    private SeekPosition start() {
        long t = Long.MAX_VALUE;
        if (video != null) {
            t = video.timestampMs(0);
        }
        if (audio != null) {
            t = Math.min(t, audio.timestampMs(0));
        }
        return new SeekPosition(0, 0, t == Long.MAX_VALUE ? 0 : t);
    }

    Mp4Track videoTrack() {
        return video;
    }

    Mp4Track audioTrack() {
        return audio;
    }

    /** Approximate heap bytes held by the sample tables (for sizing caches and benchmarks). */
    public long sampleTableBytes() {
        return (video == null ? 0 : video.retainedBytes()) + (audio == null ? 0 : audio.retainedBytes());
    }

    @Override
    public long retainedBytes() {
        return FIXED_BYTES + sampleTableBytes();
    }

    /**
     * Opens a reader on the file.
     *
     * @throws MediaFormatException with {@link #unsupportedReason()} when the file cannot be played
     */
    @Override
    public MediaReader openReader() throws IOException {
        if (unsupportedReason != null) {
            throw new MediaFormatException(unsupportedReason);
        }
        return new Mp4Reader(this);
    }

    @Override
    public String toString() {
        return "Mp4Index[" + path + ", " + durationMs + " ms, video " + video + ", audio " + audio
                + (unsupportedReason == null ? "" : ", unsupported: " + unsupportedReason) + "]";
    }
}
