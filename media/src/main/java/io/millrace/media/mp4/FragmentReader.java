package io.millrace.media.mp4;

import io.millrace.media.MediaFormatException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.util.List;
import java.util.Map;

/**
 * Appends the samples of a fragmented file's movie fragments ({@code moof}: {@code traf} = {@code tfhd},
 * {@code tfdt}, {@code trun}s) to the tracks' {@link SampleTableBuilder}s. Only the moof boxes are read;
 * the media data between them is skipped by its size. A fragment cut off by the end of the file ends
 * the scan: what came before it plays.
 */
final class FragmentReader {
    private static final Logger LOG = LoggerFactory.getLogger(FragmentReader.class);
    static final long MAX_MOOF = 64L << 20;

    private static final int TFHD_BASE_DATA_OFFSET = 0x000001;
    private static final int TFHD_SAMPLE_DESCRIPTION = 0x000002;
    private static final int TFHD_DURATION = 0x000008;
    private static final int TFHD_SIZE = 0x000010;
    private static final int TFHD_FLAGS = 0x000020;
    private static final int TFHD_BASE_IS_MOOF = 0x020000;
    private static final int TRUN_DATA_OFFSET = 0x000001;
    private static final int TRUN_FIRST_FLAGS = 0x000004;
    private static final int TRUN_DURATION = 0x000100;
    private static final int TRUN_SIZE = 0x000200;
    private static final int TRUN_FLAGS = 0x000400;
    private static final int TRUN_CTO = 0x000800;
    static final int SAMPLE_NON_SYNC = 0x00010000;

    /** Per-track defaults from {@code trex}: duration, size, flags. */
    record Defaults(long duration, long size, int flags) {
    }

    private final TopLevelBoxes file;
    private final Map<Integer, Defaults> trex;
    private final Map<Integer, SampleTableBuilder> targets;
    private int fragments;

    FragmentReader(TopLevelBoxes file, Map<Integer, Defaults> trex, Map<Integer, SampleTableBuilder> targets) {
        this.file = file;
        this.trex = trex;
        this.targets = targets;
    }

    /** Reads every moof from {@code from} (the end of moov) to the end of the file. */
    void scan(long from) throws IOException {
        long pos = from;
        TopLevelBoxes.Header h;
        while ((h = file.header(pos)) != null) {
            if (h.end() > file.size()) {
                LOG.debug("{}: '{}' box at offset {} runs past the end of the file; fragments end there",
                        file.name(), Boxes.name(h.type()), pos);
                break;
            }
            if (h.type() == Boxes.MOOF) {
                if (h.size() > MAX_MOOF) {
                    throw new MediaFormatException("moof box at offset " + pos + " is " + h.size() + " bytes, over the "
                            + (MAX_MOOF >> 20) + " MiB limit");
                }
                byte[] moof = file.read(pos, (int) h.size());
                fragment(moof, pos, new Box(h.type(), 0, h.headerSize(), moof.length, pos));
                fragments++;
            }
            pos = h.end();
        }
    }

    int fragments() {
        return fragments;
    }

    private void fragment(byte[] d, long moofOffset, Box moof) throws MediaFormatException {
        long previousEnd = moofOffset;
        for (Box traf : Boxes.children(d, moof.body(), moof.end(), moofOffset, moof)) {
            if (!traf.name().equals("traf")) {
                continue;
            }
            previousEnd = trackFragment(d, moofOffset, traf, previousEnd);
        }
    }

