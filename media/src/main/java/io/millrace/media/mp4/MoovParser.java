package io.millrace.media.mp4;

import io.millrace.media.MediaFormatException;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads the movie header, the tracks' headers and the locations of their sample tables from an
 * in-memory moov box. Sample tables are expanded later, and only for the tracks that will play.
 */
final class MoovParser {

    /** What moov says about the movie. */
    static final class Movie {
        long timescale;
        long duration;
        /** mehd fragment duration (movie timescale), 0 when absent. */
        long fragmentDuration;
        boolean fragmented;
        final List<Trak> tracks = new ArrayList<>();
        final Map<Integer, FragmentReader.Defaults> trex = new HashMap<>();
        final Map<String, String> tags = new LinkedHashMap<>();
    }

    /** What moov says about one track. */
    static final class Trak {
        int id;
        boolean enabled;
        String handler = "";
        long timescale;
        long duration;
        String language = "und";
        /** Edit list entries: {segment duration (movie timescale), media time (-1 = empty), rate 16.16}. */
        final List<long[]> edits = new ArrayList<>();
        List<Box> stbl = List.of();
        Box sampleEntry;
        /** Sample count from the stsz/stz2 header (0 when absent). */
        long declaredSamples;

        boolean isVideo() {
            return handler.equals("vide");
        }

        boolean isAudio() {
            return handler.equals("soun");
        }

        String sampleType() {
            return sampleEntry == null ? "" : sampleEntry.name();
        }
    }

    private final byte[] d;
    private final long base;

    private MoovParser(byte[] d, long base) {
        this.d = d;
        this.base = base;
    }

    /** @param moov the whole moov box; {@code base} is its offset in the file */
    static Movie parse(byte[] moov, long base, int headerSize) throws MediaFormatException {
        MoovParser p = new MoovParser(moov, base);
        Box root = new Box(Boxes.MOOV, 0, headerSize, moov.length, base);
        return p.movie(root);
    }

    private List<Box> children(Box parent) throws MediaFormatException {
        return Boxes.children(d, parent.body(), parent.end(), base, parent);
    }

    private Movie movie(Box moov) throws MediaFormatException {
        Movie m = new Movie();
        List<Box> boxes = children(moov);
        Box mvhd = Boxes.first(boxes, "mvhd");
        if (mvhd == null && Boxes.first(boxes, "cmov") != null) {
            throw new MediaFormatException(moov + " is compressed (cmov), which is not supported");
        }
        if (mvhd == null) {
            throw new MediaFormatException(moov + " has no mvhd box");
        }
        BoxCursor c = new BoxCursor(d, mvhd).fullBox();
        c.skip(c.version == 1 ? 16 : 8);
        m.timescale = c.u32();
        m.duration = c.uVersioned();
        if (m.duration == 0xFFFFFFFFL && c.version == 0 || m.duration < 0) {
            m.duration = 0;
        }
        for (Box b : boxes) {
            switch (b.name()) {
                case "trak" -> m.tracks.add(trak(b));
                case "mvex" -> mvex(b, m);
                case "udta" -> Mp4Tags.udta(d, b, base, m.tags);
                default -> {
                    // iods, meta at moov level and others: not needed
                }
            }
        }
        return m;
    }

    private void mvex(Box mvex, Movie m) throws MediaFormatException {
        m.fragmented = true;
        for (Box b : children(mvex)) {
            if (b.name().equals("trex")) {
                BoxCursor c = new BoxCursor(d, b).fullBox();
                int id = c.i32();
                c.u32(); // default_sample_description_index
                m.trex.put(id, new FragmentReader.Defaults(c.u32(), c.u32(), c.i32()));
            } else if (b.name().equals("mehd")) {
                BoxCursor c = new BoxCursor(d, b).fullBox();
                m.fragmentDuration = Math.max(0, c.uVersioned());
            }
        }
    }

    private Trak trak(Box trak) throws MediaFormatException {
        Trak t = new Trak();
        List<Box> boxes = children(trak);
        Box tkhd = Boxes.first(boxes, "tkhd");
        if (tkhd == null) {
            throw new MediaFormatException(trak + " has no tkhd box");
        }
        BoxCursor c = new BoxCursor(d, tkhd).fullBox();
        t.enabled = (c.flags & 1) != 0;
        c.skip(c.version == 1 ? 16 : 8);
        t.id = c.i32();
        Box edts = Boxes.first(boxes, "edts");
        if (edts != null) {
            Box elst = Boxes.first(children(edts), "elst");
            if (elst != null) {
                editList(elst, t);
            }
        }
        Box mdia = Boxes.first(boxes, "mdia");
        if (mdia == null) {
            throw new MediaFormatException(trak + " has no mdia box");
        }
        List<Box> mdiaBoxes = children(mdia);
        Box hdlr = Boxes.first(mdiaBoxes, "hdlr");
        if (hdlr != null) {
            BoxCursor h = new BoxCursor(d, hdlr).fullBox();
            h.skip(4);
            t.handler = Boxes.name(h.i32());
        }
        Box mdhd = Boxes.first(mdiaBoxes, "mdhd");
        if (mdhd != null) {
            BoxCursor h = new BoxCursor(d, mdhd).fullBox();
            h.skip(h.version == 1 ? 16 : 8);
            t.timescale = h.u32();
            t.duration = h.uVersioned();
            if (t.duration == 0xFFFFFFFFL && h.version == 0 || t.duration < 0) {
                t.duration = 0;
            }
            t.language = language(h.u16());
        }
        Box minf = Boxes.first(mdiaBoxes, "minf");
        Box stbl = minf == null ? null : Boxes.first(children(minf), "stbl");
        if (stbl != null) {
            t.stbl = children(stbl);
            Box stsd = Boxes.first(t.stbl, "stsd");
            if (stsd != null) {
                t.sampleEntry = SampleEntry.firstEntry(d, stsd);
            }
            Box stsz = Boxes.first(t.stbl, "stsz");
            Box stz2 = Boxes.first(t.stbl, "stz2");
            if (stsz != null && stsz.bodySize() >= 12) {
                t.declaredSamples = Boxes.u32(d, stsz.body() + 8);
            } else if (stz2 != null && stz2.bodySize() >= 12) {
                t.declaredSamples = Boxes.u32(d, stz2.body() + 8);
            }
        }
        return t;
    }

    private void editList(Box elst, Trak t) throws MediaFormatException {
        BoxCursor c = new BoxCursor(d, elst).fullBox();
        int n = c.entries(c.u32(), c.version == 1 ? 20 : 12, "edits");
        for (int i = 0; i < n; i++) {
            long duration = c.uVersioned();
            long mediaTime = c.version == 1 ? c.i64() : c.i32();
            long rate = c.i32();
            t.edits.add(new long[] {duration, mediaTime, rate});
        }
    }

    /** ISO 639-2/T code packed as three 5-bit letters (+0x60); "und" when unset or not letters. */
    static String language(int packed) {
        char[] c = new char[3];
        for (int i = 0; i < 3; i++) {
            int v = (packed >> (10 - 5 * i) & 0x1F) + 0x60;
            if (v < 'a' || v > 'z') {
                return "und";
            }
            c[i] = (char) v;
        }
        return new String(c);
    }
}
