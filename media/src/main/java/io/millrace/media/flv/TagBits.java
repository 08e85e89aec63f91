package io.millrace.media.flv;

import io.netty.buffer.ByteBuf;

/**
 * Reads the audio/video tag header fields (FLV legacy headers and the Enhanced RTMP ExHeader) from
 * the first bytes of a tag body. Every method looks at {@code length} bytes of {@code buf} from
 * {@code index} with absolute getters and returns -1/false when the bytes are too few to tell.
 */
final class TagBits {
    static final int EX_VIDEO_SEQUENCE_START = 0;
    static final int EX_VIDEO_CODED_FRAMES = 1;
    static final int EX_VIDEO_SEQUENCE_END = 2;
    static final int EX_VIDEO_CODED_FRAMES_X = 3;
    static final int EX_VIDEO_MULTITRACK = 6;
    static final int EX_AUDIO_SEQUENCE_START = 0;
    static final int EX_AUDIO_CODED_FRAMES = 1;
    static final int EX_AUDIO_MULTITRACK = 5;
    static final int MULTITRACK_MANY_CODECS = 2;

    static final int FOURCC_AVC1 = 0x61766331;
    static final int FOURCC_HVC1 = 0x68766331;
    static final int FOURCC_VVC1 = 0x76766331;

    private TagBits() {
    }

    // ---- video -------------------------------------------------------------------------------

    static boolean videoExHeader(ByteBuf buf, int index, int length) {
        return length >= 1 && (buf.getByte(index) & 0x80) != 0;
    }

    static int videoFrameType(ByteBuf buf, int index, int length) {
        if (length < 1) {
            return -1;
        }
        int b = buf.getUnsignedByte(index);
        return (b & 0x80) != 0 ? b >> 4 & 0x07 : b >> 4;
    }

    /** Legacy CodecID, or the FourCC as an int for an ExHeader (-1 if not readable). */
    static int videoCodecId(ByteBuf buf, int index, int length) {
        if (length < 1) {
            return -1;
        }
        int b = buf.getUnsignedByte(index);
        if ((b & 0x80) == 0) {
            return b & 0x0F;
        }
        if ((b >> 4 & 0x07) == 5 && (b & 0x0F) != 4) { // command frame: a command byte, no FourCC
            return -1;
        }
        return exFourCc(buf, index, length, b & 0x0F, EX_VIDEO_MULTITRACK);
    }

    /**
     * AVCPacketType (legacy AVC and the unofficial HEVC 12 / AV1 13) or the ExHeader VideoPacketType
     * (the inner one for multitrack); -1 for codecs without one.
     */
    static int videoPacketType(ByteBuf buf, int index, int length) {
        if (length < 1) {
            return -1;
        }
        int b = buf.getUnsignedByte(index);
        if ((b & 0x80) != 0) {
            int type = b & 0x0F;
            if (type == EX_VIDEO_MULTITRACK) {
                return length >= 2 ? buf.getUnsignedByte(index + 1) & 0x0F : -1;
            }
            return type;
        }
        int codec = b & 0x0F;
        if ((codec == 7 || codec == 12 || codec == 13) && b >> 4 != 5) { // frame type 5: a command byte follows
            return length >= 2 ? buf.getUnsignedByte(index + 1) : -1;
        }
        return -1;
    }

    static boolean videoSequenceHeader(ByteBuf buf, int index, int length) {
        if (videoFrameType(buf, index, length) == 5) {
            return false;
        }
        int packetType = videoPacketType(buf, index, length);
        if (videoExHeader(buf, index, length)) {
            return packetType == EX_VIDEO_SEQUENCE_START;
        }
        return packetType == 0;
    }

    /** A coded picture (not a config, end-of-sequence, metadata or command packet). */
    static boolean videoFrame(ByteBuf buf, int index, int length) {
        int frameType = videoFrameType(buf, index, length);
        if (frameType < 1 || frameType > 4) {
            return false;
        }
        int packetType = videoPacketType(buf, index, length);
        if (videoExHeader(buf, index, length)) {
            return packetType == EX_VIDEO_CODED_FRAMES || packetType == EX_VIDEO_CODED_FRAMES_X;
        }
        int codec = buf.getUnsignedByte(index) & 0x0F;
        if (codec == 7 || codec == 12 || codec == 13) {
            return packetType == 1;
        }
        return true;
    }