    /** Reads one traf; returns the end of its sample data (the default base of the next traf). */
    private long trackFragment(byte[] d, long moofOffset, Box traf, long previousEnd) throws MediaFormatException {
        List<Box> boxes = Boxes.children(d, traf.body(), traf.end(), moofOffset, traf);
        Box tfhd = Boxes.first(boxes, "tfhd");
        if (tfhd == null) {
            throw new MediaFormatException(traf + " has no tfhd box");
        }
        BoxCursor c = new BoxCursor(d, tfhd).fullBox();
        int tf = c.flags;
        int trackId = c.i32();
        Defaults def = trex.getOrDefault(trackId, new Defaults(0, 0, 0));
        long base = (tf & TFHD_BASE_DATA_OFFSET) != 0 ? c.i64()
                : (tf & TFHD_BASE_IS_MOOF) != 0 ? moofOffset : previousEnd;
        if ((tf & TFHD_SAMPLE_DESCRIPTION) != 0) {
            c.u32();
        }
        long duration = (tf & TFHD_DURATION) != 0 ? c.u32() : def.duration();
        long size = (tf & TFHD_SIZE) != 0 ? c.u32() : def.size();
        int flags = (tf & TFHD_FLAGS) != 0 ? c.i32() : def.flags();

        SampleTableBuilder b = targets.get(trackId);
        Box tfdt = Boxes.first(boxes, "tfdt");
        long dts = 0;
        if (b != null) {
            dts = b.nextDts();
            if (tfdt != null) {
                BoxCursor t = new BoxCursor(d, tfdt).fullBox();
                // Decode times only go forward: a tfdt before the end of the track's samples so far
                // (or from 2^63 on, which reads as negative) counts as that end.
                dts = Math.max(dts, t.uVersioned());
            }
        }
        try {
            return runs(d, boxes, b, base, dts, duration, size, flags);
        } catch (MediaFormatException e) {
            throw new MediaFormatException("track " + trackId + " (moof at offset " + moofOffset + "): "
                    + e.getMessage(), e);
        }
    }

    /** Reads the truns of one traf from {@code base}; returns the end of their data. */
    private long runs(byte[] d, List<Box> boxes, SampleTableBuilder b, long base, long dts, long duration, long size,
                      int flags) throws MediaFormatException {
        long dataPos = base;
        for (Box trun : boxes) {
            if (!trun.name().equals("trun")) {
                continue;
            }
            BoxCursor r = new BoxCursor(d, trun).fullBox();
            int rf = r.flags;
            long count = r.u32();
            if ((rf & TRUN_DATA_OFFSET) != 0) {
                dataPos = base + r.i32();
            }
            int firstFlags = (rf & TRUN_FIRST_FLAGS) != 0 ? r.i32() : flags;
            int record = Integer.bitCount(rf & (TRUN_DURATION | TRUN_SIZE | TRUN_FLAGS | TRUN_CTO)) * 4;
            int n;
            if (record > 0) {
                n = r.entries(count, record, "samples");
            } else if (count > SampleTableBuilder.MAX_SAMPLES || count * Math.max(size, 1) > file.size()) {
                // Counted as at least one byte each: empty samples would let a few bytes announce millions.
                throw new MediaFormatException(trun + " declares " + count + " samples of " + size
                        + " bytes, more than the file holds");
            } else {
                n = (int) count;
            }
            if (b == null && record == 0) {
                dataPos += n * size; // a track not indexed: no per-sample fields to step over
                continue;
            }
            if (b != null && b.n + (long) n > file.size()) {
                throw new MediaFormatException(trun + " brings its track to " + (b.n + (long) n)
                        + " samples, more than the file's " + file.size() + " bytes");
            }
            for (int i = 0; i < n; i++) {
                long sd = (rf & TRUN_DURATION) != 0 ? r.u32() : duration;
                long ss = (rf & TRUN_SIZE) != 0 ? r.u32() : size;
                int sf = (rf & TRUN_FLAGS) != 0 ? r.i32() : i == 0 ? firstFlags : flags;
                int cto = (rf & TRUN_CTO) != 0 ? r.i32() : 0;
                if (b != null) {
                    b.add(dataPos, ss, dts, sd, cto, (sf & SAMPLE_NON_SYNC) == 0);
                    dts += sd;
                }
                dataPos += ss;
            }
        }
        return dataPos;
    }
}
