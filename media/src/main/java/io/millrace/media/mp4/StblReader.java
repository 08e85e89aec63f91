package io.millrace.media.mp4;

import io.millrace.media.MediaFormatException;

import java.util.Arrays;
import java.util.List;

/**
 * Expands a track's sample table boxes (stsz/stz2, stts, ctts, stss, stsc, stco/co64) into a
 * {@link SampleTableBuilder}: one pass per box over the in-memory moov, no object per sample. Tables
 * that disagree about the number of samples fail with {@link MediaFormatException}.
 */
final class StblReader {
    private final byte[] d;
    private final List<Box> stbl;
    private final SampleTableBuilder b;
    private final long fileSize;

    private StblReader(byte[] d, List<Box> stbl, SampleTableBuilder b, long fileSize) {
        this.d = d;
        this.stbl = stbl;
        this.b = b;
        this.fileSize = fileSize;
    }

    /** Reads the tables in {@code stbl} (its children) into a new builder. */
    static SampleTableBuilder read(byte[] d, List<Box> stbl, long fileSize) throws MediaFormatException {
        SampleTableBuilder b = new SampleTableBuilder();
        new StblReader(d, stbl, b, fileSize).read();
        return b;
    }

    private void read() throws MediaFormatException {
        int n = sizes();
        if (n == 0) {
            return;
        }
        times(n);
        compositionOffsets(n);
        syncSamples(n);
        offsets(n);
    }

    private Box require(String type, String alt) throws MediaFormatException {
        Box box = Boxes.first(stbl, type);
        if (box == null && alt != null) {
            box = Boxes.first(stbl, alt);
        }
        if (box == null) {
            throw new MediaFormatException("sample table has no '" + type + "'" + (alt == null ? "" : " or '" + alt + "'")
                    + " box");
        }
        return box;
    }

    /** stsz or stz2: the sample count and sizes. */
    private int sizes() throws MediaFormatException {
        Box stsz = Boxes.first(stbl, "stsz");
        if (stsz == null) {
            Box stz2 = Boxes.first(stbl, "stz2");
            if (stz2 == null) {
                if (Boxes.first(stbl, "stts") == null) {
                    return 0; // an empty moov of a fragmented file may leave the tables out
                }
                throw new MediaFormatException("sample table has no 'stsz' or 'stz2' box");
            }
            return compactSizes(stz2);
        }
        BoxCursor c = new BoxCursor(d, stsz).fullBox();
        long constant = c.u32();
        long count = c.u32();
        if (constant == 0) {
            int n = c.entries(count, 4, "sample sizes");
            b.reserve(n);
            int p = c.pos;
            for (int i = 0; i < n; i++, p += 4) {
                long size = Boxes.u32(d, p);
                SampleTableBuilder.checkSize(size, i);
                b.sizes[i] = (int) size;
            }
            b.n = n;
            return n;
        }
        SampleTableBuilder.checkSize(constant, 0);
        if (count > SampleTableBuilder.MAX_SAMPLES || count > fileSize / constant + 1) {
            throw new MediaFormatException(stsz + " declares " + count + " samples of " + constant
                    + " bytes, more than the file holds");
        }
        int n = (int) count;
        b.reserve(n);
        Arrays.fill(b.sizes, 0, n, (int) constant);
        b.n = n;
        return n;
    }

    private int compactSizes(Box stz2) throws MediaFormatException {
        BoxCursor c = new BoxCursor(d, stz2).fullBox();
        c.skip(3);
        int fieldSize = c.u8();
        long count = c.u32();
        if (fieldSize != 4 && fieldSize != 8 && fieldSize != 16) {
            throw new MediaFormatException(stz2 + " has an invalid field size " + fieldSize);
        }
        if (count < 0 || (count * fieldSize + 7) / 8 > c.remaining()) {
            throw new MediaFormatException(stz2 + " declares " + count + " samples but holds only " + c.remaining() + " bytes");
        }
        int n = (int) count;
        b.reserve(n);
        int p = c.pos;
        for (int i = 0; i < n; i++) {
            b.sizes[i] = switch (fieldSize) {
                case 4 -> (i & 1) == 0 ? (d[p + i / 2] & 0xF0) >>> 4 : d[p + i / 2] & 0x0F;
                case 8 -> d[p + i] & 0xFF;
                default -> Boxes.u16(d, p + 2 * i);
            };
        }
        b.n = n;
        return n;
    }

