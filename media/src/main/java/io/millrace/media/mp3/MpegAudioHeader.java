package io.millrace.media.mp3;

/**
 * The 4-byte header of an MPEG-1, MPEG-2 or MPEG-2.5 audio frame (ISO 11172-3, ISO 13818-3 and the
 * MPEG-2.5 extension), Layers I, II and III.
 *
 * <pre>
 * AAAAAAAA AAABBCCD EEEEFFGH IIJJKLMM
 * A sync (11 bits set)        B version: 00 MPEG-2.5, 01 reserved, 10 MPEG-2, 11 MPEG-1
 * C layer: 01 III, 10 II, 11 I, 00 reserved     D protection: 0 = a 16-bit CRC follows the header
 * E bitrate index (0 free format, 15 bad)       F sample rate index (3 reserved)
 * G padding   H private   I channel mode: 00 stereo, 01 joint stereo, 10 dual channel, 11 mono
 * J mode extension   K copyright   L original   M emphasis (10 reserved)
 * </pre>
 *
 * <p>Free-format frames (bitrate index 0) are not accepted: their length cannot be computed from the
 * header. Scanning code uses the allocation-free static methods on the raw header word
 * ({@link #frameLength(int)}, {@link #sameStream(int, int)}); {@link #parse(int)} gives a described view.
 */
public final class MpegAudioHeader {
    /** Version codes as in the header's two version bits. */
    public static final int MPEG_2_5 = 0;
    public static final int MPEG_2 = 2;
    public static final int MPEG_1 = 3;

    public static final int MODE_STEREO = 0;
    public static final int MODE_JOINT_STEREO = 1;
    public static final int MODE_DUAL_CHANNEL = 2;
    public static final int MODE_MONO = 3;

    /** Header bits that stay the same across the frames of one stream: sync, version, layer, sample rate. */
    static final int STREAM_MASK = 0xFFFE0C00;

    /** kbit/s by [version is MPEG-1 ? 0 : 1][layer - 1][index]. */
    private static final int[][][] BITRATES = {
        {
            {0, 32, 64, 96, 128, 160, 192, 224, 256, 288, 320, 352, 384, 416, 448},
            {0, 32, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320, 384},
            {0, 32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320},
        },
        {
            {0, 32, 48, 56, 64, 80, 96, 112, 128, 144, 160, 176, 192, 224, 256},
            {0, 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160},
            {0, 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160},
        },
    };

    /** Hz by [version bits][index]; row 1 (reserved version) unused. */
    private static final int[][] SAMPLE_RATES = {
        {11025, 12000, 8000},
        {0, 0, 0},
        {22050, 24000, 16000},
        {44100, 48000, 32000},
    };

    private final int word;
    private final int version;
    private final int layer;
    private final int bitrate;
    private final int sampleRate;
    private final int frameLength;

    private MpegAudioHeader(int word) {
        this.word = word;
        this.version = versionBits(word);
        this.layer = layer(word);
        this.bitrate = bitrateKbps(word) * 1000;
        this.sampleRate = sampleRate(word);
        this.frameLength = frameLength(word);
    }

    /** The header described by the big-endian word {@code word}, or null when it is not a valid frame header. */
    public static MpegAudioHeader parse(int word) {
        return frameLength(word) > 0 ? new MpegAudioHeader(word) : null;
    }

    /** The header at {@code b[off..off+3]}, or null (also when fewer than 4 bytes are there). */
    public static MpegAudioHeader parse(byte[] b, int off) {
        if (off < 0 || off + 4 > b.length) {
            return null;
        }
        return parse(word(b, off));
    }

    static int word(byte[] b, int off) {
        return (b[off] & 0xFF) << 24 | (b[off + 1] & 0xFF) << 16 | (b[off + 2] & 0xFF) << 8 | (b[off + 3] & 0xFF);
    }

