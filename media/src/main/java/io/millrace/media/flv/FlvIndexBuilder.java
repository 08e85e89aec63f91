package io.millrace.media.flv;

import io.millrace.amf.Amf0Reader;
import io.millrace.amf.AmfException;
import io.millrace.amf.AmfObject;
import io.millrace.media.MediaFormatException;
import io.millrace.media.codec.AacConfig;
import io.millrace.media.codec.AvcDecoderConfig;
import io.millrace.media.codec.AvcSps;
import io.millrace.media.codec.VideoDimensions;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.Map;

/**
 * Builds an {@link FlvIndex}: one pass over the tag headers (11 bytes plus the first few body bytes of
 * each tag, read through a 64 KiB window; bodies are skipped except the first onMetaData and the
 * first sequence headers), or, when the file's onMetaData carries a {@code keyframes} table that
 * checks out ({@link KeyframesTable}), a short pass over the first tags plus a walk back from the end
 * of the file along the PreviousTagSize fields.
 */
final class FlvIndexBuilder {
    private static final Logger LOG = LoggerFactory.getLogger(FlvIndexBuilder.class);

    private static final int WINDOW = 64 * 1024;
    /** Body bytes read with each tag header: enough for every header field classified here. */
    static final int HEAD_BYTES = 16;
    private static final int MAX_SCRIPT_SIZE = 16 << 20;
    private static final int MAX_CONFIG_SIZE = 1 << 20;
    /** Spacing of seek points in files without video. */
    static final long AUDIO_SEEK_SPACING_MS = 500;
    private static final int[] SOUND_RATES = {5512, 11025, 22050, 44100};

    private final FlvReader reader;
    final Path path;
    final long fileSize;
    final long lastModifiedMillis;
    private final long limit;
    private final boolean allowTable;

    private final byte[] window = new byte[WINDOW];
    private final ByteBuf windowBuf = Unpooled.wrappedBuffer(window);
    private long windowStart = -1;
    private int windowLength;

    // ---- what the scan found ----
    long metadataOffset = -1;
    AmfObject metadata;
    long videoSequenceHeaderOffset = -1;
    long audioSequenceHeaderOffset = -1;
    long firstMediaOffset = -1;
    long firstMediaTimestamp;
    long startTimestamp = Long.MAX_VALUE;
    int videoTags;
    int audioTags;
    int videoFrames;
    int audioFrames;
    long firstVideoTs = -1;
    long lastVideoTs = -1;
    long maxVideoTs = -1;
    boolean lastVideoKeyframe;
    long firstAudioTs = -1;
    long lastAudioTs = -1;
    long maxAudioTs = -1;
    int videoCodecId = -1;
    int audioCodecId = -1;
    int soundByte = -1;
    int width;
    int height;
    double spsFrameRate;
    AacConfig aacConfig;
    private boolean triedDimensions;
    private final LongList keyTimes = new LongList(256);
    private final LongList keyOffsets = new LongList(256);
    private final LongList audioPointTimes = new LongList(64);
    private final LongList audioPointOffsets = new LongList(64);
    private long scanEnd;
    private boolean stoppedForTable;

    // ---- keyframes table ----
    private KeyframesTable table;
    private KeyframesTable.Tail tail;
    boolean fromTable;

    // ---- results (set by finish) ----
    long[] keyframeTimes;
    long[] keyframeOffsets;
    boolean seekPointsFromAudio;
    long durationMs;
    double frameRate;
    int audioSampleRate;
    int audioChannels;
    boolean canSeekToEnd;

    FlvIndexBuilder(FlvReader reader, Path path, long fileSize, long lastModifiedMillis, boolean allowTable)
            throws IOException {
        this.reader = reader;
        this.path = path;
        this.fileSize = fileSize;
        this.lastModifiedMillis = lastModifiedMillis;
        this.limit = Math.min(fileSize, reader.size());
        this.allowTable = allowTable;
    }

    FlvIndex build() throws IOException {
        long pos = scan(reader.firstTagOffset(), allowTable);
        if (stoppedForTable) {
            if (table.verify(reader, limit, keyTimes, keyOffsets, scanEnd)) {
                tail = KeyframesTable.walkTail(reader, limit, videoFrames > 0, audioFrames > 0);
            }
            if (tail != null) {
                fromTable = true;
            } else {
                LOG.debug("{}: onMetaData keyframes table does not match the file; scanning all tags", path);
                table = null;
                scan(pos, false);
            }
        } else {
            // No table, or the scan reached the end of the file anyway: its own results are exact.
            table = null;
        }
        finish();
        return new FlvIndex(this);
    }

    // ---- the scan -------------------------------------------------------------------------------