    /** A coded picture with FrameType 1 (key frame). */
    static boolean videoKeyframe(ByteBuf buf, int index, int length) {
        return videoFrameType(buf, index, length) == 1 && videoFrame(buf, index, length);
    }

    /** CompositionTime (PTS - DTS, ms) of an AVC/HEVC/VVC coded frame, else 0. */
    static int compositionTime(ByteBuf buf, int index, int length) {
        if (length < 1) {
            return 0;
        }
        int b = buf.getUnsignedByte(index);
        int at;
        if ((b & 0x80) == 0) {
            int codec = b & 0x0F;
            if ((codec != 7 && codec != 12) || videoPacketType(buf, index, length) != 1) {
                return 0;
            }
            at = index + 2;
        } else {
            if ((b & 0x0F) != EX_VIDEO_CODED_FRAMES) {
                return 0;
            }
            int fourCc = videoCodecId(buf, index, length);
            if (fourCc != FOURCC_AVC1 && fourCc != FOURCC_HVC1 && fourCc != FOURCC_VVC1) {
                return 0;
            }
            at = index + 5;
        }
        if (at + 3 > index + length) {
            return 0;
        }
        return buf.getMedium(at);
    }

    // ---- audio -------------------------------------------------------------------------------

    static int soundFormat(ByteBuf buf, int index, int length) {
        return length < 1 ? -1 : buf.getUnsignedByte(index) >> 4;
    }

    static boolean audioExHeader(ByteBuf buf, int index, int length) {
        return soundFormat(buf, index, length) == 9;
    }

    /** SoundFormat, or the FourCC as an int for an ExHeader (-1 if not readable). */
    static int audioCodecId(ByteBuf buf, int index, int length) {
        int format = soundFormat(buf, index, length);
        if (format != 9) {
            return format;
        }
        return exFourCc(buf, index, length, buf.getUnsignedByte(index) & 0x0F, EX_AUDIO_MULTITRACK);
    }

    /** AACPacketType, or the ExHeader AudioPacketType (inner one for multitrack); else -1. */
    static int audioPacketType(ByteBuf buf, int index, int length) {
        int format = soundFormat(buf, index, length);
        if (format == 10) {
            return length >= 2 ? buf.getUnsignedByte(index + 1) : -1;
        }
        if (format == 9) {
            int type = buf.getUnsignedByte(index) & 0x0F;
            if (type == EX_AUDIO_MULTITRACK) {
                return length >= 2 ? buf.getUnsignedByte(index + 1) & 0x0F : -1;
            }
            return type;
        }
        return -1;
    }

    static boolean audioSequenceHeader(ByteBuf buf, int index, int length) {
        int format = soundFormat(buf, index, length);
        return (format == 10 || format == 9) && audioPacketType(buf, index, length) == 0;
    }

    /** Coded audio (not a config packet, not the zero-length "silence" marker). */
    static boolean audioFrame(ByteBuf buf, int index, int length) {
        int format = soundFormat(buf, index, length);
        if (format < 0) {
            return false;
        }
        if (format == 10 || format == 9) {
            int type = audioPacketType(buf, index, length);
            return type == (format == 10 ? 1 : EX_AUDIO_CODED_FRAMES);
        }
        return true;
    }

    private static int exFourCc(ByteBuf buf, int index, int length, int packetType, int multitrackType) {
        int at = index + 1;
        if (packetType == 7) { // ModEx: FourCC position depends on the ModEx blocks; not needed here
            return -1;
        }
        if (packetType == multitrackType) {
            if (length < 2 || buf.getUnsignedByte(index + 1) >> 4 == MULTITRACK_MANY_CODECS) {
                return -1;
            }
            at = index + 2;
        }
        return at + 4 <= index + length ? buf.getInt(at) : -1;
    }
}
