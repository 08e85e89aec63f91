package io.millrace.media.codec;

import io.millrace.media.MediaFormatException;

/**
 * Picture size read from the first bytes of a video frame, for the legacy FLV codecs whose frames
 * carry it in a fixed header (the SWF specification's VIDEODATA payloads).
 *
 * @param width  pixels
 * @param height pixels
 */
public record VideoDimensions(int width, int height) {

    /**
     * Sorenson H.263 (FLV codec id 2) picture header: PictureStartCode(17) = 1, Version(5),
     * TemporalReference(8), PictureSize(3) and, for sizes 0 and 1, an explicit 8- or 16-bit size.
     *
     * @param data   the frame body after the one-byte FLV video tag header
     */
    public static VideoDimensions sorensonH263(byte[] data, int offset, int length) throws MediaFormatException {
        BitReader r = new BitReader(data, offset, length);
        int startCode = r.readBits(17);
        if (startCode != 1) {
            throw new MediaFormatException("Sorenson H.263: bad picture start code 0x" + Integer.toHexString(startCode));
        }
        int version = r.readBits(5);
        if (version > 1) {
            throw new MediaFormatException("Sorenson H.263: unknown version " + version);
        }
        r.skipBits(8); // TemporalReference
        int size = r.readBits(3);
        return switch (size) {
            case 0 -> checked(r.readBits(8), r.readBits(8));
            case 1 -> checked(r.readBits(16), r.readBits(16));
            case 2 -> new VideoDimensions(352, 288);
            case 3 -> new VideoDimensions(176, 144);
            case 4 -> new VideoDimensions(128, 96);
            case 5 -> new VideoDimensions(320, 240);
            case 6 -> new VideoDimensions(160, 120);
            default -> throw new MediaFormatException("Sorenson H.263: reserved picture size 7");
        };
    }

    /**
     * Screen video (codec id 3) and screen video v2 (codec id 6): BlockWidth(4), ImageWidth(12),
     * BlockHeight(4), ImageHeight(12).
     *
     * @param data the frame body after the one-byte FLV video tag header
     */
    public static VideoDimensions screenVideo(byte[] data, int offset, int length) throws MediaFormatException {
        BitReader r = new BitReader(data, offset, length);
        r.skipBits(4);
        int width = r.readBits(12);
        r.skipBits(4);
        int height = r.readBits(12);
        return checked(width, height);
    }

    private static VideoDimensions checked(int width, int height) throws MediaFormatException {
        if (width <= 0 || height <= 0) {
            throw new MediaFormatException("picture size " + width + "x" + height);
        }
        return new VideoDimensions(width, height);
    }
}
