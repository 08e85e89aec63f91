package io.millrace.media.mp3;

import java.io.IOException;

/**
 * Reads the text fields of an ID3v2.2, 2.3 or 2.4 tag (id3.org informal standards): the tag header
 * (syncsafe size, footer flag), the extended header (skipped), unsynchronisation (tag-wide in 2.2/2.3,
 * per frame in 2.4), frame headers of each version, grouping bytes and data length indicators.
 * Compressed and encrypted frames are skipped. Only the frames {@link Id3Tags} holds are read, each up
 * to {@link #MAX_FRAME_READ} bytes, so a tag with a large picture costs no more than its frame headers.
 *
 * <p>A damaged tag body (a frame size running past the tag, a bad frame id) ends the reading of frames
 * with what was found so far; it does not make the file unreadable, because the tag is skipped by its
 * size from the header anyway.
 */
final class Id3v2Reader {
    static final int HEADER_SIZE = 10;
    /** Frames of interest larger than this are read only this far. */
    static final int MAX_FRAME_READ = 64 * 1024;
    /** A tag-wide unsynchronised tag is read into memory only up to this size (else its fields are ignored). */
    static final int MAX_UNSYNCHRONISED_TAG = 4 * 1024 * 1024;

    /**
     * One tag header.
     *
     * @param offset   of the "ID3" bytes in the file
     * @param major    2, 3 or 4 (others are skipped without reading their frames)
     * @param flags    the header flags byte
     * @param bodySize the syncsafe size: the tag without its header and footer
     */
    record Header(long offset, int major, int revision, int flags, long bodySize) {
        boolean unsynchronised() {
            return (flags & 0x80) != 0;
        }

        boolean hasFooter() {
            return major == 4 && (flags & 0x10) != 0;
        }

        /** Header, body and footer. */
        long totalSize() {
            return HEADER_SIZE + bodySize + (hasFooter() ? HEADER_SIZE : 0);
        }

        long end() {
            return offset + totalSize();
        }
    }

    private Id3v2Reader() {
    }

    /**
     * The tag header in {@code b[0..10)} ("ID3", version, revision, flags, size), read at file offset
     * {@code offset}, or null when those bytes are not a well-formed header (a version or revision byte
     * 0xFF, a size byte with its high bit set).
     */
    static Header header(byte[] b, long offset) {
        if (b.length < HEADER_SIZE || b[0] != 'I' || b[1] != 'D' || b[2] != '3') {
            return null;
        }
        int major = b[3] & 0xFF;
        int revision = b[4] & 0xFF;
        long size = Id3.syncsafe(MpegAudioHeader.word(b, 6));
        if (major == 0xFF || revision == 0xFF || size < 0) {
            return null;
        }
        return new Header(offset, major, revision, b[5] & 0xFF, size);
    }

    /**
     * The fields of the tag {@code h}, whose bytes the caller has checked lie inside the window's file.
     * Never throws for a malformed body (returns what it could read).
     */
    static Id3Tags read(ByteWindow w, Header h) throws IOException {
        if (h.major() < 2 || h.major() > 4 || h.bodySize() == 0) {
            return Id3Tags.EMPTY;
        }
        if (h.major() == 2 && (h.flags() & 0x40) != 0) {
            return Id3Tags.EMPTY; // v2.2 compression: no scheme was ever defined
        }
        long bodyOffset = h.offset() + HEADER_SIZE;
        int bodySize = (int) h.bodySize(); // < 2^28
        Source src;
        if (h.unsynchronised() && h.major() < 4) {
            if (bodySize > MAX_UNSYNCHRONISED_TAG) {
                return Id3Tags.EMPTY;
            }
            byte[] raw = new byte[bodySize];
            w.read(bodyOffset, raw, 0, bodySize);
            src = new ArraySource(Id3.resynchronise(raw, 0, raw.length));
        } else {
            src = new WindowSource(w, bodyOffset, bodySize);
        }
        Fields fields = new Fields();
        try {
            readFrames(src, h, fields);
        } catch (RuntimeException e) {
            // a malformed body: keep what was read before it
        }
        return fields.toTags();
    }

    private static void readFrames(Source src, Header h, Fields fields) throws IOException {
        int major = h.major();
        int end = src.length();
        int p = 0;
        if ((h.flags() & 0x40) != 0 && major >= 3) {
            if (end < 4) {
                return;
            }
            byte[] ext = src.bytes(0, 4);
            long extSize = major == 3 ? MpegAudioHeader.word(ext, 0) & 0xFFFFFFFFL : Id3.syncsafe(MpegAudioHeader.word(ext, 0));
            // v2.3: the size excludes its own 4 bytes; v2.4: it includes them
            long skip = major == 3 ? 4 + extSize : extSize;
            if (extSize < 0 || skip < 4 || skip > end) {
                return;
            }
            p = (int) skip;
        }
        int idLength = major == 2 ? 3 : 4;
        int headerLength = major == 2 ? 6 : 10;
        while (p + headerLength <= end) {
            byte[] fh = src.bytes(p, headerLength);
            if (fh[0] == 0) {
                return; // padding
            }
            if (!validId(fh, idLength)) {
                return;
            }
            String id = new String(fh, 0, idLength, java.nio.charset.StandardCharsets.US_ASCII);
            long size;
            int formatFlags = 0;
            if (major == 2) {
                size = (fh[3] & 0xFF) << 16 | (fh[4] & 0xFF) << 8 | (fh[5] & 0xFF);
            } else {
                int word = MpegAudioHeader.word(fh, 4);
                size = major == 3 ? word & 0xFFFFFFFFL : Id3.syncsafe(word);
                if (size < 0) {
                    size = word & 0xFFFFFFFFL; // some v2.4 writers use plain sizes
                }
                formatFlags = fh[9] & 0xFF;
            }
            int dataStart = p + headerLength;
            if (size > end - dataStart) {
                return;
            }
            int field = Fields.field(id);
            if (field >= 0 && size > 0 && !fields.has(field)) {
                readField(src, h, field, dataStart, (int) size, formatFlags, fields);
            }
            p = dataStart + (int) size;
        }
    }

