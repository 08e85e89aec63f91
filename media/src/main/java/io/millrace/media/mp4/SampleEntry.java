package io.millrace.media.mp4;

import io.millrace.media.MediaFormatException;
import io.millrace.media.codec.AacConfig;
import io.millrace.media.codec.AvcDecoderConfig;
import io.millrace.media.codec.AvcSps;

import java.util.List;
import java.util.Map;

/**
 * The first sample description of a track (from {@code stsd}): codec, picture size or audio format,
 * and the decoder configuration to send as sequence header. A codec this server cannot send to a
 * classic RTMP client gets an {@link #unsupportedReason}.
 */
final class SampleEntry {
    enum Codec { AVC, AAC, MP3, OTHER }

    private static final int HEADER_VIDEO = 78;
    private static final int HEADER_AUDIO = 28;
    /** QuickTime's MP3 sample entry type {@code ms\0U}. */
    private static final int MS_MP3 = Boxes.fourcc("ms\0U");

    /** Codecs that Enhanced RTMP carries (FourCC headers) but that this server does not send yet. */
    private static final Map<String, String> ENHANCED = Map.ofEntries(
            Map.entry("hvc1", "HEVC"), Map.entry("hev1", "HEVC"), Map.entry("av01", "AV1"),
            Map.entry("vp09", "VP9"), Map.entry("vp08", "VP8"), Map.entry("vvc1", "VVC"), Map.entry("vvi1", "VVC"),
            Map.entry("Opus", "Opus"), Map.entry("fLaC", "FLAC"), Map.entry("ac-3", "AC-3"), Map.entry("ec-3", "E-AC-3"));
    private static final Map<String, String> OTHER_NAMES = Map.ofEntries(
            Map.entry("mp4v", "MPEG-4 Visual"), Map.entry("s263", "H.263"), Map.entry("h263", "H.263"),
            Map.entry("jpeg", "Motion JPEG"), Map.entry("mjpa", "Motion JPEG"), Map.entry("apch", "ProRes"),
            Map.entry("apcn", "ProRes"), Map.entry("encv", "Encrypted"), Map.entry("enca", "Encrypted"),
            Map.entry("alac", "ALAC"), Map.entry("samr", "AMR-NB"), Map.entry("sawb", "AMR-WB"),
            Map.entry("lpcm", "PCM"), Map.entry("sowt", "PCM"), Map.entry("twos", "PCM"), Map.entry("ipcm", "PCM"),
            Map.entry("mha1", "MPEG-H"), Map.entry("dtsc", "DTS"));

    final String fourcc;
    final boolean video;
    final Codec codec;
    final String unsupportedReason;
    final int width;
    final int height;
    final int channels;
    final int sampleSize;
    final int sampleRate;
    /** avcC payload or AudioSpecificConfig, or null. */
    final byte[] config;
    final AvcDecoderConfig avc;
    final AacConfig aac;

    private SampleEntry(String fourcc, boolean video, Codec codec, String unsupportedReason, int width, int height,
                        int channels, int sampleSize, int sampleRate, byte[] config, AvcDecoderConfig avc, AacConfig aac) {
        this.fourcc = fourcc;
        this.video = video;
        this.codec = codec;
        this.unsupportedReason = unsupportedReason;
        this.width = width;
        this.height = height;
        this.channels = channels;
        this.sampleSize = sampleSize;
        this.sampleRate = sampleRate;
        this.config = config;
        this.avc = avc;
        this.aac = aac;
    }

    /** FourCC of the first entry of {@code stsd}, or null when it has none. */
    static Box firstEntry(byte[] d, Box stsd) throws MediaFormatException {
        BoxCursor c = new BoxCursor(d, stsd).fullBox();
        long count = c.u32();
        if (count == 0 || c.remaining() < 8) {
            return null;
        }
        // only the first entry is used: later ones may be broken without harm
        List<Box> entries = Boxes.childrenLenient(d, c.pos, stsd.end(), stsd.fileOffset() - stsd.start());
        if (entries.isEmpty()) {
            throw new MediaFormatException(stsd + ": the first sample entry declares " + Boxes.u32(d, c.pos)
                    + " bytes, " + c.remaining() + " are left");
        }
        return entries.get(0);
    }

