package io.millrace.media.mp4;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/** Writes ISO BMFF boxes for synthetic test files. */
final class BoxWriter {
    /** AVCDecoderConfigurationRecord with one (unparsable, 4-byte) SPS and one PPS: High profile, level 3.1. */
    static final byte[] AVCC = {1, 100, 0, 31, (byte) 0xFF, (byte) 0xE1, 0, 4, 0x67, 100, 0, 31, 1, 0, 4, 0x68,
        (byte) 0xEE, 0x3C, (byte) 0x80};
    /** AAC LC, 48 kHz, stereo. */
    static final byte[] ASC = {0x11, (byte) 0x90};

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();

    BoxWriter u8(int v) {
        out.write(v);
        return this;
    }

    BoxWriter u16(int v) {
        return u8(v >> 8).u8(v);
    }

    BoxWriter u32(long v) {
        return u16((int) (v >> 16)).u16((int) v);
    }

    BoxWriter u64(long v) {
        return u32(v >>> 32).u32(v);
    }

    BoxWriter fourcc(String s) {
        out.writeBytes(s.getBytes(StandardCharsets.ISO_8859_1));
        return this;
    }

    BoxWriter bytes(byte[]... parts) {
        for (byte[] p : parts) {
            out.writeBytes(p);
        }
        return this;
    }

    BoxWriter zeros(int n) {
        out.writeBytes(new byte[n]);
        return this;
    }

    byte[] toBytes() {
        return out.toByteArray();
    }

    static byte[] box(String type, byte[]... parts) {
        int size = 8;
        for (byte[] p : parts) {
            size += p.length;
        }
        return new BoxWriter().u32(size).fourcc(type).bytes(parts).toBytes();
    }

    static byte[] full(String type, int version, int flags, byte[]... parts) {
        return box(type, concat(new BoxWriter().u8(version).u8(flags >> 16).u16(flags).toBytes(), concat(parts)));
    }

    static byte[] concat(byte[]... parts) {
        return new BoxWriter().bytes(parts).toBytes();
    }

    static byte[] ftyp() {
        return box("ftyp", new BoxWriter().fourcc("isom").u32(512).fourcc("isom").fourcc("avc1").toBytes());
    }

    static byte[] mvhd(long timescale, long duration) {
        return full("mvhd", 0, 0, new BoxWriter().u32(0).u32(0).u32(timescale).u32(duration).zeros(80).toBytes());
    }

    static byte[] tkhd(int id, int flags) {
        return full("tkhd", 0, flags, new BoxWriter().u32(0).u32(0).u32(id).u32(0).u32(0).zeros(60).toBytes());
    }

    static byte[] mdhd(long timescale, long duration) {
        return full("mdhd", 0, 0, new BoxWriter().u32(0).u32(0).u32(timescale).u32(duration).u16(0x55C4).u16(0)
                .toBytes());
    }

    static byte[] hdlr(String handler) {
        return full("hdlr", 0, 0, new BoxWriter().u32(0).fourcc(handler).zeros(12).u8(0).toBytes());
    }

    static byte[] elst(long[]... entries) {
        BoxWriter w = new BoxWriter().u32(entries.length);
        for (long[] e : entries) {
            w.u32(e[0]).u32(e[1]).u32(e.length > 2 ? e[2] : 0x10000);
        }
        return box("edts", full("elst", 0, 0, w.toBytes()));
    }

    static byte[] trak(int id, String handler, long timescale, long duration, byte[] edts, byte[] stbl) {
        byte[] mdia = box("mdia", mdhd(timescale, duration), hdlr(handler), box("minf", stbl));
        return edts == null ? box("trak", tkhd(id, 3), mdia) : box("trak", tkhd(id, 3), edts, mdia);
    }

    static byte[] stsd(byte[] entry) {
        return full("stsd", 0, 0, new BoxWriter().u32(1).toBytes(), entry);
    }

