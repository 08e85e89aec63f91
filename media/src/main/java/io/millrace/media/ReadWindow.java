package io.millrace.media;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;

import java.io.IOException;
import java.nio.channels.FileChannel;

/**
 * A reader's read-ahead buffer over one file: a range of the file read with one positional read, from
 * which many frames are taken without a system call or a buffer each. A reader asks for the bytes of
 * one frame ({@link #ensure}) and says how far it knows the next frames continue; the window is read
 * again only when a frame falls outside it.
 *
 * <p>The buffer is a direct buffer from the caller's allocator (the event loop's pool), held until
 * {@link #release()}. One thread.
 */
public final class ReadWindow {
    /** How much a window reads at once at most, unless one frame is larger. */
    public static final int DEFAULT_SIZE = 64 * 1024;

    private final FileChannel channel;
    private ByteBuf buf;
    private long start;
    private int length;

    public ReadWindow(FileChannel channel) {
        this.channel = channel;
    }

    /**
     * Makes the file's bytes {@code [pos, pos + size)} available in {@link #buffer()}. If they are not in
     * the window yet, reads {@code [pos, max(pos + size, end))}, where {@code end} is as far as the caller
     * expects to read next (bounded by the file's end: a short read is fine).
     *
     * @return false if the file ends before {@code pos + size} (a truncated file)
     */
    public boolean ensure(long pos, int size, long end, ByteBufAllocator alloc) throws IOException {
        if (covers(pos, size)) {
            return true;
        }
        int want = (int) Math.max(size, Math.min(end - pos, Integer.MAX_VALUE - 8));
        if (buf == null || buf.capacity() < want || (buf.capacity() > 4 * DEFAULT_SIZE && want <= DEFAULT_SIZE)) {
            // (A window grown for one large frame is not kept for small ones.)
            release();
            buf = alloc.directBuffer(Math.max(want, 1), Math.max(want, 1));
        }
        buf.clear();
        start = pos;
        length = 0;
        long at = pos;
        while (length < want) {
            int n = buf.writeBytes(channel, at, want - length);
            if (n <= 0) {
                break;
            }
            length += n;
            at += n;
        }
        return length >= size;
    }

    /** Whether the file's bytes {@code [pos, pos + size)} are in the window. */
    public boolean covers(long pos, int size) {
        return buf != null && pos >= start && pos + size <= start + length;
    }

    /** The window's buffer: file position {@code pos} is at {@link #indexOf(long) indexOf(pos)}. */
    public ByteBuf buffer() {
        return buf;
    }

    /** Where file position {@code pos} (inside the window) is in {@link #buffer()}. */
    public int indexOf(long pos) {
        return (int) (pos - start);
    }

    /** Lets go of the buffer; the next {@link #ensure} reads again. */
    public void release() {
        if (buf != null) {
            ByteBuf b = buf;
            buf = null;
            length = 0;
            b.release();
        }
    }
}