    static SampleEntry parse(byte[] d, Box entry, boolean video) throws MediaFormatException {
        return video ? parseVideo(d, entry) : parseAudio(d, entry);
    }

    private static SampleEntry parseVideo(byte[] d, Box e) throws MediaFormatException {
        String fourcc = e.name();
        BoxCursor c = new BoxCursor(d, e);
        c.need(HEADER_VIDEO);
        int width = Boxes.u16(d, e.body() + 24);
        int height = Boxes.u16(d, e.body() + 26);
        long base = e.fileOffset() - e.start();
        List<Box> children = Boxes.childrenLenient(d, e.body() + HEADER_VIDEO, e.end(), base);
        if (!fourcc.equals("avc1") && !fourcc.equals("avc3")) {
            return new SampleEntry(fourcc, true, Codec.OTHER, reason(fourcc, "video"), width, height,
                    0, 0, 0, null, null, null);
        }
        Box avcC = Boxes.first(children, "avcC");
        if (avcC == null) {
            throw new MediaFormatException(e + " has no avcC box (AVC decoder configuration)");
        }
        byte[] config = java.util.Arrays.copyOfRange(d, avcC.body(), avcC.end());
        AvcDecoderConfig avc;
        try {
            avc = AvcDecoderConfig.parse(config, 0, config.length);
        } catch (MediaFormatException ex) {
            throw new MediaFormatException(avcC + ": " + ex.getMessage(), ex);
        }
        try {
            AvcSps sps = avc.firstSps();
            if (sps != null) {
                width = sps.width();
                height = sps.height();
            }
        } catch (MediaFormatException ex) {
            // keep the sample entry's size: the SPS is only read for metadata
        }
        return new SampleEntry(fourcc, true, Codec.AVC, null, width, height, 0, 0, 0, config, avc, null);
    }

    private static SampleEntry parseAudio(byte[] d, Box e) throws MediaFormatException {
        String fourcc = e.name();
        BoxCursor c = new BoxCursor(d, e);
        c.need(HEADER_AUDIO);
        int p = e.body();
        int version = Boxes.u16(d, p + 8);
        int channels = Boxes.u16(d, p + 16);
        int sampleSize = Boxes.u16(d, p + 18);
        int sampleRate = (int) (Boxes.u32(d, p + 24) >>> 16);
        int extra = version == 1 ? 16 : version == 2 ? 36 : 0;
        if (version == 2 && e.bodySize() >= HEADER_AUDIO + 36) {
            double rate = Double.longBitsToDouble(Boxes.i64(d, p + 32));
            if (rate > 0 && rate < 10_000_000) {
                sampleRate = (int) Math.round(rate);
            }
            channels = Boxes.i32(d, p + 40);
        }
        long base = e.fileOffset() - e.start();
        List<Box> children = extensions(d, p + HEADER_AUDIO + extra, e.end(), base);
        if (children == null && extra > 0) {
            children = extensions(d, p + HEADER_AUDIO, e.end(), base); // ISO files with a non-zero version field
        }
        if (children == null) {
            children = List.of();
        }
        if (fourcc.equals(".mp3") || e.type() == MS_MP3) {
            return new SampleEntry(fourcc, false, Codec.MP3, null, 0, 0, channels, sampleSize, sampleRate, null, null, null);
        }
        if (!fourcc.equals("mp4a")) {
            return new SampleEntry(fourcc, false, Codec.OTHER, reason(fourcc, "audio"), 0, 0, channels, sampleSize,
                    sampleRate, null, null, null);
        }
        Box esds = Boxes.first(children, "esds");
        if (esds == null) {
            Box wave = Boxes.first(children, "wave");
            if (wave != null) {
                esds = Boxes.first(Boxes.childrenLenient(d, wave.body(), wave.end(), base), "esds");
            }
        }
        if (esds == null) {
            throw new MediaFormatException(e + " has no esds box (MPEG-4 audio decoder configuration)");
        }
        Esds es = Esds.parse(d, esds);
        int oti = es.objectTypeIndication();
        if (oti == 0x69 || oti == 0x6B) {
            return new SampleEntry(fourcc, false, Codec.MP3, null, 0, 0, channels, sampleSize, sampleRate, null, null, null);
        }
        if (oti != 0x40 && oti != 0x66 && oti != 0x67 && oti != 0x68) {
            String name = switch (oti) {
                case 0xA5 -> "AC-3";
                case 0xA6 -> "E-AC-3";
                case 0xAD -> "Opus";
                case 0xDD -> "Vorbis";
                default -> String.format("MPEG-4 object type 0x%02X", oti);
            };
            return new SampleEntry(fourcc, false, Codec.OTHER, name + " audio (mp4a) cannot be played over RTMP by this server",
                    0, 0, channels, sampleSize, sampleRate, null, null, null);
        }
        byte[] asc = es.decoderSpecificInfo();
        if (asc == null) {
            throw new MediaFormatException(esds + " has no AAC AudioSpecificConfig (DecoderSpecificInfo)");
        }
        AacConfig aac;
        try {
            aac = AacConfig.parse(asc, 0, asc.length);
        } catch (MediaFormatException ex) {
            throw new MediaFormatException(esds + ": " + ex.getMessage(), ex);
        }
        if (aac.channels() > 0) {
            channels = aac.channels();
        }
        return new SampleEntry(fourcc, false, Codec.AAC, null, 0, 0, channels, sampleSize, aac.outputSampleRate(),
                asc, null, aac);
    }