    /** Scans tags from {@code pos}; returns where it stopped (end of data, or head done for the table). */
    private long scan(long pos, boolean stopForTable) throws IOException {
        while (true) {
            if (stopForTable && table != null && pos > table.headEnd()) {
                stoppedForTable = true;
                break;
            }
            long remaining = limit - pos;
            if (remaining < FlvTag.HEADER_SIZE) {
                break;
            }
            if (!ensure(pos, (int) Math.min(FlvTag.HEADER_SIZE + HEAD_BYTES, remaining))) {
                break;
            }
            int i = (int) (pos - windowStart);
            int first = window[i] & 0xFF;
            if (!FlvReader.isValidTagStart(first)) {
                LOG.warn("{}: no FLV tag at offset {} (first byte 0x{}); indexing stops there",
                        path, pos, Integer.toHexString(first));
                break;
            }
            int dataSize = windowBuf.getUnsignedMedium(i + 1);
            long ts = timestamp(windowBuf, i + 4);
            if (pos + FlvTag.HEADER_SIZE + dataSize > limit) {
                LOG.debug("{}: last tag at offset {} is truncated ({} data bytes declared, file ends at {})",
                        path, pos, dataSize, limit);
                break;
            }
            int headLength = Math.min(dataSize, HEAD_BYTES);
            int body = i + FlvTag.HEADER_SIZE;
            switch (first & 0x1F) {
                case FlvTag.VIDEO -> video(pos, ts, dataSize, body, headLength);
                case FlvTag.AUDIO -> audio(pos, ts, dataSize, body, headLength);
                case FlvTag.SCRIPT -> script(pos, dataSize);
                default -> {
                    // AMF3 script data: nothing to index
                }
            }
            pos += FlvTag.HEADER_SIZE + (long) dataSize + FlvTag.TRAILER_SIZE;
        }
        scanEnd = pos;
        return pos;
    }

    private void media(long pos, long ts) {
        if (firstMediaOffset < 0) {
            firstMediaOffset = pos;
            firstMediaTimestamp = ts;
        }
        startTimestamp = Math.min(startTimestamp, ts);
    }

    private void video(long pos, long ts, int dataSize, int body, int n) throws IOException {
        videoTags++;
        media(pos, ts);
        if (n == 0) {
            return;
        }
        if (videoCodecId < 0) {
            videoCodecId = TagBits.videoCodecId(windowBuf, body, n);
        }
        if (TagBits.videoSequenceHeader(windowBuf, body, n)) {
            if (videoSequenceHeaderOffset < 0) {
                videoSequenceHeaderOffset = pos;
                videoConfig(pos, dataSize, TagBits.videoCodecId(windowBuf, body, n),
                        TagBits.videoExHeader(windowBuf, body, n));
            }
        } else if (TagBits.videoFrame(windowBuf, body, n)) {
            videoFrames++;
            if (firstVideoTs < 0) {
                firstVideoTs = ts;
            }
            lastVideoTs = ts;
            maxVideoTs = Math.max(maxVideoTs, ts);
            lastVideoKeyframe = TagBits.videoKeyframe(windowBuf, body, n);
            // Timestamps that jump back (spliced files) would break the binary search: such key
            // frames are left out of the seek points.
            if (lastVideoKeyframe && (keyTimes.size() == 0 || ts >= keyTimes.get(keyTimes.size() - 1))) {
                keyTimes.add(ts);
                keyOffsets.add(pos);
            }
            if (!triedDimensions && width == 0) {
                frameDimensions(body, n);
            }
        }
    }

    private void audio(long pos, long ts, int dataSize, int body, int n) throws IOException {
        audioTags++;
        media(pos, ts);
        if (n == 0) {
            return;
        }
        if (audioCodecId < 0) {
            audioCodecId = TagBits.audioCodecId(windowBuf, body, n);
            soundByte = windowBuf.getUnsignedByte(body);
        }
        if (TagBits.audioSequenceHeader(windowBuf, body, n)) {
            if (audioSequenceHeaderOffset < 0) {
                audioSequenceHeaderOffset = pos;
                audioConfig(pos, dataSize, TagBits.audioExHeader(windowBuf, body, n),
                        TagBits.audioCodecId(windowBuf, body, n));
            }
        } else if (TagBits.audioFrame(windowBuf, body, n)) {
            audioFrames++;
            if (firstAudioTs < 0) {
                firstAudioTs = ts;
            }
            lastAudioTs = ts;
            maxAudioTs = Math.max(maxAudioTs, ts);
            if (audioPointTimes.size() == 0
                    || ts >= audioPointTimes.get(audioPointTimes.size() - 1) + AUDIO_SEEK_SPACING_MS) {
                audioPointTimes.add(ts);
                audioPointOffsets.add(pos);
            }
        }
    }

