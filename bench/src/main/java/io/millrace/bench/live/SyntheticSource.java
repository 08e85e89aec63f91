package io.millrace.bench.live;

import io.millrace.amf.AmfObject;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;

import java.util.Arrays;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * A synthetic H.264 + AAC stream of a given bitrate, as an encoder would publish it: {@code onMetaData}
 * (640x360, the frame rate, codec ids 7 and 10, data rates), a real AVC sequence header (an
 * AVCDecoderConfigurationRecord from x264: High profile, level 3.0, 640x360, 4-byte NAL lengths), the AAC
 * sequence header {@code 0x11 0x90} (AAC-LC, 48 kHz, stereo), then video frames at {@code fps} with a
 * keyframe every {@code gopSeconds}, and AAC frames every 1024/48000 s.
 *
 * <p>Frame sizes: audio takes 128 kbit/s (a quarter of the total below 512 kbit/s), video the rest; a
 * keyframe is {@value #KEY_WEIGHT} times the size of an interframe, and a GOP's frames together make the
 * video bitrate, so payload bytes per second match {@code --bitrate-kbps} (the 5-byte and 2-byte FLV
 * headers included). A video frame is the FLV video header, the {@link FrameStamp} NAL unit, and one NAL
 * unit (IDR or non-IDR slice header byte) of filler bytes; an audio frame is {@code 0xAF 0x01} and filler.
 * Nothing here can be decoded into pictures or sound: it has the shape of a stream, not its content.
 */
final class SyntheticSource implements MediaSource {
    /** An AVCDecoderConfigurationRecord taken from x264 (testsrc2, 640x360, High, level 3.0). */
    static final byte[] AVC_CONFIG = HexFormat.of().parseHex(
            "0164001effe1001a6764001eacd940a02ff970110000030001000003003c0f162d9601000468ef8fcbfdf8f800");
    /** AudioSpecificConfig: AAC-LC, 48 kHz, 2 channels. */
    static final byte[] AAC_CONFIG = {0x11, (byte) 0x90};
    static final int KEY_WEIGHT = 8;
    static final int SAMPLE_RATE = 48_000;
    static final int SAMPLES_PER_AAC_FRAME = 1024;

    private final int publisher;
    private final int fps;
    private final int gopFrames;
    private final int audioKbps;
    private final int videoKbps;
    final int keyframeBytes;
    final int interframeBytes;
    final int audioFrameBytes;
    private final byte[] filler;
    private long videoSeq;
    private long audioSeq;

    SyntheticSource(int publisher, int bitrateKbps, int fps, double gopSeconds) {
        if (bitrateKbps < 16 || fps < 1 || gopSeconds <= 0) {
            throw new IllegalArgumentException("bitrate must be at least 16 kbit/s, fps and the GOP positive");
        }
        this.publisher = publisher;
        this.fps = fps;
        this.gopFrames = Math.max(1, (int) Math.round(fps * gopSeconds));
        this.audioKbps = bitrateKbps >= 512 ? 128 : bitrateKbps / 4;
        this.videoKbps = bitrateKbps - audioKbps;
        double aacFramesPerSecond = (double) SAMPLE_RATE / SAMPLES_PER_AAC_FRAME; // 46.875
        this.audioFrameBytes = Math.max(3, (int) Math.round(audioKbps * 1000 / 8.0 / aacFramesPerSecond));
        double gopBytes = videoKbps * 1000 / 8.0 * gopFrames / fps;
        int inter = (int) Math.round(gopBytes / (gopFrames - 1 + KEY_WEIGHT));
        int minimum = FrameStamp.END + 5 + 1;
        this.interframeBytes = Math.max(minimum, inter);
        this.keyframeBytes = Math.max(minimum, gopFrames == 1 ? (int) Math.round(gopBytes) : inter * KEY_WEIGHT);
        this.filler = new byte[Math.max(keyframeBytes, audioFrameBytes)];
        Arrays.fill(filler, (byte) 0xA5);
    }

    @Override
    public AmfObject metadata() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("width", 640.0);
        m.put("height", 360.0);
        m.put("framerate", (double) fps);
        m.put("videocodecid", 7.0);
        m.put("videodatarate", (double) videoKbps);
        m.put("audiocodecid", 10.0);
        m.put("audiodatarate", (double) audioKbps);
        m.put("audiosamplerate", (double) SAMPLE_RATE);
        m.put("audiosamplesize", 16.0);
        m.put("stereo", true);
        m.put("encoder", "Millrace LiveLoad (synthetic)");
        return AmfObject.ecmaArray(m);
    }

    @Override
    public ByteBuf videoSequenceHeader(ByteBufAllocator alloc) {
        ByteBuf b = alloc.buffer(5 + AVC_CONFIG.length);
        b.writeByte(0x17).writeByte(0x00).writeMedium(0);
        return b.writeBytes(AVC_CONFIG);
    }

    @Override
    public ByteBuf audioSequenceHeader(ByteBufAllocator alloc) {
        return alloc.buffer(4).writeByte(0xAF).writeByte(0x00).writeBytes(AAC_CONFIG);
    }

    /** Due time of video frame {@code n}, ns after the start. */
    private long videoDue(long n) {
        return n * 1_000_000_000L / fps;
    }

    private long audioDue(long n) {
        return n * SAMPLES_PER_AAC_FRAME * 1_000_000_000L / SAMPLE_RATE;
    }

    @Override
    public Frame next(ByteBufAllocator alloc) {
        long v = videoDue(videoSeq);
        long a = audioDue(audioSeq);
        if (v <= a) {
            long n = videoSeq++;
            boolean key = n % gopFrames == 0;
            int size = key ? keyframeBytes : interframeBytes;
            ByteBuf b = alloc.buffer(size);
            b.writeByte(key ? 0x17 : 0x27).writeByte(0x01).writeMedium(0);
            FrameStamp.writeNal(b, 0, (int) n, publisher); // the clock is set when the frame is sent
            int nal = size - b.writerIndex() - 4;
            b.writeInt(nal).writeByte(key ? 0x65 : 0x41).writeBytes(filler, 0, nal - 1);
            return new Frame(9, n * 1000 / fps, v, b);
        }
        long n = audioSeq++;
        ByteBuf b = alloc.buffer(audioFrameBytes);
        b.writeByte(0xAF).writeByte(0x01).writeBytes(filler, 0, audioFrameBytes - 2);
        return new Frame(8, n * SAMPLES_PER_AAC_FRAME * 1000 / SAMPLE_RATE, a, b);
    }

    /** Payload bytes per second this source produces. */
    double payloadBitsPerSecond() {
        double video = ((double) keyframeBytes + (gopFrames - 1) * (double) interframeBytes) * fps / gopFrames;
        double audio = audioFrameBytes * (double) SAMPLE_RATE / SAMPLES_PER_AAC_FRAME;
        return (video + audio) * 8;
    }

    @Override
    public String describe() {
        return String.format(Locale.ROOT, "synthetic H.264 640x360 %d fps, keyframe every %d frames (%d B, interframes %d B) "
                        + "+ AAC 48 kHz (%d B every 21.3 ms): %d + %d kbit/s, payload %.0f kbit/s",
                fps, gopFrames, keyframeBytes, interframeBytes, audioFrameBytes, videoKbps, audioKbps, payloadBitsPerSecond() / 1000);
    }
}
