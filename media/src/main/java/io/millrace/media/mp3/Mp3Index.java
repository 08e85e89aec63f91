package io.millrace.media.mp3;

import io.millrace.amf.AmfObject;
import io.millrace.media.MediaFormatException;
import io.millrace.media.MediaIndex;
import io.millrace.media.MediaReader;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;

/**
 * An MP3 file (MPEG-1/2/2.5 audio, Layer III; Layers I and II are indexed the same way) as a
 * {@link MediaIndex}: the file offset of every audio frame, found by one scan of the frame headers
 * (see {@link Mp3IndexBuilder}), the ID3 fields, and what the first audio frame says about the stream.
 *
 * <p>Every frame of a stream lasts the same number of samples, so frame {@code i} plays at
 * {@code round(i * samplesPerFrame * 1000 / sampleRate)} ms: only offsets are stored, as {@code int}s
 * relative to the first frame (or {@code long}s for files over 2 GiB). Duration is the scanned frame
 * count times the frame duration; a Xing/Info or VBRI header is only compared with it. Every frame is a
 * seek point.
 *
 * <p>Immutable and thread-safe.
 */
public final class Mp3Index implements MediaIndex {
    /** FLV SoundFormat of MP3. */
    public static final int SOUND_FORMAT_MP3 = 2;
    /** FLV SoundFormat of MP3 at 8 kHz. */
    public static final int SOUND_FORMAT_MP3_8K = 14;

    private final Path path;
    private final long fileSize;
    private final long lastModifiedMillis;
    private final Id3Tags tags;
    private final long audioStart;
    private final long audioEnd;
    private final MpegAudioHeader firstHeader;
    private final int sampleRate;
    private final int samplesPerFrame;
    private final int frameCount;
    private final long base;
    private final int[] relativeOffsets; // null when offsets is used
    private final long[] offsets;
    private final long audioBytes;
    private final String vbrHeaderType;
    private final long vbrHeaderFrames;
    private final long skippedBytes;
    private final boolean truncated;
    private final long durationMs;

    Mp3Index(Mp3IndexBuilder b) {
        this.path = b.path;
        this.fileSize = b.fileSize;
        this.lastModifiedMillis = b.lastModifiedMillis;
        this.tags = b.tags;
        this.audioStart = b.audioStart;
        this.audioEnd = b.audioEnd;
        this.firstHeader = b.firstHeader;
        this.sampleRate = firstHeader.sampleRate();
        this.samplesPerFrame = firstHeader.samplesPerFrame();
        this.frameCount = b.frameCount;
        this.base = b.offsets[0];
        long span = b.offsets[frameCount - 1] - base;
        if (span <= Integer.MAX_VALUE) {
            relativeOffsets = new int[frameCount];
            for (int i = 0; i < frameCount; i++) {
                relativeOffsets[i] = (int) (b.offsets[i] - base);
            }
            offsets = null;
        } else {
            relativeOffsets = null;
            offsets = b.offsets;
        }
        this.audioBytes = b.audioBytes;
        this.vbrHeaderType = b.vbrHeaderType;
        this.vbrHeaderFrames = b.vbrHeaderFrames;
        this.skippedBytes = b.skippedBytes;
        this.truncated = b.truncated;
        this.durationMs = timeOf(frameCount);
    }

    /**
     * Indexes {@code file}.
     *
     * @throws MediaFormatException when it is empty, holds no MPEG audio frames (two valid headers in
     *                              a row) or starts with a truncated ID3v2 tag
     * @throws IOException          when it cannot be read
     */
    public static Mp3Index build(Path file) throws IOException {
        Path real = file.toRealPath();
        BasicFileAttributes attrs = Files.readAttributes(real, BasicFileAttributes.class);
        try (FileChannel channel = FileChannel.open(real, StandardOpenOption.READ)) {
            long size = Math.min(attrs.size(), channel.size());
            Mp3IndexBuilder builder = new Mp3IndexBuilder(real, size, attrs.lastModifiedTime().toMillis());
            return builder.build(new ByteWindow(channel, size, ByteWindow.DEFAULT_CAPACITY));
        } catch (RuntimeException e) {
            throw new MediaFormatException("cannot index MP3 file " + real + ": " + e, e);
        }
    }

