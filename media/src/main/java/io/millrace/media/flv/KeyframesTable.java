package io.millrace.media.flv;

import io.millrace.amf.AmfObject;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Map;

/**
 * The non-standard onMetaData {@code keyframes} object (flvtool2, yamdi, ffmpeg's
 * {@code add_keyframe_index}): strict arrays {@code times} (seconds) and {@code filepositions}
 * (offsets of the key frame tags), and the checks that decide whether an index may trust it.
 */
final class KeyframesTable {
    private static final int MAX_ENTRIES = 10_000_000;
    /** Table entries beyond the scanned head that are checked against the tags they point at. */
    private static final int SAMPLES = 8;
    private static final int MAX_TAIL_STEPS = 4096;

    private long[] times;
    private final long[] offsets;

    /**
     * What a walk back from the end of the file found.
     *
     * @param videoTs       timestamp of the last video frame, -1 if not looked for
     * @param videoKeyframe whether that frame is a key frame
     * @param audioTs       timestamp of the last audio frame, -1 if not looked for
     */
    record Tail(long videoTs, boolean videoKeyframe, long audioTs) {
    }

    private KeyframesTable(long[] times, long[] offsets) {
        this.times = times;
        this.offsets = offsets;
    }

    /** The table in {@code metadata}, or null when there is none or it is not two equal-length number arrays. */
    static KeyframesTable from(AmfObject metadata) {
        if (!(metadata.get("keyframes") instanceof Map<?, ?> keyframes)
                || !(keyframes.get("times") instanceof List<?> timeList)
                || !(keyframes.get("filepositions") instanceof List<?> positionList)) {
            return null;
        }
        int n = timeList.size();
        if (n == 0 || n != positionList.size() || n > MAX_ENTRIES) {
            return null;
        }
        long[] t = new long[n];
        long[] p = new long[n];
        for (int i = 0; i < n; i++) {
            if (!(timeList.get(i) instanceof Number tn) || !(positionList.get(i) instanceof Number pn)) {
                return null;
            }
            double seconds = tn.doubleValue();
            double position = pn.doubleValue();
            if (!(seconds >= 0 && seconds < 4.3e6) || !(position >= 0 && position < 9e15)
                    || position != Math.rint(position)) {
                return null;
            }
            t[i] = Math.round(seconds * 1000);
            p[i] = (long) position;
        }
        return new KeyframesTable(t, p);
    }

    /** Key frame times, ms (the tags' own timestamps once {@link #verify} succeeded). */
    long[] times() {
        return times;
    }

    long[] offsets() {
        return offsets;
    }

    /** The scan of the first tags may stop once it is past this offset (the second key frame). */
    long headEnd() {
        return offsets[Math.min(1, offsets.length - 1)];
    }

    /**
     * Structure, agreement with the key frames scanned so far (those before {@code scanEnd}), and spot
     * checks of the rest: every checked position must hold a video key frame, and its timestamp must
     * differ from the table's time by the same constant for all checked entries (within 1 ms; ffmpeg's
     * remuxer writes the times before shifting timestamps for AAC priming, for instance). On success
     * the times become the tags' own.
     */
    boolean verify(FlvReader reader, long limit, LongList scannedTimes, LongList scannedOffsets, long scanEnd)
            throws IOException {
        int n = times.length;
        for (int i = 1; i < n; i++) {
            if (offsets[i] <= offsets[i - 1] || times[i] < times[i - 1]) {
                return false;
            }
        }
        if (offsets[0] < reader.firstTagOffset() || offsets[n - 1] + FlvTag.HEADER_SIZE > limit) {
            return false;
        }
        int inHead = 0;
        while (inHead < n && offsets[inHead] < scanEnd) {
            inHead++;
        }
        if (inHead != scannedOffsets.size()) {
            return false;
        }
        long[] actual = new long[n];
        boolean[] checked = new boolean[n];
        for (int i = 0; i < inHead; i++) {
            if (offsets[i] != scannedOffsets.get(i)) {
                return false;
            }
            actual[i] = scannedTimes.get(i);
            checked[i] = true;
        }
        if (inHead < n) {
            int rest = n - inHead;
            int samples = Math.min(rest, SAMPLES);
            for (int k = 0; k < samples; k++) {
                int i = samples == 1 ? n - 1 : inHead + (int) ((long) (rest - 1) * k / (samples - 1));
                long ts = keyframeTimestampAt(reader, limit, offsets[i]);
                if (ts < 0) {
                    return false;
                }
                actual[i] = ts;
                checked[i] = true;
            }
        }
        long shift = 0;
        boolean haveShift = false;
        for (int i = 0; i < n; i++) {
            if (!checked[i]) {
                continue;
            }
            if (!haveShift) {
                shift = actual[i] - times[i];
                haveShift = true;
            } else if (Math.abs(actual[i] - (times[i] + shift)) > 1) {
                return false;
            }
        }
        for (int i = 0; i < n; i++) {
            if (!checked[i]) {
                actual[i] = times[i] + shift;
            }
            if (actual[i] < 0 || (i > 0 && actual[i] < actual[i - 1])) {
                return false;
            }
        }
        times = actual;
        return true;
    }