    private void script(long pos, int dataSize) throws IOException {
        if (metadataOffset >= 0 || dataSize == 0 || dataSize > MAX_SCRIPT_SIZE) {
            return;
        }
        byte[] body = readBody(pos, dataSize);
        ByteBuf buf = Unpooled.wrappedBuffer(body);
        try {
            Amf0Reader amf = new Amf0Reader(buf);
            Object name;
            try {
                name = amf.read();
            } catch (AmfException e) {
                LOG.debug("{}: script tag at offset {} does not start with an AMF0 value: {}", path, pos, e.getMessage());
                return;
            }
            if (!"onMetaData".equals(name)) {
                return;
            }
            metadataOffset = pos;
            try {
                Object value = amf.hasMore() ? amf.read() : null;
                metadata = toMetadata(value);
            } catch (AmfException e) {
                LOG.warn("{}: onMetaData at offset {} is malformed: {}", path, pos, e.getMessage());
                metadata = null;
            }
            if (metadata != null && allowTable) {
                table = KeyframesTable.from(metadata);
            }
        } finally {
            buf.release();
        }
    }

    private static AmfObject toMetadata(Object value) {
        if (value instanceof AmfObject o) {
            return o;
        }
        if (value instanceof Map<?, ?> m) {
            AmfObject o = new AmfObject(null, true);
            m.forEach((k, v) -> o.put(String.valueOf(k), v));
            return o;
        }
        return null;
    }

    private void videoConfig(long pos, int dataSize, int codecId, boolean exHeader) throws IOException {
        boolean avc = exHeader ? codecId == TagBits.FOURCC_AVC1 : codecId == FlvTag.CODEC_AVC;
        if (!avc || dataSize <= 5 || dataSize > MAX_CONFIG_SIZE) {
            return;
        }
        byte[] body = readBody(pos, dataSize);
        try {
            AvcDecoderConfig config = AvcDecoderConfig.parse(body, 5, body.length - 5);
            AvcSps sps = config.firstSps();
            if (sps != null) {
                width = sps.width();
                height = sps.height();
                spsFrameRate = sps.frameRate();
                triedDimensions = true;
            }
        } catch (MediaFormatException e) {
            LOG.debug("{}: AVC sequence header at offset {} not understood: {}", path, pos, e.getMessage());
        }
    }

    private void audioConfig(long pos, int dataSize, boolean exHeader, int codecId) throws IOException {
        int skip;
        if (!exHeader) {
            skip = 2;
        } else if (codecId == 0x6D703461) { // "mp4a"
            skip = 5;
        } else {
            return;
        }
        if (dataSize <= skip || dataSize > MAX_CONFIG_SIZE) {
            return;
        }
        byte[] body = readBody(pos, dataSize);
        try {
            aacConfig = AacConfig.parse(body, skip, body.length - skip);
        } catch (MediaFormatException e) {
            LOG.debug("{}: AAC sequence header at offset {} not understood: {}", path, pos, e.getMessage());
        }
    }

    private void frameDimensions(int body, int n) {
        if (TagBits.videoExHeader(windowBuf, body, n)) {
            return;
        }
        int codec = windowBuf.getUnsignedByte(body) & 0x0F;
        try {
            VideoDimensions d;
            if (codec == FlvTag.CODEC_H263) {
                d = VideoDimensions.sorensonH263(window, body + 1, n - 1);
            } else if (codec == FlvTag.CODEC_SCREEN || codec == FlvTag.CODEC_SCREEN_V2) {
                d = VideoDimensions.screenVideo(window, body + 1, n - 1);
            } else {
                return;
            }
            width = d.width();
            height = d.height();
        } catch (MediaFormatException e) {
            LOG.debug("{}: picture size not readable: {}", path, e.getMessage());
        } finally {
            triedDimensions = true;
        }
    }

    // ---- results --------------------------------------------------------------------------------