    /**
     * The FLV/RTMP audio tag header byte for MP3 at {@code sampleRate} Hz with {@code channels} channels:
     * SoundFormat 2 (14 at 8 kHz), SoundRate 3 from 32 kHz up, 2 from 16 kHz, 1 from 11.025 kHz, else 0,
     * SoundSize 1 (16-bit), SoundType 1 for two channels.
     */
    public static int flvSoundByte(int sampleRate, int channels) {
        int format = sampleRate == 8000 ? SOUND_FORMAT_MP3_8K : SOUND_FORMAT_MP3;
        int rate = sampleRate >= 32000 ? 3 : sampleRate >= 16000 ? 2 : sampleRate >= 11025 ? 1 : 0;
        return format << 4 | rate << 2 | 1 << 1 | (channels >= 2 ? 1 : 0);
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

    /** Frame count times frame duration, rounded to the millisecond. */
    @Override
    public long durationMs() {
        return durationMs;
    }

    /**
     * An ECMA array: {@code duration} (s), {@code audiocodecid} (the SoundFormat of the frames: 2, or 14
     * at 8 kHz), {@code audiosamplerate}, {@code audiochannels}, {@code stereo}, {@code audiodatarate}
     * (average kbit/s of the audio frames), then those of {@code title}, {@code artist}, {@code album},
     * {@code year}, {@code genre}, {@code comment} the ID3 tags have, as strings; always in this order.
     */
    @Override
    public AmfObject metadata() {
        AmfObject m = new AmfObject(null, true);
        double seconds = (double) frameCount * samplesPerFrame / sampleRate;
        m.put("duration", seconds);
        m.put("audiocodecid", (double) (soundByte() >>> 4));
        m.put("audiosamplerate", (double) sampleRate);
        m.put("audiochannels", (double) channels());
        m.put("stereo", channels() == 2);
        m.put("audiodatarate", averageBitrate() / 1000.0);
        putIfPresent(m, "title", tags.title());
        putIfPresent(m, "artist", tags.artist());
        putIfPresent(m, "album", tags.album());
        putIfPresent(m, "year", tags.year());
        putIfPresent(m, "genre", tags.genre());
        putIfPresent(m, "comment", tags.comment());
        return m;
    }

    private static void putIfPresent(AmfObject m, String key, String value) {
        if (value != null) {
            m.put(key, value);
        }
    }

    @Override
    public boolean hasVideo() {
        return false;
    }

    @Override
    public boolean hasAudio() {
        return true;
    }

    @Override
    public long seekPointAtOrBefore(long ms) {
        return timeOf(frameAtOrBefore(ms));
    }

    @Override
    public MediaReader openReader() throws IOException {
        return new Mp3Reader(this);
    }

    /** Number of audio frames (a Xing/Info/VBRI frame not counted). */
    public int frameCount() {
        return frameCount;
    }

    /** File offset of audio frame {@code i}. */
    public long frameOffset(int i) {
        if (i < 0 || i >= frameCount) {
            throw new IndexOutOfBoundsException("frame " + i + " of " + frameCount);
        }
        return relativeOffsets != null ? base + relativeOffsets[i] : offsets[i];
    }

    /** Timestamp of frame {@code i} in ms: {@code round(i * samplesPerFrame * 1000 / sampleRate)}. */
    public long frameTime(int i) {
        if (i < 0 || i >= frameCount) {
            throw new IndexOutOfBoundsException("frame " + i + " of " + frameCount);
        }
        return timeOf(i);
    }

    private long timeOf(long frames) {
        return (frames * samplesPerFrame * 1000 + sampleRate / 2) / sampleRate;
    }

    /**
     * The last frame whose timestamp is at or before {@code ms}: frame 0 for times before it, the last
     * frame for times past the end.
     */
    public int frameAtOrBefore(long ms) {
        if (ms <= 0) {
            return 0;
        }
        int last = frameCount - 1;
        if (ms >= timeOf(last)) {
            return last;
        }
        long i = Math.min(last, ms * sampleRate / (samplesPerFrame * 1000L));
        while (i < last && timeOf(i + 1) <= ms) {
            i++;
        }
        while (i > 0 && timeOf(i) > ms) {
            i--;
        }
        return (int) i;
    }

    /** The header of the first audio frame (version, layer, sample rate, channel mode, first bitrate). */
    public MpegAudioHeader firstHeader() {
        return firstHeader;
    }

    public int sampleRate() {
        return sampleRate;
    }

    /** 1 or 2, from the first frame's channel mode. */
    public int channels() {
        return firstHeader.channels();
    }

    public int samplesPerFrame() {
        return samplesPerFrame;
    }

    /** The audio tag header byte every frame is sent with (see {@link #flvSoundByte}). */
    public int soundByte() {
        return flvSoundByte(sampleRate, channels());
    }

    /** The frame offsets (4 bytes a frame, or 8 in a file of more than 4 GiB) and the fixed allowance. */
    @Override
    public long retainedBytes() {
        return FIXED_BYTES + (relativeOffsets != null ? 4L * relativeOffsets.length : offsets != null ? 8L * offsets.length : 0);
    }

    /** Total bytes of the audio frames. */
    public long audioBytes() {
        return audioBytes;
    }

    /** Average bitrate of the audio frames in bit/s. */
    public long averageBitrate() {
        return Math.round(audioBytes * 8.0 * sampleRate / ((double) frameCount * samplesPerFrame));
    }

    /** "Xing", "Info" or "VBRI" when the first frame held such a header, else null. */
    public String vbrHeaderType() {
        return vbrHeaderType;
    }

    /** The frame count the Xing/Info or VBRI header gives, or -1. */
    public long vbrHeaderFrames() {
        return vbrHeaderFrames;
    }

    /** The ID3 fields (ID3v2 first, then ID3v1 and appended tags). */
    public Id3Tags id3() {
        return tags;
    }

    /** Offset after the leading ID3v2 tag(s). */
    public long audioStart() {
        return audioStart;
    }

    /** Offset of the trailing tags (ID3v1, APE, Lyrics3), or the file size. */
    public long audioEnd() {
        return audioEnd;
    }

    /** Bytes between audioStart and audioEnd that were neither frames nor the VBR header frame. */
    public long skippedBytes() {
        return skippedBytes;
    }

    /** True when the file ends inside a frame (a truncated download), which was left out. */
    public boolean truncated() {
        return truncated;
    }

    @Override
    public String toString() {
        return "Mp3Index[" + path + ": " + firstHeader.versionName() + " Layer " + firstHeader.layer() + " "
                + sampleRate + " Hz " + channels() + " ch, " + frameCount + " frames, " + durationMs + " ms]";
    }
}
