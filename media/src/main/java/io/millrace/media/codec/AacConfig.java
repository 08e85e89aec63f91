package io.millrace.media.codec;

import io.millrace.media.MediaFormatException;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;

/**
 * The leading fields of an MPEG-4 AudioSpecificConfig (ISO 14496-3 1.6.2.1), the body of an FLV/RTMP
 * AAC sequence header after its 2-byte audio tag header.
 *
 * @param objectType           audioObjectType of the core codec (2 = AAC LC); for HE-AAC signalled
 *                             explicitly (5 or 29) this is the underlying object type
 * @param signalledObjectType  the first audioObjectType field as written (5 = SBR, 29 = PS, 2 = LC ...)
 * @param sampleRate           sampling frequency of the core codec, Hz
 * @param channelConfiguration channelConfiguration (0 = defined in a program config element)
 * @param extensionSampleRate  SBR output sampling frequency when SBR is signalled explicitly, else 0
 * @param ps                   parametric stereo signalled (object type 29)
 */
public record AacConfig(int objectType, int signalledObjectType, int sampleRate, int channelConfiguration,
                        int extensionSampleRate, boolean ps) {

    private static final int[] SAMPLE_RATES = {
        96000, 88200, 64000, 48000, 44100, 32000, 24000, 22050, 16000, 12000, 11025, 8000, 7350,
    };

    /** Decoded output sample rate: the SBR rate for explicitly signalled HE-AAC, else the core rate. */
    public int outputSampleRate() {
        return extensionSampleRate > 0 ? extensionSampleRate : sampleRate;
    }

    /** Output channel count; 0 when the configuration is in a program config element. */
    public int channels() {
        if (ps && channelConfiguration == 1) {
            return 2;
        }
        return switch (channelConfiguration) {
            case 1, 2, 3, 4, 5, 6 -> channelConfiguration;
            case 7 -> 8;
            default -> 0;
        };
    }

    /** RFC 6381 codec string, e.g. {@code mp4a.40.2}. */
    public String codecString() {
        return "mp4a.40." + signalledObjectType;
    }

    /** Parses the readable bytes of {@code buf}. Borrows the buffer: indices and reference count stay. */
    public static AacConfig parse(ByteBuf buf) throws MediaFormatException {
        byte[] bytes = ByteBufUtil.getBytes(buf);
        return parse(bytes, 0, bytes.length);
    }

    public static AacConfig parse(byte[] data, int offset, int length) throws MediaFormatException {
        if (length < 2) {
            throw new MediaFormatException("AAC AudioSpecificConfig too short: " + length + " bytes");
        }
        BitReader r = new BitReader(data, offset, length);
        int signalled = readObjectType(r);
        if (signalled == 0) {
            throw new MediaFormatException("AAC AudioSpecificConfig: audio object type 0");
        }
        int sampleRate = readSampleRate(r);
        int channelConfiguration = r.readBits(4);
        int objectType = signalled;
        int extensionSampleRate = 0;
        boolean ps = false;
        if (signalled == 5 || signalled == 29) {
            ps = signalled == 29;
            if (r.bitsLeft() >= 9) {
                extensionSampleRate = readSampleRate(r);
                objectType = readObjectType(r);
            } else {
                // Cut short after the channel configuration (seen in the wild): SBR doubles the core rate.
                extensionSampleRate = Math.min(2 * sampleRate, 96000);
                objectType = 2;
            }
        }
        return new AacConfig(objectType, signalled, sampleRate, channelConfiguration, extensionSampleRate, ps);
    }

    private static int readObjectType(BitReader r) throws MediaFormatException {
        int type = r.readBits(5);
        return type == 31 ? 32 + r.readBits(6) : type;
    }

    private static int readSampleRate(BitReader r) throws MediaFormatException {
        int index = r.readBits(4);
        if (index == 15) {
            return r.readBits(24);
        }
        if (index >= SAMPLE_RATES.length) {
            throw new MediaFormatException("AAC AudioSpecificConfig: reserved sampling frequency index " + index);
        }
        return SAMPLE_RATES[index];
    }
}
