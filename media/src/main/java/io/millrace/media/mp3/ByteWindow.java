package io.millrace.media.mp3;

import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;

/**
 * Random access to the first {@link #size()} bytes of a file through one buffered window, for the
 * index scan: reads that move forward mostly hit the buffer, so scanning frame headers costs about
 * one read call per window. Never reads past {@code size}; a file that shrinks meanwhile gives an
 * {@link EOFException}.
 */
final class ByteWindow {
    static final int DEFAULT_CAPACITY = 64 * 1024;

    private final FileChannel channel;
    private final long size;
    private final ByteBuffer buffer;
    private final byte[] array;
    private long start;
    private int length;

    ByteWindow(FileChannel channel, long size, int capacity) {
        this.channel = channel;
        this.size = size;
        this.buffer = ByteBuffer.allocate(capacity);
        this.array = buffer.array();
    }

    long size() {
        return size;
    }

    /** The unsigned byte at {@code pos}, or -1 outside the file. */
    int u8(long pos) throws IOException {
        if (pos < 0 || pos >= size) {
            return -1;
        }
        ensure(pos, 1);
        return array[(int) (pos - start)] & 0xFF;
    }

    /** The big-endian 32-bit word at {@code pos}; the caller checks that {@code pos + 4 <= size}. */
    int u32(long pos) throws IOException {
        ensure(pos, 4);
        return MpegAudioHeader.word(array, (int) (pos - start));
    }

    /** True when the bytes at {@code pos} are the ASCII characters of {@code s}. */
    boolean matches(long pos, String s) throws IOException {
        if (pos < 0 || pos + s.length() > size) {
            return false;
        }
        ensure(pos, s.length());
        int off = (int) (pos - start);
        for (int i = 0; i < s.length(); i++) {
            if (array[off + i] != (byte) s.charAt(i)) {
                return false;
            }
        }
        return true;
    }

    /** Copies {@code n} bytes from {@code pos}; the caller checks that they lie inside the file. */
    void read(long pos, byte[] dst, int off, int n) throws IOException {
        while (n > 0) {
            int chunk = Math.min(n, array.length);
            ensure(pos, chunk);
            System.arraycopy(array, (int) (pos - start), dst, off, chunk);
            pos += chunk;
            off += chunk;
            n -= chunk;
        }
    }

    /**
     * The first position {@code p} in {@code [from, end - 4]} where a frame sync starts (a 0xFF byte
     * followed by a byte with its three high bits set), or -1.
     */
    long findSync(long from, long end) throws IOException {
        long p = Math.max(from, 0);
        long last = Math.min(end, size) - 4;
        while (p <= last) {
            ensure(p, (int) Math.min(array.length, last + 4 - p));
            int off = (int) (p - start);
            int stop = (int) Math.min(length - 2L, last - start);
            for (int i = off; i <= stop; i++) {
                if (array[i] == (byte) 0xFF && (array[i + 1] & 0xE0) == 0xE0) {
                    return start + i;
                }
            }
            p = start + stop + 1;
        }
        return -1;
    }

    /** Makes {@code [pos, pos + n)} (n at most the capacity, inside the file) available in the buffer. */
    private void ensure(long pos, int n) throws IOException {
        if (pos >= start && pos + n <= start + length) {
            return;
        }
        if (pos < 0 || pos + n > size || n > array.length) {
            throw new IllegalArgumentException("window read " + pos + "+" + n + " outside 0.." + size);
        }
        buffer.clear();
        int want = (int) Math.min(array.length, size - pos);
        buffer.limit(want);
        long at = pos;
        while (buffer.hasRemaining()) {
            int r = channel.read(buffer, at);
            if (r < 0) {
                break;
            }
            at += r;
        }
        start = pos;
        length = buffer.position();
        if (length < n) {
            throw new EOFException("file shrank while it was read: " + length + " bytes at offset " + pos
                    + " instead of " + n);
        }
    }
}
