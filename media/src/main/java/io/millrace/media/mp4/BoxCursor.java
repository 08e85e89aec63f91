package io.millrace.media.mp4;

import io.millrace.media.MediaFormatException;

/**
 * Reads the fields of one box body in order, checking every read against the box's end so that a
 * short or lying box fails with a {@link MediaFormatException} that names it.
 */
final class BoxCursor {
    final byte[] d;
    final Box box;
    int pos;
    private final int end;
    int version;
    int flags;

    BoxCursor(byte[] d, Box box) {
        this.d = d;
        this.box = box;
        this.pos = box.body();
        this.end = box.end();
    }

    /** Reads the FullBox version and flags. */
    BoxCursor fullBox() throws MediaFormatException {
        need(4);
        version = d[pos] & 0xFF;
        flags = (d[pos + 1] & 0xFF) << 16 | (d[pos + 2] & 0xFF) << 8 | d[pos + 3] & 0xFF;
        pos += 4;
        return this;
    }

    int remaining() {
        return end - pos;
    }

    void need(long n) throws MediaFormatException {
        if (n > end - pos || n < 0) {
            throw new MediaFormatException(box + " is too short: " + n + " more bytes needed at offset "
                    + (box.fileOffset() + pos - box.start()) + ", " + (end - pos) + " left");
        }
    }

    /**
     * Checks that {@code count} entries of {@code entrySize} bytes fit in what is left: the bound every
     * count read from a box must pass before anything is allocated for it.
     */
    int entries(long count, int entrySize, String what) throws MediaFormatException {
        if (count < 0 || count * entrySize > end - pos) {
            throw new MediaFormatException(box + " declares " + count + " " + what + " of " + entrySize
                    + " bytes but holds only " + (end - pos) + " bytes");
        }
        return (int) count;
    }

    void skip(int n) throws MediaFormatException {
        need(n);
        pos += n;
    }

    int u8() throws MediaFormatException {
        need(1);
        return d[pos++] & 0xFF;
    }

    int u16() throws MediaFormatException {
        need(2);
        int v = Boxes.u16(d, pos);
        pos += 2;
        return v;
    }

    int i32() throws MediaFormatException {
        need(4);
        int v = Boxes.i32(d, pos);
        pos += 4;
        return v;
    }

    long u32() throws MediaFormatException {
        return i32() & 0xFFFFFFFFL;
    }

    long i64() throws MediaFormatException {
        need(8);
        long v = Boxes.i64(d, pos);
        pos += 8;
        return v;
    }

    /** A 64-bit field for version 1, else 32-bit unsigned. */
    long uVersioned() throws MediaFormatException {
        return version == 1 ? i64() : u32();
    }
}