    /**
     * The length in bytes of the frame whose header is {@code word} (header and CRC included), or -1 when
     * the word is not a valid header: no sync, a reserved version, layer, sample rate or emphasis, a free-
     * format or bad bitrate index.
     */
    public static int frameLength(int word) {
        if ((word & 0xFFE00000) != 0xFFE00000) {
            return -1;
        }
        int version = versionBits(word);
        int layer = layer(word);
        int bitrateIndex = (word >>> 12) & 0xF;
        int rateIndex = (word >>> 10) & 0x3;
        if (version == 1 || layer == 0 || bitrateIndex == 0 || bitrateIndex == 15 || rateIndex == 3
                || (word & 0x3) == 2) {
            return -1;
        }
        int bitrate = bitrateKbps(word) * 1000;
        int sampleRate = SAMPLE_RATES[version][rateIndex];
        int padding = (word >>> 9) & 1;
        if (layer == 1) {
            return (12 * bitrate / sampleRate + padding) * 4;
        }
        int coefficient = layer == 3 && version != MPEG_1 ? 72 : 144;
        return coefficient * bitrate / sampleRate + padding;
    }

    /** True when both words are valid headers of the same stream (same version, layer and sample rate). */
    public static boolean sameStream(int a, int b) {
        return (a & STREAM_MASK) == (b & STREAM_MASK);
    }

    private static int versionBits(int word) {
        return (word >>> 19) & 0x3;
    }

    private static int layer(int word) {
        int bits = (word >>> 17) & 0x3;
        return bits == 0 ? 0 : 4 - bits;
    }

    private static int bitrateKbps(int word) {
        return BITRATES[versionBits(word) == MPEG_1 ? 0 : 1][layer(word) - 1][(word >>> 12) & 0xF];
    }

    private static int sampleRate(int word) {
        return SAMPLE_RATES[versionBits(word)][(word >>> 10) & 0x3];
    }

    /** The raw header word. */
    public int word() {
        return word;
    }

    /** {@link #MPEG_1}, {@link #MPEG_2} or {@link #MPEG_2_5}. */
    public int version() {
        return version;
    }

    /** "MPEG-1", "MPEG-2" or "MPEG-2.5". */
    public String versionName() {
        return version == MPEG_1 ? "MPEG-1" : version == MPEG_2 ? "MPEG-2" : "MPEG-2.5";
    }

    /** 1, 2 or 3. */
    public int layer() {
        return layer;
    }

    /** Bits per second. */
    public int bitrate() {
        return bitrate;
    }

    /** Hz. */
    public int sampleRate() {
        return sampleRate;
    }

    public boolean padding() {
        return (word & 0x200) != 0;
    }

    /** True when a 16-bit CRC follows the header (protection bit 0). */
    public boolean hasCrc() {
        return (word & 0x10000) == 0;
    }

    /** {@link #MODE_STEREO}, {@link #MODE_JOINT_STEREO}, {@link #MODE_DUAL_CHANNEL} or {@link #MODE_MONO}. */
    public int channelMode() {
        return (word >>> 6) & 0x3;
    }

    public int channels() {
        return channelMode() == MODE_MONO ? 1 : 2;
    }

    /** Frame length in bytes, header included. */
    public int frameLength() {
        return frameLength;
    }

    /** PCM samples per channel a frame decodes to: 384 (Layer I), 1152 (II, and III in MPEG-1), 576 (III in MPEG-2/2.5). */
    public int samplesPerFrame() {
        if (layer == 1) {
            return 384;
        }
        return layer == 3 && version != MPEG_1 ? 576 : 1152;
    }

    /** Size of the Layer III side information that follows the header (and CRC). */
    public int sideInfoSize() {
        if (version == MPEG_1) {
            return channels() == 1 ? 17 : 32;
        }
        return channels() == 1 ? 9 : 17;
    }

    @Override
    public String toString() {
        return versionName() + " Layer " + "I".repeat(layer) + " " + bitrate / 1000 + " kbit/s " + sampleRate + " Hz "
                + (channels() == 1 ? "mono" : "stereo") + " len=" + frameLength;
    }
}
