package io.millrace.media.mp3;

import io.millrace.media.MediaFormatException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * Builds an {@link Mp3Index} with one pass over the file: the ID3v2 tag(s) at the start, the tags at
 * the end (ID3v1, extended ID3v1, APEv1/v2, Lyrics3v2, an appended ID3v2.4 with footer), then the MPEG
 * audio frame headers between them, each frame skipped by the length its header gives.
 *
 * <p>Synchronisation: a header counts only when the header at the distance it computes agrees with
 * it (same version, layer and sample rate), or a tag starts there, and where no frame is expected (at
 * the start of the audio, after garbage) the one after that too. Anything else is garbage, skipped to
 * the next sync word; so a frame followed by garbage is dropped with it rather than risking a false
 * frame. Headers of another version, layer or sample rate than the first frame's are garbage too (the
 * timestamps assume one frame duration). An ID3v2 tag between frames (files joined together) is
 * skipped by its size. A frame that runs past the end of the audio (a truncated file) ends the scan.
 *
 * <p>The first frame is not audio when it carries a Xing/Info or VBRI header; it is left out, and its
 * frame count is kept only to check the scan against.
 */
final class Mp3IndexBuilder {
    private static final Logger LOG = LoggerFactory.getLogger(Mp3IndexBuilder.class);

    // inputs
    final Path path;
    final long fileSize;
    final long lastModifiedMillis;

    // results
    Id3Tags tags = Id3Tags.EMPTY;
    long audioStart;
    long audioEnd;
    MpegAudioHeader firstHeader;
    int frameCount;
    long[] offsets = new long[256];
    long audioBytes;
    String vbrHeaderType;
    long vbrHeaderFrames = -1;
    long skippedBytes;
    int skippedRegions;
    boolean truncated;

    private ByteWindow w;
    private Id3Tags trailingTags = Id3Tags.EMPTY;

    Mp3IndexBuilder(Path path, long fileSize, long lastModifiedMillis) {
        this.path = path;
        this.fileSize = fileSize;
        this.lastModifiedMillis = lastModifiedMillis;
    }

    Mp3Index build(ByteWindow window) throws IOException {
        this.w = window;
        if (fileSize == 0) {
            throw new MediaFormatException("not an MP3 file: " + path + " is empty");
        }
        readLeadingTags();
        audioEnd = fileSize;
        readTrailingTags();
        tags = tags.orElse(trailingTags);
        scanFrames();
        if (frameCount == 0) {
            throw new MediaFormatException("not an MP3 file: no MPEG audio frames"
                    + (vbrHeaderType != null ? " after its " + vbrHeaderType + " header" : "")
                    + " in " + path + " (" + fileSize + " bytes)");
        }
        if (vbrHeaderFrames >= 0 && vbrHeaderFrames != frameCount) {
            LOG.debug("{}: its {} header says {} frames, the scan found {}", path, vbrHeaderType, vbrHeaderFrames,
                    frameCount);
        }
        if (skippedRegions > 0) {
            LOG.debug("{}: skipped {} bytes of garbage in {} places between MPEG audio frames", path, skippedBytes,
                    skippedRegions);
        }
        offsets = Arrays.copyOf(offsets, frameCount);
        return new Mp3Index(this);
    }

    /** ID3v2 tags at the start (usually one; some files have two in a row). */
    private void readLeadingTags() throws IOException {
        long pos = 0;
        while (w.matches(pos, "ID3")) {
            if (pos + Id3v2Reader.HEADER_SIZE > fileSize) {
                throw new MediaFormatException("truncated ID3v2 header in " + path + " at offset " + pos
                        + ": the file ends at " + fileSize);
            }
            byte[] hb = new byte[Id3v2Reader.HEADER_SIZE];
            w.read(pos, hb, 0, hb.length);
            Id3v2Reader.Header h = Id3v2Reader.header(hb, pos);
            if (h == null) {
                LOG.debug("{}: malformed ID3v2 header at {}, scanning over it", path, pos);
                break;
            }
            if (h.end() > fileSize) {
                throw new MediaFormatException("truncated ID3v2 tag in " + path + ": " + h.totalSize()
                        + " bytes at offset " + pos + " but the file ends at " + fileSize);
            }
            tags = tags.orElse(Id3v2Reader.read(w, h));
            pos = h.end();
        }
        audioStart = pos;
    }

