package io.millrace.bench.live;

import io.netty.buffer.ByteBuf;

import java.nio.charset.StandardCharsets;

/**
 * The publisher's clock inside a video frame: what lets a viewer measure end-to-end delay and count the
 * frames it missed.
 *
 * <p>An FLV/RTMP AVC video payload is a 5-byte header (frame type and codec, AVC packet type 1, composition
 * time) followed by NAL units, each prefixed by its length in 4 bytes (the sequence header's
 * {@code lengthSizeMinusOne} is 3). The stamp is the first NAL unit: an SEI (NAL type 6) holding one
 * {@code user_data_unregistered} message (payload type 5) of 32 bytes, i.e. a 16-byte UUID that marks the
 * stamp ({@code "MillraceLiveLoad"} in ASCII) and 16 bytes of ours: {@link System#nanoTime()} when the
 * publisher wrote the frame, the frame's sequence number and the publisher's index. A decoder skips it as
 * an unknown SEI (it does not apply emulation prevention to the numbers; nothing here decodes the
 * pictures). Layout, as offsets into the video message payload:
 *
 * <pre>
 *   0..4   FLV video header (0x17 or 0x27, 0x01, composition time)
 *   5..8   NAL length 36
 *   9      0x06 NAL header (SEI)       10  0x05 payload type      11  0x20 payload size 32
 *   12..27 UUID "MillraceLiveLoad"
 *   28..35 nanoTime (big-endian)       36..39 sequence number     40..43 publisher index
 *   44     0x80 rbsp trailing bits
 * </pre>
 *
 * All processes run on one machine and publisher and viewers live in the same JVM, so the publisher's
 * {@code nanoTime} and the viewer's are the same clock.
 */
final class FrameStamp {
    /** Bytes from the start of the video payload to the end of the stamp NAL unit. */
    static final int END = 45;
    /** The stamp NAL unit including its 4-byte length prefix. */
    static final int NAL_WITH_LENGTH = END - 5;
    private static final int NAL_LENGTH = NAL_WITH_LENGTH - 4;
    private static final byte[] UUID = "MillraceLiveLoad".getBytes(StandardCharsets.US_ASCII);
    private static final long UUID_HI = bigEndianLong(UUID, 0);
    private static final long UUID_LO = bigEndianLong(UUID, 8);

    private FrameStamp() {
    }

    /** Writes the stamp NAL unit (with its length prefix) at the writer index of {@code out}. */
    static void writeNal(ByteBuf out, long nanoTime, int sequence, int publisher) {
        out.writeInt(NAL_LENGTH);
        out.writeByte(0x06);
        out.writeByte(0x05);
        out.writeByte(0x20);
        out.writeBytes(UUID);
        out.writeLong(nanoTime);
        out.writeInt(sequence);
        out.writeInt(publisher);
        out.writeByte(0x80);
    }

    /** Overwrites the clock of a stamp already written at video payload offset 0 of {@code payload}. */
    static void restamp(ByteBuf payload, long nanoTime) {
        payload.setLong(payload.readerIndex() + 28, nanoTime);
    }

    /** Whether the video payload (AVC NALU packet) carries a stamp. Borrows {@code payload}. */
    static boolean isStamped(ByteBuf payload) {
        int at = payload.readerIndex();
        return payload.readableBytes() >= END && payload.getByte(at + 1) == 1 && payload.getInt(at + 5) == NAL_LENGTH
                && payload.getLong(at + 12) == UUID_HI && payload.getLong(at + 20) == UUID_LO;
    }

    /** The publisher's nanoTime of a stamped payload ({@link #isStamped} first). */
    static long nanoTime(ByteBuf payload) {
        return payload.getLong(payload.readerIndex() + 28);
    }

    static int sequence(ByteBuf payload) {
        return payload.getInt(payload.readerIndex() + 36);
    }

    static int publisher(ByteBuf payload) {
        return payload.getInt(payload.readerIndex() + 40);
    }

    private static long bigEndianLong(byte[] b, int at) {
        long v = 0;
        for (int i = 0; i < 8; i++) {
            v = v << 8 | (b[at + i] & 0xFF);
        }
        return v;
    }
}
