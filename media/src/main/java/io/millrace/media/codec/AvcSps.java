package io.millrace.media.codec;

import io.millrace.media.MediaFormatException;

/**
 * The fields of an H.264 sequence parameter set (ITU-T H.264 7.3.2.1.1) that a server needs:
 * profile, level, chroma format, bit depth, the displayed picture size after frame cropping, and,
 * when the VUI carries them, the sample aspect ratio and timing.
 *
 * @param profileIdc          profile_idc (66 baseline, 77 main, 100 high, ...)
 * @param constraintFlags     the byte holding constraint_set0..5 flags
 * @param levelIdc            level_idc (e.g. 31 = level 3.1)
 * @param spsId               seq_parameter_set_id
 * @param chromaFormatIdc     0 monochrome, 1 4:2:0, 2 4:2:2, 3 4:4:4
 * @param bitDepthLuma        bits per luma sample
 * @param bitDepthChroma      bits per chroma sample
 * @param frameMbsOnly        false when the stream may contain field pictures (interlaced)
 * @param codedWidth          width in luma samples before cropping (multiple of 16)
 * @param codedHeight         height in luma samples before cropping
 * @param width               displayed width after frame cropping
 * @param height              displayed height after frame cropping
 * @param sarWidth            sample aspect ratio numerator (1 when not signalled)
 * @param sarHeight           sample aspect ratio denominator (1 when not signalled)
 * @param numUnitsInTick      VUI num_units_in_tick, 0 when absent
 * @param timeScale           VUI time_scale, 0 when absent
 * @param fixedFrameRate      VUI fixed_frame_rate_flag
 */