    /** Moves {@link #audioEnd} before the tags at the end of the file, in whatever order they come. */
    private void readTrailingTags() throws IOException {
        for (int round = 0; round < 8; round++) {
            long room = audioEnd - audioStart;
            if (room >= Id3.V1_SIZE && w.matches(audioEnd - Id3.V1_SIZE, "TAG")) {
                byte[] tag = new byte[Id3.V1_SIZE];
                w.read(audioEnd - Id3.V1_SIZE, tag, 0, tag.length);
                trailingTags = trailingTags.orElse(Id3.parseV1(tag));
                audioEnd -= Id3.V1_SIZE;
                if (audioEnd - audioStart >= Id3.V1_EXTENDED_SIZE && w.matches(audioEnd - Id3.V1_EXTENDED_SIZE, "TAG+")) {
                    audioEnd -= Id3.V1_EXTENDED_SIZE;
                }
                continue;
            }
            if (room >= 32 && w.matches(audioEnd - 32, "APETAGEX")) {
                byte[] footer = new byte[32];
                w.read(audioEnd - 32, footer, 0, 32);
                long size = le32(footer, 12);
                boolean hasHeader = (le32(footer, 20) & 0x80000000L) != 0;
                long total = size + (hasHeader ? 32 : 0);
                if (size >= 32 && total <= room) {
                    audioEnd -= total;
                    continue;
                }
                return;
            }
            if (room >= 15 && w.matches(audioEnd - 9, "LYRICS200")) {
                byte[] digits = new byte[6];
                w.read(audioEnd - 15, digits, 0, 6);
                String s = new String(digits, StandardCharsets.US_ASCII);
                if (s.chars().allMatch(Character::isDigit)) {
                    long begin = audioEnd - 15 - Long.parseLong(s);
                    if (begin >= audioStart && w.matches(begin, "LYRICSBEGIN")) {
                        audioEnd = begin;
                        continue;
                    }
                }
                return;
            }
            if (room >= 20 && w.matches(audioEnd - 10, "3DI")) {
                byte[] fb = new byte[Id3v2Reader.HEADER_SIZE];
                w.read(audioEnd - 10, fb, 0, fb.length);
                long size = Id3.syncsafe(MpegAudioHeader.word(fb, 6));
                long begin = audioEnd - 20 - size;
                if (size >= 0 && begin >= audioStart && w.matches(begin, "ID3")) {
                    byte[] hb = new byte[Id3v2Reader.HEADER_SIZE];
                    w.read(begin, hb, 0, hb.length);
                    Id3v2Reader.Header h = Id3v2Reader.header(hb, begin);
                    if (h != null && h.end() == audioEnd) {
                        trailingTags = Id3v2Reader.read(w, h).orElse(trailingTags);
                    }
                    audioEnd = begin;
                    continue;
                }
                return;
            }
            return;
        }
    }

    private static long le32(byte[] b, int off) {
        return (b[off] & 0xFFL) | (b[off + 1] & 0xFFL) << 8 | (b[off + 2] & 0xFFL) << 16 | (b[off + 3] & 0xFFL) << 24;
    }

    private void scanFrames() throws IOException {
        final long end = audioEnd;
        int ref = 0; // the first frame's header: fixes version, layer and sample rate
        boolean locked = false; // pos is right after an accepted frame
        boolean first = true;
        long garbageStart = -1;
        long pos = audioStart;
        while (pos + 4 <= end) {
            long tagEnd = embeddedTagEnd(pos, end);
            if (tagEnd > 0) {
                // an ID3v2 tag between frames (files joined together): skipped whole, its contents
                // (a picture, say) could hold false syncs
                if (garbageStart < 0) {
                    garbageStart = pos;
                }
                locked = false;
                pos = tagEnd;
                continue;
            }
            int h = w.u32(pos);
            int len = MpegAudioHeader.frameLength(h);
            boolean ok = len > 0 && (ref == 0 || MpegAudioHeader.sameStream(h, ref));
            if (ok && pos + len > end) {
                if (locked) {
                    truncated = true;
                    LOG.debug("{}: the frame at {} needs {} bytes, only {} are left: the file is truncated", path,
                            pos, len, end - pos);
                    break;
                }
                ok = false;
            }
            if (ok) {
                ok = confirmed(pos, h, locked ? 1 : 2, end, locked, ref != 0);
            }
            if (!ok) {
                if (garbageStart < 0) {
                    garbageStart = pos;
                }
                locked = false;
                long next = w.findSync(pos + 1, end);
                if (next < 0) {
                    break;
                }
                pos = next;
                continue;
            }
            if (garbageStart >= 0) {
                skippedBytes += pos - garbageStart;
                skippedRegions++;
                garbageStart = -1;
            }
            locked = true;
            if (first) {
                first = false;
                ref = h;
                if (isVbrHeaderFrame(pos, MpegAudioHeader.parse(h))) {
                    pos += len;
                    continue;
                }
            }
            if (firstHeader == null) {
                firstHeader = MpegAudioHeader.parse(h);
            }
            add(pos);
            audioBytes += len;
            pos += len;
        }
        if (garbageStart >= 0 && frameCount > 0) {
            skippedBytes += end - garbageStart;
            skippedRegions++;
        }
    }