    /** The extension boxes from {@code from}, or null when they do not tile the rest of the entry. */
    private static List<Box> extensions(byte[] d, int from, int to, long base) {
        if (from > to) {
            return null;
        }
        List<Box> boxes = Boxes.childrenLenient(d, from, to, base);
        int end = boxes.isEmpty() ? from : boxes.get(boxes.size() - 1).end();
        if (to - end >= 8) {
            return null;
        }
        for (Box b : boxes) {
            if (b.type() != 0 && !Boxes.printable(b.type())) {
                return null;
            }
        }
        return boxes;
    }

    static String reason(String fourcc, String kind) {
        String name = ENHANCED.get(fourcc);
        if (name != null) {
            return name + " (" + fourcc + ") " + kind + " needs an Enhanced RTMP client; this server does not send it yet";
        }
        name = OTHER_NAMES.get(fourcc);
        if (name == null) {
            return "The " + kind + " codec '" + fourcc + "' cannot be played over RTMP by this server";
        }
        return name + " (" + fourcc + ") " + kind + " cannot be played over RTMP by this server";
    }

    /** FLV codec id (7 AVC, 10 AAC, 2 MP3), else the sample entry FourCC as a big-endian number (as Enhanced RTMP does). */
    double codecId() {
        return switch (codec) {
            case AVC -> 7;
            case AAC -> 10;
            case MP3 -> 2;
            case OTHER -> {
                String c = fourcc.equals("hev1") ? "hvc1" : fourcc.equals("vvi1") ? "vvc1" : fourcc;
                yield Boxes.fourcc(c) & 0xFFFFFFFFL;
            }
        };
    }

    /**
     * The one-byte FLV audio tag header for MP3 (nginx-rtmp's rule): SoundFormat 2, rate bits from the
     * entry's sample rate (5512 / 11025 / 22050 / else 44 kHz), 16-bit when the sample size is above 8,
     * stereo when there is more than one channel.
     */
    int mp3HeaderByte() {
        int rate = switch (sampleRate) {
            case 5512, 5513 -> 0;
            case 11025 -> 1;
            case 22050 -> 2;
            default -> 3;
        };
        return 2 << 4 | rate << 2 | (sampleSize > 8 ? 2 : 0) | (channels > 1 ? 1 : 0);
    }
}