    private static void readField(Source src, Header h, int field, int dataStart, int size, int formatFlags,
                                  Fields fields) throws IOException {
        int major = h.major();
        int prefix = 0;
        boolean unsync = false;
        if (major == 3) {
            if ((formatFlags & 0xC0) != 0) {
                return; // compressed or encrypted
            }
            prefix = (formatFlags & 0x20) != 0 ? 1 : 0;
        } else if (major == 4) {
            if ((formatFlags & 0x0C) != 0) {
                return;
            }
            prefix = ((formatFlags & 0x40) != 0 ? 1 : 0) + ((formatFlags & 0x01) != 0 ? 4 : 0);
            unsync = (formatFlags & 0x02) != 0 || h.unsynchronised();
        }
        int n = Math.min(size, MAX_FRAME_READ);
        if (prefix >= n) {
            return;
        }
        byte[] data = src.bytes(dataStart, n);
        int off = prefix;
        int end = n;
        if (unsync) {
            data = Id3.resynchronise(data, off, end);
            off = 0;
            end = data.length;
        }
        fields.set(field, data, off, end);
    }

    private static boolean validId(byte[] b, int n) {
        for (int i = 0; i < n; i++) {
            byte c = b[i];
            if (!(c >= 'A' && c <= 'Z') && !(c >= '0' && c <= '9')) {
                return false;
            }
        }
        return true;
    }

    /** The fields found so far. */
    private static final class Fields {
        static final int TITLE = 0;
        static final int ARTIST = 1;
        static final int ALBUM = 2;
        static final int YEAR = 3;
        static final int GENRE = 4;
        static final int COMMENT = 5;

        final String[] values = new String[6];
        /** A comment whose description is not empty, used when no plain one comes. */
        String fallbackComment;

        static int field(String id) {
            return switch (id) {
                case "TIT2", "TT2" -> TITLE;
                case "TPE1", "TP1" -> ARTIST;
                case "TALB", "TAL" -> ALBUM;
                case "TYER", "TYE", "TDRC" -> YEAR;
                case "TCON", "TCO" -> GENRE;
                case "COMM", "COM" -> COMMENT;
                default -> -1;
            };
        }

        boolean has(int field) {
            return values[field] != null;
        }

        void set(int field, byte[] b, int off, int end) {
            if (field == COMMENT) {
                String[] c = Id3.commentFrame(b, off, end);
                if (c == null || c[1].isBlank()) {
                    return;
                }
                if (c[0].isBlank()) {
                    values[COMMENT] = c[1];
                } else if (fallbackComment == null && !c[0].startsWith("iTun")) {
                    fallbackComment = c[1];
                }
                return;
            }
            String text = Id3.textFrame(b, off, end);
            if (text == null || text.isBlank()) {
                return;
            }
            values[field] = switch (field) {
                case YEAR -> Id3.yearOf(text);
                case GENRE -> Id3.resolveGenre(text);
                default -> text;
            };
        }

        Id3Tags toTags() {
            String comment = values[COMMENT] != null ? values[COMMENT] : fallbackComment;
            return new Id3Tags(values[TITLE], values[ARTIST], values[ALBUM], values[YEAR], values[GENRE], comment);
        }
    }

    /** The tag body: a region of the file, or the resynchronised body in memory. */
    private abstract static class Source {
        abstract int length();

        /** {@code n} bytes at {@code off} ({@code off + n <= length()}). */
        abstract byte[] bytes(int off, int n) throws IOException;
    }

    private static final class WindowSource extends Source {
        private final ByteWindow window;
        private final long base;
        private final int length;

        WindowSource(ByteWindow window, long base, int length) {
            this.window = window;
            this.base = base;
            this.length = length;
        }

        @Override
        int length() {
            return length;
        }

        @Override
        byte[] bytes(int off, int n) throws IOException {
            byte[] b = new byte[n];
            window.read(base + off, b, 0, n);
            return b;
        }
    }

    private static final class ArraySource extends Source {
        private final byte[] data;

        ArraySource(byte[] data) {
            this.data = data;
        }

        @Override
        int length() {
            return data.length;
        }

        @Override
        byte[] bytes(int off, int n) {
            return java.util.Arrays.copyOfRange(data, off, off + n);
        }
    }
}
