package io.millrace.bench;

import io.millrace.rtmp.message.MessageType;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.SplittableRandom;

/** Test data shared by the benchmarks: media payloads shaped like FLV tag bodies, and the sample file. */
final class Payloads {
    /** A video message body: 30 KB, an AVC inter frame (FLV VIDEODATA 0x27, NALU packet type 1). */
    static final int VIDEO_SIZE = 30 * 1024;
    /** An audio message body: 300 bytes, an AAC raw frame (FLV AUDIODATA 0xAF, packet type 1). */
    static final int AUDIO_SIZE = 300;
    /** Video frame spacing (25 fps) and AAC frame spacing (1024 samples at 44.1 kHz, rounded), ms. */
    static final int VIDEO_INTERVAL = 40;
    static final int AUDIO_INTERVAL = 23;

    /** The system property naming the sample FLV, overriding the search from the working directory. */
    static final String SAMPLE_PROPERTY = "millrace.sample";
    private static final String SAMPLE = "apps/vod/media/sample.flv";

    private Payloads() {
    }

    /** A payload of {@code typeId}'s benchmark size with a valid FLV tag-body head and random bytes after it. */
    static ByteBuf media(ByteBufAllocator alloc, int typeId, long seed) {
        int size = typeId == MessageType.VIDEO ? VIDEO_SIZE : AUDIO_SIZE;
        ByteBuf b = alloc.directBuffer(size, size);
        byte[] bytes = new byte[size];
        new SplittableRandom(seed).nextBytes(bytes);
        if (typeId == MessageType.VIDEO) {
            bytes[0] = 0x27; // inter frame, AVC
            bytes[1] = 1;    // NALU
        } else {
            bytes[0] = (byte) 0xAF; // AAC, 44 kHz, 16 bit, stereo
            bytes[1] = 1;           // raw
        }
        b.writeBytes(bytes);
        return b;
    }

    /**
     * The bundled sample: the system property {@value #SAMPLE_PROPERTY} if set, else
     * {@code apps/vod/media/sample.flv} in the working directory or one of its parents.
     */
    static Path sampleFlv() {
        String p = System.getProperty(SAMPLE_PROPERTY);
        if (p != null && !p.isBlank()) {
            Path path = Path.of(p);
            if (!Files.isRegularFile(path)) {
                throw new IllegalStateException("-D" + SAMPLE_PROPERTY + "=" + p + " is not a file");
            }
            return path.toAbsolutePath();
        }
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            Path candidate = dir.resolve(SAMPLE);
            if (Files.isRegularFile(candidate)) {
                return candidate;
            }
        }
        throw new IllegalStateException(SAMPLE + " not found in " + Path.of("").toAbsolutePath()
                + " or its parents; run from the repository or pass -D" + SAMPLE_PROPERTY + "=FILE");
    }
}