    /** Timestamp of the video key frame tag at {@code pos}, or -1 if there is none there. */
    private static long keyframeTimestampAt(FlvReader reader, long limit, long pos) throws IOException {
        long remaining = limit - pos;
        if (remaining < FlvTag.HEADER_SIZE + 1) {
            return -1;
        }
        byte[] head = new byte[(int) Math.min(FlvTag.HEADER_SIZE + FlvIndexBuilder.HEAD_BYTES, remaining)];
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
        return TagBits.videoKeyframe(headBuf, FlvTag.HEADER_SIZE, n) ? FlvIndexBuilder.timestamp(headBuf, 4) : -1;
    }

    /**
     * Walks back from the end of the file ({@code limit}) along the PreviousTagSize fields to the last
     * video frame and the last audio frame. Null when a back pointer does not lead to a matching tag
     * header (a truncated file, or writers that get PreviousTagSize wrong).
     */
    static Tail walkTail(FlvReader reader, long limit, boolean needVideo, boolean needAudio) throws IOException {
        long videoTs = -1;
        long audioTs = -1;
        boolean videoKeyframe = false;
        long first = reader.firstTagOffset();
        long pos = limit;
        ByteBuffer back = ByteBuffer.allocate(FlvTag.TRAILER_SIZE);
        byte[] head = new byte[FlvTag.HEADER_SIZE + FlvIndexBuilder.HEAD_BYTES];
        ByteBuf headBuf = Unpooled.wrappedBuffer(head);
        for (int steps = 0; needVideo || needAudio; steps++) {
            if (steps >= MAX_TAIL_STEPS || pos - FlvTag.TRAILER_SIZE - FlvTag.HEADER_SIZE < first) {
                return null;
            }
            back.clear();
            reader.readFully(back, pos - FlvTag.TRAILER_SIZE);
            long previousTagSize = back.getInt(0) & 0xFFFFFFFFL;
            long tagPos = pos - FlvTag.TRAILER_SIZE - previousTagSize;
            if (previousTagSize < FlvTag.HEADER_SIZE || tagPos < first) {
                return null;
            }
            reader.readFully(ByteBuffer.wrap(head, 0, (int) Math.min(head.length, previousTagSize)), tagPos);
            int firstByte = head[0] & 0xFF;
            int dataSize = headBuf.getUnsignedMedium(1);
            if (!FlvReader.isValidTagStart(firstByte) || FlvTag.HEADER_SIZE + dataSize != previousTagSize) {
                return null;
            }
            long ts = FlvIndexBuilder.timestamp(headBuf, 4);
            int n = Math.min(dataSize, FlvIndexBuilder.HEAD_BYTES);
            int type = firstByte & 0x1F;
            if (type == FlvTag.VIDEO && needVideo && TagBits.videoFrame(headBuf, FlvTag.HEADER_SIZE, n)) {
                videoTs = ts;
                videoKeyframe = TagBits.videoKeyframe(headBuf, FlvTag.HEADER_SIZE, n);
                needVideo = false;
            } else if (type == FlvTag.AUDIO && needAudio && TagBits.audioFrame(headBuf, FlvTag.HEADER_SIZE, n)) {
                audioTs = ts;
                needAudio = false;
            }
            pos = tagPos;
        }
        return new Tail(videoTs, videoKeyframe, audioTs);
    }
}
