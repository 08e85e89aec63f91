package io.millrace.bench.live;

import io.millrace.amf.Amf0Reader;
import io.millrace.amf.AmfObject;
import io.millrace.media.flv.FlvReader;
import io.millrace.media.flv.FlvTag;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.UnpooledByteBufAllocator;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * An FLV file published in real time, over and over, as {@code ffmpeg -re -stream_loop -1 -i FILE -c copy -f
 * flv rtmp://...} would: the file's {@code onMetaData} and first sequence headers are sent once at the start,
 * then every audio and video tag at its own timestamp (relative to the file's first media tag), and at the
 * end of the file the next loop continues the timestamps (the last video frame's duration after the last
 * tag). Script tags and sequence headers met again on later loops are not sent.
 *
 * <p>When the video is H.264 with 4-byte NAL lengths, a {@link FrameStamp} NAL unit is put in front of each
 * coded picture (decoders skip it), so viewers measure end-to-end delay and missing frames as with the
 * synthetic source; otherwise frames go out unchanged and those figures are absent. The file is read tag by
 * tag with {@link FlvReader} on the publisher's event loop (one read per frame, from the page cache after the
 * first loop).
 */
final class FlvFileSource implements MediaSource {
    private final Path path;
    private final int publisher;
    private final FlvReader reader;
    private final long firstTagOffset;
    private final AmfObject metadata;
    private final byte[] videoHeader;
    private final byte[] audioHeader;
    private final boolean stamp;
    /** Timestamp of the first media tag: the file's time zero. */
    private final long base;
    private long loopOffset;
    private long lastTimestamp;
    private long lastVideoTimestamp = -1;
    private long videoFrameMillis = 40;
    private int sequence;
    private int loops;
    private boolean mediaThisLoop;

    FlvFileSource(Path path, int publisher) throws IOException {
        this.path = path;
        this.publisher = publisher;
        this.reader = new FlvReader(path);
        try {
            this.firstTagOffset = reader.position();
            AmfObject meta = null;
            byte[] video = null;
            byte[] audio = null;
            long first = -1;
            ByteBufAllocator heap = UnpooledByteBufAllocator.DEFAULT;
            // The metadata and sequence headers come first in any file a muxer wrote; look a little further anyway.
            for (int i = 0; i < 2000; i++) {
                FlvTag tag = reader.next(heap);
                if (tag == null) {
                    break;
                }
                try {
                    if (tag.type() == FlvTag.SCRIPT && meta == null) {
                        List<Object> values = new Amf0Reader(tag.data().duplicate()).readAll();
                        if (values.size() >= 2 && "onMetaData".equals(values.get(0)) && values.get(1) instanceof Map<?, ?> m) {
                            meta = new AmfObject(null, true);
                            for (Map.Entry<?, ?> e : m.entrySet()) {
                                meta.put(String.valueOf(e.getKey()), e.getValue());
                            }
                        }
                    } else if (tag.isSequenceHeader()) {
                        if (tag.isVideo() && video == null) {
                            video = bytes(tag.data());
                        } else if (tag.isAudio() && audio == null) {
                            audio = bytes(tag.data());
                        }
                    } else if ((tag.isVideo() || tag.isAudio()) && first < 0) {
                        first = tag.timestamp();
                    }
                } finally {
                    tag.release();
                }
                if (meta != null && video != null && audio != null && first >= 0) {
                    break;
                }
            }
            if (first < 0) {
                throw new IOException(path + ": no audio or video tag found");
            }
            this.base = first;
            this.metadata = meta != null ? meta : AmfObject.ecmaArray(Map.of());
            this.videoHeader = video;
            this.audioHeader = audio;
            // AVC (codec id 7) with lengthSizeMinusOne 3: configuration record byte 4, payload byte 9.
            this.stamp = video != null && (video[0] & 0x0F) == 7 && video.length > 9 && (video[9] & 0x03) == 3;
            reader.seek(firstTagOffset);
        } catch (IOException | RuntimeException e) {
            reader.close();
            throw e;
        }
    }

    private static byte[] bytes(ByteBuf b) {
        byte[] out = new byte[b.readableBytes()];
        b.getBytes(b.readerIndex(), out);
        return out;
    }

    /** Whether viewers can measure delay and missing frames on this file (H.264 with 4-byte NAL lengths). */
    boolean stamped() {
        return stamp;
    }

    @Override
    public AmfObject metadata() {
        AmfObject m = metadata.deepCopy();
        m.remove("duration");
        m.remove("filesize");
        return m;
    }

    @Override
    public ByteBuf videoSequenceHeader(ByteBufAllocator alloc) {
        return videoHeader == null ? null : alloc.buffer(videoHeader.length).writeBytes(videoHeader);
    }

    @Override
    public ByteBuf audioSequenceHeader(ByteBufAllocator alloc) {
        return audioHeader == null ? null : alloc.buffer(audioHeader.length).writeBytes(audioHeader);
    }

    @Override
    public Frame next(ByteBufAllocator alloc) throws IOException {
        while (true) {
            FlvTag tag = reader.next(alloc);
            if (tag == null) {
                if (!mediaThisLoop) {
                    throw new IOException(path + ": a whole loop over the file without one audio or video frame");
                }
                // Next loop: timestamps go on one frame duration after the last tag.
                loopOffset += lastTimestamp - base + videoFrameMillis;
                lastTimestamp = base;
                lastVideoTimestamp = -1;
                loops++;
                mediaThisLoop = false;
                reader.seek(firstTagOffset);
                continue;
            }
            if (!(tag.isVideo() || tag.isAudio()) || tag.isSequenceHeader() || tag.timestamp() < base) {
                tag.release();
                continue;
            }
            mediaThisLoop = true;
            long ts = tag.timestamp();
            lastTimestamp = Math.max(lastTimestamp, ts);
            if (tag.isVideo()) {
                if (lastVideoTimestamp >= 0 && ts > lastVideoTimestamp) {
                    videoFrameMillis = ts - lastVideoTimestamp;
                }
                lastVideoTimestamp = ts;
            }
            long rtmpTs = ts - base + loopOffset;
            ByteBuf data = tag.data();
            ByteBuf payload;
            if (stamp && tag.isVideo() && data.readableBytes() > 5 && data.getByte(data.readerIndex() + 1) == 1) {
                payload = alloc.buffer(data.readableBytes() + FrameStamp.NAL_WITH_LENGTH);
                payload.writeBytes(data, data.readerIndex(), 5);
                FrameStamp.writeNal(payload, 0, sequence++, publisher);
                payload.writeBytes(data, data.readerIndex() + 5, data.readableBytes() - 5);
                tag.release();
            } else {
                payload = data; // the tag's buffer, handed over
            }
            return new Frame(tag.type(), rtmpTs, rtmpTs * 1_000_000L, payload);
        }
    }

    @Override
    public String describe() {
        return String.format(Locale.ROOT, "FLV file %s, looped (%s, video %s, audio %s)%s", path,
                metadata.isEmpty() ? "no onMetaData" : "onMetaData " + metadata.keySet().size() + " keys",
                videoHeader == null ? "without sequence header" : "codec " + (videoHeader[0] & 0x0F),
                audioHeader == null ? "without sequence header" : "format " + ((audioHeader[0] & 0xF0) >> 4),
                stamp ? "; a stamp NAL unit is put before each H.264 picture" : "; no stamps (not H.264 with 4-byte NAL lengths)");
    }

    @Override
    public void close() throws IOException {
        reader.close();
    }
}