public record AvcSps(int profileIdc, int constraintFlags, int levelIdc, int spsId,
                     int chromaFormatIdc, int bitDepthLuma, int bitDepthChroma, boolean frameMbsOnly,
                     int codedWidth, int codedHeight, int width, int height,
                     int sarWidth, int sarHeight, long numUnitsInTick, long timeScale, boolean fixedFrameRate) {

    private static final int[][] SAR_TABLE = {
        {0, 0}, {1, 1}, {12, 11}, {10, 11}, {16, 11}, {40, 33}, {24, 11}, {20, 11}, {32, 11},
        {80, 33}, {18, 11}, {15, 11}, {64, 33}, {160, 99}, {4, 3}, {3, 2}, {2, 1},
    };
    private static final int EXTENDED_SAR = 255;

    /**
     * Frame rate from the VUI timing info ({@code time_scale / (2 * num_units_in_tick)}), or 0 when
     * the SPS does not carry it. Encoders do not always fill it in truthfully; treat it as a hint.
     */
    public double frameRate() {
        return numUnitsInTick == 0 || timeScale == 0 ? 0 : timeScale / (2.0 * numUnitsInTick);
    }

    /**
     * Parses an SPS NAL unit, starting with its one-byte NAL header (type 7). The bytes may still
     * contain emulation prevention bytes.
     *
     * @throws MediaFormatException if it is not an SPS or is truncated or out of range
     */
    public static AvcSps parse(byte[] nal) throws MediaFormatException {
        return parse(nal, 0, nal.length);
    }

    /** Like {@link #parse(byte[])} for {@code length} bytes of {@code nal} from {@code offset}. */
    public static AvcSps parse(byte[] nal, int offset, int length) throws MediaFormatException {
        if (length < 4) {
            throw new MediaFormatException("H.264 SPS too short: " + length + " bytes");
        }
        int nalType = nal[offset] & 0x1F;
        if (nalType != 7) {
            throw new MediaFormatException("not an H.264 SPS: NAL unit type " + nalType);
        }
        byte[] rbsp = BitReader.unescapeRbsp(nal, offset + 1, length - 1);
        BitReader r = new BitReader(rbsp);
        int profileIdc = r.readBits(8);
        int constraintFlags = r.readBits(8);
        int levelIdc = r.readBits(8);
        int spsId = r.readUE("seq_parameter_set_id", 31);

        int chromaFormatIdc = 1;
        boolean separateColourPlane = false;
        int bitDepthLuma = 8;
        int bitDepthChroma = 8;
        if (hasChromaInfo(profileIdc)) {
            chromaFormatIdc = r.readUE("chroma_format_idc", 3);
            if (chromaFormatIdc == 3) {
                separateColourPlane = r.readFlag();
            }
            bitDepthLuma = 8 + r.readUE("bit_depth_luma_minus8", 6);
            bitDepthChroma = 8 + r.readUE("bit_depth_chroma_minus8", 6);
            r.skipBits(1); // qpprime_y_zero_transform_bypass_flag
            if (r.readFlag()) { // seq_scaling_matrix_present_flag
                int lists = chromaFormatIdc != 3 ? 8 : 12;
                for (int i = 0; i < lists; i++) {
                    if (r.readFlag()) {
                        skipScalingList(r, i < 6 ? 16 : 64);
                    }
                }
            }
        }
        r.readUE("log2_max_frame_num_minus4", 12);
        int pocType = r.readUE("pic_order_cnt_type", 2);
        if (pocType == 0) {
            r.readUE("log2_max_pic_order_cnt_lsb_minus4", 12);
        } else if (pocType == 1) {
            r.skipBits(1); // delta_pic_order_always_zero_flag
            r.readSE(); // offset_for_non_ref_pic
            r.readSE(); // offset_for_top_to_bottom_field
            int cycle = r.readUE("num_ref_frames_in_pic_order_cnt_cycle", 255);
            for (int i = 0; i < cycle; i++) {
                r.readSE();
            }
        }
        r.readUE("max_num_ref_frames", 32);
        r.skipBits(1); // gaps_in_frame_num_value_allowed_flag
        int widthInMbs = r.readUE("pic_width_in_mbs_minus1", 8191) + 1;
        int heightInMapUnits = r.readUE("pic_height_in_map_units_minus1", 8191) + 1;
        boolean frameMbsOnly = r.readFlag();
        if (!frameMbsOnly) {
            r.skipBits(1); // mb_adaptive_frame_field_flag
        }
        r.skipBits(1); // direct_8x8_inference_flag
        int codedWidth = widthInMbs * 16;
        int codedHeight = (frameMbsOnly ? 1 : 2) * heightInMapUnits * 16;
        int width = codedWidth;
        int height = codedHeight;
        if (r.readFlag()) { // frame_cropping_flag
            long left = r.readUE();
            long right = r.readUE();
            long top = r.readUE();
            long bottom = r.readUE();
            int chromaArrayType = separateColourPlane ? 0 : chromaFormatIdc;
            int subWidthC = chromaArrayType == 3 ? 1 : 2;
            int subHeightC = chromaArrayType == 1 ? 2 : 1;
            int cropUnitX = chromaArrayType == 0 ? 1 : subWidthC;
            int cropUnitY = (chromaArrayType == 0 ? 1 : subHeightC) * (frameMbsOnly ? 1 : 2);
            long w = codedWidth - cropUnitX * (left + right);
            long h = codedHeight - cropUnitY * (top + bottom);
            if (w <= 0 || h <= 0) {
                throw new MediaFormatException("H.264 SPS frame cropping (" + left + "," + right + "," + top + ","
                        + bottom + ") leaves no picture of " + codedWidth + "x" + codedHeight);
            }
            width = (int) w;
            height = (int) h;
        }

        int sarWidth = 1;
        int sarHeight = 1;
        long numUnitsInTick = 0;
        long timeScale = 0;
        boolean fixedFrameRate = false;
        if (r.bitsLeft() > 0 && r.readFlag()) { // vui_parameters_present_flag
            // The VUI is optional information: a truncated one keeps what was read before the cut.
            try {
                if (r.readFlag()) { // aspect_ratio_info_present_flag
                    int idc = r.readBits(8);
                    if (idc == EXTENDED_SAR) {
                        sarWidth = r.readBits(16);
                        sarHeight = r.readBits(16);
                    } else if (idc > 0 && idc < SAR_TABLE.length) {
                        sarWidth = SAR_TABLE[idc][0];
                        sarHeight = SAR_TABLE[idc][1];
                    }
                    if (sarWidth == 0 || sarHeight == 0) {
                        sarWidth = 1;
                        sarHeight = 1;
                    }
                }
                if (r.readFlag()) { // overscan_info_present_flag
                    r.skipBits(1);
                }
                if (r.readFlag()) { // video_signal_type_present_flag
                    r.skipBits(4); // video_format, video_full_range_flag
                    if (r.readFlag()) { // colour_description_present_flag
                        r.skipBits(24);
                    }
                }
                if (r.readFlag()) { // chroma_loc_info_present_flag
                    r.readUE();
                    r.readUE();
                }
                if (r.readFlag()) { // timing_info_present_flag
                    long units = r.readBitsLong(32);
                    long scale = r.readBitsLong(32);
                    fixedFrameRate = r.readFlag();
                    numUnitsInTick = units;
                    timeScale = scale;
                }
            } catch (MediaFormatException truncatedVui) {
                // keep the values read so far
            }
        }
        return new AvcSps(profileIdc, constraintFlags, levelIdc, spsId, chromaFormatIdc, bitDepthLuma,
                bitDepthChroma, frameMbsOnly, codedWidth, codedHeight, width, height, sarWidth, sarHeight,
                numUnitsInTick, timeScale, fixedFrameRate);
    }

    /** Profiles whose SPS carries chroma_format_idc, bit depths and scaling matrices (H.264 7.3.2.1.1). */
    private static boolean hasChromaInfo(int profileIdc) {
        switch (profileIdc) {
            case 100, 110, 122, 244, 44, 83, 86, 118, 128, 138, 139, 134, 135:
                return true;
            default:
                return false;
        }
    }

    private static void skipScalingList(BitReader r, int size) throws MediaFormatException {
        int lastScale = 8;
        int nextScale = 8;
        for (int j = 0; j < size; j++) {
            if (nextScale != 0) {
                long delta = r.readSE();
                if (delta < -128 || delta > 127) {
                    throw new MediaFormatException("H.264 SPS delta_scale " + delta + " out of range");
                }
                nextScale = (int) ((lastScale + delta + 256) % 256);
            }
            lastScale = nextScale == 0 ? lastScale : nextScale;
        }
    }
}