    /** stts: runs of sample durations. */
    private void times(int n) throws MediaFormatException {
        Box stts = require("stts", null);
        BoxCursor c = new BoxCursor(d, stts).fullBox();
        int entries = c.entries(c.u32(), 8, "entries");
        int p = c.pos;
        int s = 0;
        long dts = 0;
        for (int e = 0; e < entries && s < n; e++, p += 8) {
            long count = Math.min(Boxes.u32(d, p), n - s);
            long delta = Boxes.u32(d, p + 4);
            if (count == 0) {
                continue;
            }
            b.timeRun(s, dts, delta);
            dts += count * delta;
            s += (int) count;
        }
        if (s < n) {
            throw new MediaFormatException(stts + " gives times for " + s + " samples, the track has " + n);
        }
    }

    /** ctts: composition offsets (version 0 read as signed too, as files with negative ones exist). */
    private void compositionOffsets(int n) throws MediaFormatException {
        Box ctts = Boxes.first(stbl, "ctts");
        if (ctts == null) {
            return;
        }
        BoxCursor c = new BoxCursor(d, ctts).fullBox();
        int entries = c.entries(c.u32(), 8, "entries");
        int[] cto = new int[b.sizes.length];
        int p = c.pos;
        int s = 0;
        for (int e = 0; e < entries && s < n; e++, p += 8) {
            int count = (int) Math.min(Boxes.u32(d, p), n - s);
            int offset = Boxes.i32(d, p + 4);
            Arrays.fill(cto, s, s + count, offset);
            s += count;
        }
        if (s < n) {
            throw new MediaFormatException(ctts + " gives composition offsets for " + s + " samples, the track has " + n);
        }
        b.cto = cto;
    }

    /** stss: sync sample numbers (absent = every sample is sync). */
    private void syncSamples(int n) throws MediaFormatException {
        Box stss = Boxes.first(stbl, "stss");
        if (stss == null) {
            return;
        }
        BoxCursor c = new BoxCursor(d, stss).fullBox();
        int entries = c.entries(c.u32(), 4, "sync samples");
        int[] keys = new int[entries];
        int p = c.pos;
        boolean sorted = true;
        for (int i = 0; i < entries; i++, p += 4) {
            long number = Boxes.u32(d, p);
            if (number < 1 || number > n) {
                throw new MediaFormatException(stss + " names sample " + number + " of a track with " + n + " samples");
            }
            keys[i] = (int) number - 1;
            sorted &= i == 0 || keys[i] > keys[i - 1];
        }
        if (!sorted) {
            keys = Arrays.stream(keys).sorted().distinct().toArray();
        }
        b.keys = keys;
        b.keyCount = keys.length;
        b.allSync = false;
    }

    /** stsc + stco/co64: the offset of every sample. */
    private void offsets(int n) throws MediaFormatException {
        Box co = require("stco", "co64");
        boolean wide = co.name().equals("co64");
        BoxCursor cc = new BoxCursor(d, co).fullBox();
        int chunks = cc.entries(cc.u32(), wide ? 8 : 4, "chunk offsets");
        int chunkBase = cc.pos;

        Box stsc = require("stsc", null);
        BoxCursor sc = new BoxCursor(d, stsc).fullBox();
        int entries = sc.entries(sc.u32(), 12, "entries");
        int p = sc.pos;
        long[] offsets = b.offsets;
        int[] sizes = b.sizes;
        int s = 0;
        long firstChunk = 1;
        for (int e = 0; e < entries && s < n; e++) {
            long first = e == 0 ? 1 : Boxes.u32(d, p + 12 * e);
            long next = e + 1 < entries ? Boxes.u32(d, p + 12 * (e + 1)) : (long) chunks + 1;
            long perChunk = Boxes.u32(d, p + 12 * e + 4);
            if (first < firstChunk || next < first) {
                throw new MediaFormatException(stsc + ": entry " + (e + 1) + " starts at chunk " + first
                        + ", out of order");
            }
            firstChunk = first;
            long last = Math.min(next, (long) chunks + 1);
            for (long chunk = first; chunk < last && s < n; chunk++) {
                int q = chunkBase + (int) (chunk - 1) * (wide ? 8 : 4);
                long offset = wide ? Boxes.i64(d, q) : Boxes.u32(d, q);
                for (long k = 0; k < perChunk && s < n; k++) {
                    offsets[s] = offset;
                    offset += sizes[s];
                    s++;
                }
            }
        }
        if (s < n) {
            throw new MediaFormatException(stsc + " and " + co + " place " + s + " samples, the track has " + n);
        }
    }
}
