package io.millrace.media.mp4;

import io.millrace.media.MediaFormatException;

import java.util.Arrays;

/**
 * The parts of an {@code esds} box (ISO 14496-1 descriptors) a server needs: the objectTypeIndication
 * of the DecoderConfigDescriptor (0x40 MPEG-4 audio, 0x66-0x68 MPEG-2 AAC, 0x69/0x6B MP3 ...) and the
 * DecoderSpecificInfo payload (for AAC the AudioSpecificConfig).
 *
 * @param objectTypeIndication  0 when the box has no DecoderConfigDescriptor
 * @param decoderSpecificInfo   null when absent
 */
record Esds(int objectTypeIndication, byte[] decoderSpecificInfo) {
    private static final int ES_DESCR = 3;
    private static final int DECODER_CONFIG = 4;
    private static final int DECODER_SPECIFIC = 5;

    static Esds parse(byte[] d, Box esds) throws MediaFormatException {
        BoxCursor c = new BoxCursor(d, esds).fullBox();
        int[] oti = {0};
        byte[][] dsi = {null};
        descriptors(c, esds.end(), oti, dsi, 0);
        return new Esds(oti[0], dsi[0]);
    }

    private static void descriptors(BoxCursor c, int end, int[] oti, byte[][] dsi, int depth) throws MediaFormatException {
        while (end - c.pos >= 2 && depth < 8) {
            int tag = c.u8();
            int size = 0;
            for (int i = 0; i < 4; i++) {
                int b = c.u8();
                size = size << 7 | b & 0x7F;
                if ((b & 0x80) == 0) {
                    break;
                }
            }
            if (size > end - c.pos) {
                throw new MediaFormatException(c.box + ": descriptor 0x" + Integer.toHexString(tag) + " of " + size
                        + " bytes exceeds the box");
            }
            int next = c.pos + size;
            switch (tag) {
                case ES_DESCR -> {
                    c.skip(2); // ES_ID
                    int flags = c.u8();
                    if ((flags & 0x80) != 0) {
                        c.skip(2);
                    }
                    if ((flags & 0x40) != 0) {
                        c.skip(c.u8());
                    }
                    if ((flags & 0x20) != 0) {
                        c.skip(2);
                    }
                    descriptors(c, next, oti, dsi, depth + 1);
                }
                case DECODER_CONFIG -> {
                    oti[0] = c.u8();
                    c.skip(12); // streamType, bufferSizeDB, maxBitrate, avgBitrate
                    descriptors(c, next, oti, dsi, depth + 1);
                }
                case DECODER_SPECIFIC -> {
                    if (dsi[0] == null) {
                        dsi[0] = Arrays.copyOfRange(c.d, c.pos, next);
                    }
                }
                default -> {
                    // SLConfigDescriptor and others: not needed
                }
            }
            if (c.pos > next) {
                throw new MediaFormatException(c.box + ": descriptor 0x" + Integer.toHexString(tag)
                        + " is shorter than its fields");
            }
            c.pos = next;
        }
    }
}
