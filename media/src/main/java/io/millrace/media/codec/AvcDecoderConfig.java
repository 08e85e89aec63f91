package io.millrace.media.codec;

import io.millrace.media.MediaFormatException;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;

import java.util.ArrayList;
import java.util.List;

/**
 * An AVCDecoderConfigurationRecord (the {@code avcC} box payload, and the body of an FLV/RTMP AVC
 * sequence header after its 5-byte video tag header).
 *
 * @param profile       AVCProfileIndication
 * @param compatibility profile_compatibility
 * @param level         AVCLevelIndication
 * @param nalLengthSize size in bytes of the NAL unit length prefixes (1, 2 or 4)
 * @param sps           the sequence parameter set NAL units, with NAL header byte
 * @param pps           the picture parameter set NAL units, with NAL header byte
 */
public record AvcDecoderConfig(int profile, int compatibility, int level, int nalLengthSize,
                               List<byte[]> sps, List<byte[]> pps) {

    public AvcDecoderConfig {
        sps = List.copyOf(sps);
        pps = List.copyOf(pps);
    }

    /**
     * Parses the readable bytes of {@code buf}. Borrows the buffer: neither its indices nor its
     * reference count change.
     */
    public static AvcDecoderConfig parse(ByteBuf buf) throws MediaFormatException {
        return parse(ByteBufUtil.getBytes(buf), 0, buf.readableBytes());
    }

    /** Parses {@code length} bytes of {@code data} from {@code offset}. */
    public static AvcDecoderConfig parse(byte[] data, int offset, int length) throws MediaFormatException {
        int end = offset + length;
        if (length < 7) {
            throw new MediaFormatException("AVC decoder configuration record too short: " + length + " bytes");
        }
        int version = data[offset] & 0xFF;
        if (version != 1) {
            throw new MediaFormatException("AVC decoder configuration record version " + version + " (expected 1)");
        }
        int profile = data[offset + 1] & 0xFF;
        int compatibility = data[offset + 2] & 0xFF;
        int level = data[offset + 3] & 0xFF;
        int nalLengthSize = (data[offset + 4] & 0x03) + 1;
        if (nalLengthSize == 3) {
            throw new MediaFormatException("AVC decoder configuration record: invalid NAL length size 3");
        }
        int p = offset + 5;
        int spsCount = data[p++] & 0x1F;
        List<byte[]> sps = new ArrayList<>(spsCount);
        p = readParameterSets(data, p, end, spsCount, sps, "SPS");
        if (p >= end) {
            throw new MediaFormatException("AVC decoder configuration record ends before the PPS count");
        }
        int ppsCount = data[p++] & 0xFF;
        List<byte[]> pps = new ArrayList<>(ppsCount);
        readParameterSets(data, p, end, ppsCount, pps, "PPS");
        // Trailing bytes (high-profile chroma/bit-depth fields, SPS extensions) are not needed here.
        return new AvcDecoderConfig(profile, compatibility, level, nalLengthSize, sps, pps);
    }

    private static int readParameterSets(byte[] data, int p, int end, int count, List<byte[]> out, String what)
            throws MediaFormatException {
        for (int i = 0; i < count; i++) {
            if (p + 2 > end) {
                throw new MediaFormatException("AVC decoder configuration record ends inside " + what + " #" + i);
            }
            int len = (data[p] & 0xFF) << 8 | data[p + 1] & 0xFF;
            p += 2;
            if (len == 0 || p + len > end) {
                throw new MediaFormatException("AVC decoder configuration record: " + what + " #" + i
                        + " length " + len + " exceeds the record");
            }
            byte[] nal = new byte[len];
            System.arraycopy(data, p, nal, 0, len);
            out.add(nal);
            p += len;
        }
        return p;
    }

    /** The first SPS parsed, or {@code null} when the record holds none. */
    public AvcSps firstSps() throws MediaFormatException {
        return sps.isEmpty() ? null : AvcSps.parse(sps.get(0));
    }

    /** RFC 6381 codec string, e.g. {@code avc1.4D401E}. */
    public String codecString() {
        return String.format("avc1.%02X%02X%02X", profile, compatibility, level);
    }
}