    /**
     * True when the frame with header {@code h} at {@code pos} is followed by {@code depth} more
     * headers of the same stream, each at the distance the previous one gives. The end of the audio
     * may stand for a header: exactly there, after a confirming header, right after an accepted frame,
     * once the stream is known or for a file's only frame; a few bytes short of a header (a cut-off
     * file) after a confirming header or an accepted frame.
     */
    private boolean confirmed(long pos, int h, int depth, long end, boolean locked, boolean known) throws IOException {
        long p = pos;
        int cur = h;
        for (int k = 0; k < depth; k++) {
            long next = p + MpegAudioHeader.frameLength(cur);
            if (next == end) {
                return k > 0 || locked || known || pos == audioStart;
            }
            if (next + 4 > end) {
                return k > 0 || locked;
            }
            int h2 = w.u32(next);
            if (MpegAudioHeader.frameLength(h2) <= 0 || !MpegAudioHeader.sameStream(h, h2)) {
                // a tag after the frame stands for a header too (but never for the only evidence)
                return (k > 0 || locked) && tagAt(next);
            }
            p = next;
            cur = h2;
        }
        return true;
    }

    /** The end of a well-formed ID3v2 tag at {@code pos} that ends by {@code end}, else -1. */
    private long embeddedTagEnd(long pos, long end) throws IOException {
        if (pos + Id3v2Reader.HEADER_SIZE > end || !w.matches(pos, "ID3")) {
            return -1;
        }
        byte[] hb = new byte[Id3v2Reader.HEADER_SIZE];
        w.read(pos, hb, 0, hb.length);
        Id3v2Reader.Header h = Id3v2Reader.header(hb, pos);
        return h != null && h.end() <= end ? h.end() : -1;
    }

    private boolean tagAt(long pos) throws IOException {
        return w.matches(pos, "ID3") || w.matches(pos, "TAG") || w.matches(pos, "APETAGEX");
    }

    /** Whether the Layer III frame at {@code pos} holds a Xing/Info or VBRI header (and reads its frame count). */
    private boolean isVbrHeaderFrame(long pos, MpegAudioHeader header) throws IOException {
        if (header.layer() != 3) {
            return false;
        }
        int n = Math.min(header.frameLength(), 64);
        byte[] b = new byte[n];
        w.read(pos, b, 0, n);
        int xing = 4 + header.sideInfoSize();
        for (int at : new int[] {xing, xing + 2}) {
            if (at + 8 <= n && (ascii(b, at, "Xing") || ascii(b, at, "Info"))) {
                vbrHeaderType = new String(b, at, 4, StandardCharsets.US_ASCII);
                int flags = MpegAudioHeader.word(b, at + 4);
                if ((flags & 1) != 0 && at + 12 <= n) {
                    vbrHeaderFrames = MpegAudioHeader.word(b, at + 8) & 0xFFFFFFFFL;
                }
                return true;
            }
        }
        if (36 + 18 <= n && ascii(b, 36, "VBRI")) {
            vbrHeaderType = "VBRI";
            vbrHeaderFrames = MpegAudioHeader.word(b, 36 + 14) & 0xFFFFFFFFL;
            return true;
        }
        return false;
    }

    private static boolean ascii(byte[] b, int off, String s) {
        for (int i = 0; i < s.length(); i++) {
            if (b[off + i] != (byte) s.charAt(i)) {
                return false;
            }
        }
        return true;
    }

    private void add(long offset) {
        if (frameCount == offsets.length) {
            offsets = Arrays.copyOf(offsets, frameCount + (frameCount >> 1) + 16);
        }
        offsets[frameCount++] = offset;
    }
}