    private void finish() {
        double videoInterval = interval(videoFrames, firstVideoTs, lastVideoTs);
        double audioInterval = interval(audioFrames, firstAudioTs, lastAudioTs);
        long endVideo = fromTable ? tail.videoTs() : maxVideoTs;
        long endAudio = fromTable ? tail.audioTs() : maxAudioTs;

        double metaRate = metadata == null ? 0
                : Math.max(metadata.getNumber("framerate", 0), metadata.getNumber("videoframerate", 0));
        if (!fromTable && videoFrames >= 2 && lastVideoTs > firstVideoTs) {
            frameRate = (videoFrames - 1) * 1000.0 / (lastVideoTs - firstVideoTs);
        } else if (metaRate > 0 && metaRate < 1000) {
            frameRate = metaRate;
        } else if (videoInterval > 0) {
            frameRate = 1000.0 / videoInterval;
        } else {
            frameRate = spsFrameRate;
        }
        frameRate = Math.round(frameRate * 1000) / 1000.0;

        audioInformation();

        double videoFrameMs = videoInterval > 0 ? videoInterval : frameRate > 0 ? 1000.0 / frameRate : 0;
        double audioFrameMs = audioInterval > 0 ? audioInterval : codecFrameMs();
        long end = -1;
        if (endVideo >= 0) {
            end = endVideo + Math.round(videoFrameMs);
        }
        if (endAudio >= 0) {
            end = Math.max(end, endAudio + Math.round(audioFrameMs));
        }
        if (startTimestamp == Long.MAX_VALUE) {
            startTimestamp = 0;
        }
        double metaSeconds = metadata == null ? 0 : metadata.getNumber("duration", 0);
        if (end >= 0) {
            durationMs = Math.max(0, end - startTimestamp);
            if (metaSeconds > 0 && Math.abs(metaSeconds * 1000 - durationMs) > 1000) {
                LOG.debug("{}: onMetaData says duration {} s, the tags say {} ms", path, metaSeconds, durationMs);
            }
        } else {
            durationMs = metaSeconds > 0 && metaSeconds < 4.3e6 ? Math.round(metaSeconds * 1000) : 0;
        }

        if (fromTable) {
            keyframeTimes = table.times();
            keyframeOffsets = table.offsets();
            canSeekToEnd = tail.videoKeyframe();
        } else if (keyTimes.size() == 0 && videoFrames == 0 && audioPointTimes.size() > 0) {
            keyframeTimes = audioPointTimes.toArray();
            keyframeOffsets = audioPointOffsets.toArray();
            seekPointsFromAudio = true;
        } else {
            keyframeTimes = keyTimes.toArray();
            keyframeOffsets = keyOffsets.toArray();
            canSeekToEnd = videoFrames > 0 && lastVideoKeyframe;
        }
        if (firstMediaOffset < 0) {
            firstMediaOffset = reader.firstTagOffset();
        }
    }

    private static double interval(int frames, long first, long last) {
        return frames >= 2 && last > first ? (double) (last - first) / (frames - 1) : 0;
    }

    private void audioInformation() {
        if (aacConfig != null) {
            audioSampleRate = aacConfig.outputSampleRate();
            audioChannels = aacConfig.channels();
            return;
        }
        if (soundByte < 0 || soundByte >> 4 == FlvTag.SOUND_EX_HEADER) {
            return;
        }
        int format = soundByte >> 4;
        switch (format) {
            case 4, 11 -> {
                audioSampleRate = 16000;
                audioChannels = 1;
            }
            case 5 -> {
                audioSampleRate = 8000;
                audioChannels = 1;
            }
            case 7, 8, 14 -> {
                audioSampleRate = 8000;
                audioChannels = (soundByte & 1) + 1;
            }
            default -> {
                audioSampleRate = SOUND_RATES[soundByte >> 2 & 3];
                audioChannels = (soundByte & 1) + 1;
            }
        }
    }

    /** Duration of one audio frame from the codec, for files with a single audio frame. */
    private double codecFrameMs() {
        if (audioSampleRate <= 0) {
            return 0;
        }
        if (aacConfig != null) {
            return 1024 * 1000.0 / aacConfig.sampleRate();
        }
        if (soundByte >> 4 == FlvTag.SOUND_MP3) {
            return 1152 * 1000.0 / audioSampleRate;
        }
        return 0;
    }

    // ---- file access ----------------------------------------------------------------------------

    static long timestamp(ByteBuf buf, int index) {
        return buf.getUnsignedMedium(index) | (long) buf.getUnsignedByte(index + 3) << 24;
    }

    /** Makes {@code [pos, pos + n)} available in the window; false if the file ends first. */
    private boolean ensure(long pos, int n) throws IOException {
        if (pos >= windowStart && pos + n <= windowStart + windowLength && windowStart >= 0) {
            return true;
        }
        int want = (int) Math.min(WINDOW, limit - pos);
        windowStart = pos;
        windowLength = want <= 0 ? 0 : reader.readAtMost(ByteBuffer.wrap(window, 0, want), pos);
        return n <= windowLength;
    }

    /** The whole body of the tag at {@code pos}. */
    private byte[] readBody(long pos, int dataSize) throws IOException {
        byte[] body = new byte[dataSize];
        long from = pos + FlvTag.HEADER_SIZE;
        if (from >= windowStart && from + dataSize <= windowStart + windowLength) {
            System.arraycopy(window, (int) (from - windowStart), body, 0, dataSize);
        } else {
            reader.readFully(ByteBuffer.wrap(body), from);
        }
        return body;
    }
}
