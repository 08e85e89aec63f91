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
import java.util.List;
import java.util.Map;

/**
 * Builds an {@link FlvIndex}: one pass over the tag headers (11 bytes plus the first few body bytes of
 * each tag, read through a 64 KiB window; bodies are skipped except the first onMetaData and the
 * first sequence headers), or, when the file's onMetaData carries a {@code keyframes} table that
 * checks out, a short pass over the first tags plus a walk back from the end of the file along the
 * PreviousTagSize fields.
 */
final class FlvIndexBuilder {
    private static final Logger LOG = LoggerFactory.getLogger(FlvIndexBuilder.class);

    private static final int WINDOW = 64 * 1024;
    /** Body bytes read with each tag header: enough for every header field classified here. */
    private static final int HEAD_BYTES = 16;
    private static final int MAX_SCRIPT_SIZE = 16 << 20;
    private static final int MAX_CONFIG_SIZE = 1 << 20;
    private static final int MAX_TABLE_ENTRIES = 10_000_000;
    /** Table entries beyond the scanned head that are checked against the tags they point at. */
    private static final int TABLE_SAMPLES = 8;
    private static final int MAX_TAIL_STEPS = 4096;
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
    private long[] tableTimes;
    private long[] tableOffsets;
    boolean fromTable;
    private long tailVideoTs = -1;
    private long tailAudioTs = -1;
    private boolean tailVideoKeyframe;

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
            if (verifyTable() && walkTail()) {
                fromTable = true;
            } else {
                LOG.debug("{}: onMetaData keyframes table does not match the file; scanning all tags", path);
                tableTimes = null;
                tableOffsets = null;
                scan(pos, false);
            }
        } else if (tableTimes != null) {
            // The scan reached the end of the file anyway; its own results are exact.
            tableTimes = null;
            tableOffsets = null;
        }
        finish();
        return new FlvIndex(this);
    }

    // ---- the scan -------------------------------------------------------------------------------

    /** Scans tags from {@code pos}; returns where it stopped (end of data, or head done for the table). */
    private long scan(long pos, boolean stopForTable) throws IOException {
        while (true) {
            if (stopForTable && tableTimes != null
                    && pos > tableOffsets[Math.min(1, tableOffsets.length - 1)]) {
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
                readKeyframesTable(metadata);
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

    // ---- keyframes table ----------------------------------------------------------------------

    private void readKeyframesTable(AmfObject meta) {
        if (!(meta.get("keyframes") instanceof Map<?, ?> keyframes)) {
            return;
        }
        if (!(keyframes.get("times") instanceof List<?> times)
                || !(keyframes.get("filepositions") instanceof List<?> positions)) {
            return;
        }
        int n = times.size();
        if (n == 0 || n != positions.size() || n > MAX_TABLE_ENTRIES) {
            LOG.debug("{}: keyframes table has {} times and {} positions; ignored", path, n, positions.size());
            return;
        }
        long[] t = new long[n];
        long[] p = new long[n];
        for (int i = 0; i < n; i++) {
            if (!(times.get(i) instanceof Number tn) || !(positions.get(i) instanceof Number pn)) {
                return;
            }
            double seconds = tn.doubleValue();
            double position = pn.doubleValue();
            if (!(seconds >= 0 && seconds < 4.3e6) || !(position >= 0 && position < 9e15)
                    || position != Math.rint(position)) {
                return;
            }
            t[i] = Math.round(seconds * 1000);
            p[i] = (long) position;
        }
        tableTimes = t;
        tableOffsets = p;
    }

    /**
     * Structure, agreement with the tags scanned so far, and spot checks of the rest: every checked
     * position must hold a video key frame, and its timestamp must differ from the table's time by
     * the same constant for all checked entries (within 1 ms; ffmpeg's remuxer writes the times
     * before shifting timestamps for AAC priming, for instance). The times kept are the tags' own.
     */
    private boolean verifyTable() throws IOException {
        int n = tableTimes.length;
        for (int i = 1; i < n; i++) {
            if (tableOffsets[i] <= tableOffsets[i - 1] || tableTimes[i] < tableTimes[i - 1]) {
                return false;
            }
        }
        if (tableOffsets[0] < reader.firstTagOffset() || tableOffsets[n - 1] + FlvTag.HEADER_SIZE > limit) {
            return false;
        }
        int inHead = 0;
        while (inHead < n && tableOffsets[inHead] < scanEnd) {
            inHead++;
        }
        if (inHead != keyOffsets.size()) {
            return false;
        }
        long[] times = new long[n];
        boolean[] exact = new boolean[n];
        long shift = 0;
        boolean haveShift = false;
        for (int i = 0; i < inHead; i++) {
            if (tableOffsets[i] != keyOffsets.get(i)) {
                return false;
            }
            times[i] = keyTimes.get(i);
            exact[i] = true;
        }
        if (inHead < n) {
            int rest = n - inHead;
            int samples = Math.min(rest, TABLE_SAMPLES);
            for (int k = 0; k < samples; k++) {
                int i = samples == 1 ? n - 1 : inHead + (int) ((long) (rest - 1) * k / (samples - 1));
                long ts = keyframeTimestampAt(tableOffsets[i]);
                if (ts < 0) {
                    return false;
                }
                times[i] = ts;
                exact[i] = true;
            }
        }
        for (int i = 0; i < n; i++) {
            if (!exact[i]) {
                continue;
            }
            if (!haveShift) {
                shift = times[i] - tableTimes[i];
                haveShift = true;
            } else if (Math.abs(times[i] - (tableTimes[i] + shift)) > 1) {
                return false;
            }
        }
        for (int i = 0; i < n; i++) {
            if (!exact[i]) {
                times[i] = tableTimes[i] + shift;
            }
            if (times[i] < 0 || (i > 0 && times[i] < times[i - 1])) {
                return false;
            }
        }
        if (shift != 0) {
            LOG.debug("{}: keyframes table times are {} ms off the tag timestamps; corrected", path, -shift);
        }
        tableTimes = times;
        return true;
    }

    /** Timestamp of the video key frame tag at {@code pos}, or -1 if there is none there. */
    private long keyframeTimestampAt(long pos) throws IOException {
        long remaining = limit - pos;
        if (remaining < FlvTag.HEADER_SIZE + 1) {
            return -1;
        }
        byte[] head = new byte[(int) Math.min(FlvTag.HEADER_SIZE + HEAD_BYTES, remaining)];
        reader.readFully(ByteBuffer.wrap(head), pos);
        ByteBuf headBuf = Unpooled.wrappedBuffer(head);
        if ((head[0] & 0xFF) != FlvTag.VIDEO) {
            return -1;
        }
        int dataSize = headBuf.getUnsignedMedium(1);
        if (pos + FlvTag.HEADER_SIZE + dataSize > limit) {
            return -1;
        }
        int n = Math.min(dataSize, head.length - FlvTag.HEADER_SIZE);
        return TagBits.videoKeyframe(headBuf, FlvTag.HEADER_SIZE, n) ? timestamp(headBuf, 4) : -1;
    }

    /**
     * Walks back from the end of the file along the PreviousTagSize fields to the last video frame and
     * the last audio frame. False when a back pointer does not lead to a matching tag header (also
     * the case for a truncated file).
     */
    private boolean walkTail() throws IOException {
        boolean needVideo = videoFrames > 0;
        boolean needAudio = audioFrames > 0;
        long first = reader.firstTagOffset();
        long pos = limit;
        ByteBuffer back = ByteBuffer.allocate(FlvTag.TRAILER_SIZE);
        byte[] head = new byte[FlvTag.HEADER_SIZE + HEAD_BYTES];
        ByteBuf headBuf = Unpooled.wrappedBuffer(head);
        for (int steps = 0; needVideo || needAudio; steps++) {
            if (steps >= MAX_TAIL_STEPS || pos - FlvTag.TRAILER_SIZE - FlvTag.HEADER_SIZE < first) {
                return false;
            }
            back.clear();
            reader.readFully(back, pos - FlvTag.TRAILER_SIZE);
            long previousTagSize = back.getInt(0) & 0xFFFFFFFFL;
            long tagPos = pos - FlvTag.TRAILER_SIZE - previousTagSize;
            if (previousTagSize < FlvTag.HEADER_SIZE || tagPos < first) {
                return false;
            }
            ByteBuffer h = ByteBuffer.wrap(head, 0, (int) Math.min(head.length, previousTagSize));
            reader.readFully(h, tagPos);
            int firstByte = head[0] & 0xFF;
            int dataSize = headBuf.getUnsignedMedium(1);
            if (!FlvReader.isValidTagStart(firstByte) || FlvTag.HEADER_SIZE + dataSize != previousTagSize) {
                return false;
            }
            long ts = timestamp(headBuf, 4);
            int n = Math.min(dataSize, HEAD_BYTES);
            int type = firstByte & 0x1F;
            if (type == FlvTag.VIDEO && needVideo && TagBits.videoFrame(headBuf, FlvTag.HEADER_SIZE, n)) {
                tailVideoTs = ts;
                tailVideoKeyframe = TagBits.videoKeyframe(headBuf, FlvTag.HEADER_SIZE, n);
                needVideo = false;
            } else if (type == FlvTag.AUDIO && needAudio && TagBits.audioFrame(headBuf, FlvTag.HEADER_SIZE, n)) {
                tailAudioTs = ts;
                needAudio = false;
            }
            pos = tagPos;
        }
        return true;
    }

    // ---- results --------------------------------------------------------------------------------

    private void finish() {
        double videoInterval = interval(videoFrames, firstVideoTs, lastVideoTs);
        double audioInterval = interval(audioFrames, firstAudioTs, lastAudioTs);
        long endVideo = fromTable ? tailVideoTs : maxVideoTs;
        long endAudio = fromTable ? tailAudioTs : maxAudioTs;

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
            keyframeTimes = tableTimes;
            keyframeOffsets = tableOffsets;
            canSeekToEnd = tailVideoKeyframe;
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