    static byte[] visualEntry(String type, int width, int height, byte[]... children) {
        byte[] fixed = new BoxWriter().zeros(6).u16(1).zeros(16).u16(width).u16(height).u32(0x480000).u32(0x480000)
                .u32(0).u16(1).zeros(32).u16(24).u16(0xFFFF).toBytes();
        return box(type, concat(fixed, concat(children)));
    }

    static byte[] avc1(int width, int height) {
        return visualEntry("avc1", width, height, box("avcC", AVCC));
    }

    static byte[] audioEntry(String type, int channels, int rate, byte[]... children) {
        byte[] fixed = new BoxWriter().zeros(6).u16(1).zeros(8).u16(channels).u16(16).u32(0).u32((long) rate << 16)
                .toBytes();
        return box(type, concat(fixed, concat(children)));
    }

    static byte[] esds(int oti, byte[] dsi) {
        BoxWriter dc = new BoxWriter().u8(oti).u8(0x15).zeros(3).u32(128000).u32(128000);
        if (dsi != null) {
            dc.u8(5).u8(dsi.length).bytes(dsi);
        }
        byte[] dcd = dc.toBytes();
        byte[] es = new BoxWriter().u16(1).u8(0).u8(4).u8(dcd.length).bytes(dcd).u8(6).u8(1).u8(2).toBytes();
        return full("esds", 0, 0, new BoxWriter().u8(3).u8(es.length).bytes(es).toBytes());
    }

    static byte[] mp4a(int channels, int rate) {
        return audioEntry("mp4a", channels, rate, esds(0x40, ASC));
    }

    /** stts from {count, delta} runs. */
    static byte[] stts(long[]... runs) {
        BoxWriter w = new BoxWriter().u32(runs.length);
        for (long[] r : runs) {
            w.u32(r[0]).u32(r[1]);
        }
        return full("stts", 0, 0, w.toBytes());
    }

    static byte[] ctts(int version, int[] offsets) {
        BoxWriter w = new BoxWriter().u32(offsets.length);
        for (int o : offsets) {
            w.u32(1).u32(o & 0xFFFFFFFFL);
        }
        return full("ctts", version, 0, w.toBytes());
    }

    static byte[] stss(int... numbers) {
        BoxWriter w = new BoxWriter().u32(numbers.length);
        for (int n : numbers) {
            w.u32(n);
        }
        return full("stss", 0, 0, w.toBytes());
    }

    /** stsc from {first chunk, samples per chunk} entries. */
    static byte[] stsc(long[]... entries) {
        BoxWriter w = new BoxWriter().u32(entries.length);
        for (long[] e : entries) {
            w.u32(e[0]).u32(e[1]).u32(1);
        }
        return full("stsc", 0, 0, w.toBytes());
    }

    static byte[] stsz(int[] sizes) {
        BoxWriter w = new BoxWriter().u32(0).u32(sizes.length);
        for (int s : sizes) {
            w.u32(s);
        }
        return full("stsz", 0, 0, w.toBytes());
    }

    static byte[] stz2(int fieldSize, int[] sizes) {
        BoxWriter w = new BoxWriter().zeros(3).u8(fieldSize).u32(sizes.length);
        for (int i = 0; i < sizes.length; i++) {
            if (fieldSize == 4) {
                if (i % 2 == 0) {
                    w.u8(sizes[i] << 4 | (i + 1 < sizes.length ? sizes[i + 1] : 0));
                }
            } else if (fieldSize == 8) {
                w.u8(sizes[i]);
            } else {
                w.u16(sizes[i]);
            }
        }
        return full("stz2", 0, 0, w.toBytes());
    }

    static byte[] stco(long[] offsets) {
        BoxWriter w = new BoxWriter().u32(offsets.length);
        for (long o : offsets) {
            w.u32(o);
        }
        return full("stco", 0, 0, w.toBytes());
    }

    static byte[] co64(long[] offsets) {
        BoxWriter w = new BoxWriter().u32(offsets.length);
        for (long o : offsets) {
            w.u64(o);
        }
        return full("co64", 0, 0, w.toBytes());
    }

    static byte[] stbl(byte[]... boxes) {
        return box("stbl", boxes);
    }
}
