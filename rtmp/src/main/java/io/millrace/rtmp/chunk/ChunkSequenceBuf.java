package io.millrace.rtmp.chunk;

import io.netty.buffer.AbstractReferenceCountedByteBuf;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.ReadOnlyBufferException;
import java.nio.channels.FileChannel;
import java.nio.channels.GatheringByteChannel;
import java.nio.channels.ScatteringByteChannel;

/**
 * A read-only buffer of consecutive chunks of one message, made of two shared buffers and no copy: the
 * chunk headers come from a small header buffer (the header of the first chunk, then one header that
 * every later chunk repeats), the chunk bodies from the message payload. Where each byte comes from is
 * computed, so a message of any number of chunks is one object; {@link #nioBuffers} hands a gathering
 * write one {@link ByteBuffer} per header and per body (a {@code CompositeByteBuf} would need a component,
 * a slice and reference counting for each).
 *
 * <p>Holds one reference to the header buffer and one to the payload, released with this buffer.
 */
final class ChunkSequenceBuf extends AbstractReferenceCountedByteBuf {
    private final ByteBufAllocator alloc;
    private final ByteBuf headers;
    private final int firstHeaderIndex;
    private final int firstHeaderLength;
    private final int nextHeaderIndex;
    private final int nextHeaderLength;
    private final ByteBuf payload;
    private final int payloadIndex;
    private final int payloadLength;
    private final int chunkSize;
    private final int chunks;
    private final int length;
    /** Views of the header and payload bytes, made on first use, and where in them the bytes start. */
    private ByteBuffer headersNio;
    private ByteBuffer payloadNio;
    private int headersNioOffset;
    private int payloadNioOffset;

    /**
     * Takes over one reference each to {@code headers} and {@code payload} (the caller retains them for it).
     *
     * @param firstHeaderIndex where, in {@code headers}, the header of the first chunk is
     * @param nextHeaderIndex where the header of each later chunk is (its length may be 0 if there is one chunk)
     * @param payloadIndex where, in {@code payload}, the first chunk's body starts
     * @param payloadLength the bodies' total length: chunks of {@code chunkSize} but the last
     */
    ChunkSequenceBuf(ByteBufAllocator alloc, ByteBuf headers, int firstHeaderIndex, int firstHeaderLength,
                     int nextHeaderIndex, int nextHeaderLength, ByteBuf payload, int payloadIndex, int payloadLength,
                     int chunkSize) {
        super(length(firstHeaderLength, nextHeaderLength, payloadLength, chunkSize));
        this.alloc = alloc;
        this.headers = headers;
        this.firstHeaderIndex = firstHeaderIndex;
        this.firstHeaderLength = firstHeaderLength;
        this.nextHeaderIndex = nextHeaderIndex;
        this.nextHeaderLength = nextHeaderLength;
        this.payload = payload;
        this.payloadIndex = payloadIndex;
        this.payloadLength = payloadLength;
        this.chunkSize = chunkSize;
        this.chunks = chunks(payloadLength, chunkSize);
        this.length = maxCapacity();
        setIndex(0, length);
    }

    private static int chunks(int payloadLength, int chunkSize) {
        return payloadLength == 0 ? 1 : (int) ((payloadLength + (long) chunkSize - 1) / chunkSize);
    }

    private static int length(int firstHeaderLength, int nextHeaderLength, int payloadLength, int chunkSize) {
        if (chunkSize <= 0 || payloadLength < 0) {
            throw new IllegalArgumentException("chunk size " + chunkSize + ", payload " + payloadLength);
        }
        int chunks = chunks(payloadLength, chunkSize);
        long total = firstHeaderLength + (long) (chunks - 1) * nextHeaderLength + payloadLength;
        if (firstHeaderLength <= 0 || chunks > 1 && nextHeaderLength <= 0 || total > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException("bad chunk sequence: header " + firstHeaderLength + "/" + nextHeaderLength
                    + ", payload " + payloadLength + ", chunk size " + chunkSize);
        }
        return (int) total;
    }

    // ---- where bytes come from ----

    /** Segment {@code s}: even ones are chunk headers, odd ones chunk bodies (chunk s / 2). */
    private int segmentCount() {
        return payloadLength == 0 ? 1 : 2 * chunks;
    }

    /** The logical index where chunk {@code c} starts. */
    private long chunkStart(int c) {
        return c == 0 ? 0 : firstHeaderLength + (long) chunkSize + (long) (c - 1) * (nextHeaderLength + (long) chunkSize);
    }

    /** The segment holding logical byte {@code index} (0 <= index < capacity). */
    private int segmentOf(int index) {
        long firstChunk = firstHeaderLength + (long) Math.min(chunkSize, payloadLength);
        int c;
        long inChunk;
        if (index < firstChunk) {
            c = 0;
            inChunk = index;
        } else {
            long per = nextHeaderLength + (long) chunkSize;
            long rest = index - firstChunk;
            c = 1 + (int) (rest / per);
            inChunk = rest % per;
        }
        return 2 * c + (inChunk < headerLength(c) ? 0 : 1);
    }

    private int headerLength(int c) {
        return c == 0 ? firstHeaderLength : nextHeaderLength;
    }

    /** The logical index where segment {@code s} starts. */
    private int segmentStart(int s) {
        long start = chunkStart(s >> 1);
        return (int) ((s & 1) == 0 ? start : start + headerLength(s >> 1));
    }

    /** The length of segment {@code s}. */
    private int segmentLength(int s) {
        int c = s >> 1;
        if ((s & 1) == 0) {
            return headerLength(c);
        }
        long body = (long) c * chunkSize;
        return (int) Math.min(chunkSize, payloadLength - body);
    }

    private boolean isBody(int s) {
        return (s & 1) != 0;
    }

    private ByteBuf source(int s) {
        return isBody(s) ? payload : headers;
    }

    /** The index in {@link #source} of the first byte of segment {@code s}. */
    private int sourceIndex(int s) {
        int c = s >> 1;
        if (isBody(s)) {
            return payloadIndex + c * chunkSize;
        }
        return c == 0 ? firstHeaderIndex : nextHeaderIndex;
    }

    /**
     * A view of segment {@code s}'s source (private to this buffer, never moved): byte {@code i} of the source
     * is at {@code i - sourceNioBase(s) + sourceNioOffset(s)} in it.
     */
    private ByteBuffer sourceNio(int s) {
        if (isBody(s)) {
            ByteBuffer p = payloadNio;
            if (p == null) {
                payloadNio = p = payload.nioBuffer(payloadIndex, payloadLength);
                payloadNioOffset = p.position();
            }
            return p;
        }
        ByteBuffer h = headersNio;
        if (h == null) {
            int from = Math.min(firstHeaderIndex, nextHeaderIndex);
            int to = Math.max(firstHeaderIndex + firstHeaderLength, nextHeaderIndex + nextHeaderLength);
            headersNio = h = headers.nioBuffer(from, to - from);
            headersNioOffset = h.position();
        }
        return h;
    }

    private int sourceNioBase(int s) {
        return isBody(s) ? payloadIndex : Math.min(firstHeaderIndex, nextHeaderIndex);
    }

    /** A new buffer of {@code n} bytes of segment {@code s} from offset {@code at} in it. */
    private ByteBuffer segmentNio(int s, int at, int n) {
        ByteBuffer source = sourceNio(s);
        int offset = isBody(s) ? payloadNioOffset : headersNioOffset;
        return source.slice(offset + sourceIndex(s) - sourceNioBase(s) + at, n);
    }

    // ---- reads ----

    @Override
    protected byte _getByte(int index) {
        int s = segmentOf(index);
        return source(s).getByte(sourceIndex(s) + index - segmentStart(s));
    }

    @Override
    protected short _getShort(int index) {
        return (short) ((_getByte(index) & 0xFF) << 8 | _getByte(index + 1) & 0xFF);
    }

    @Override
    protected short _getShortLE(int index) {
        return Short.reverseBytes(_getShort(index));
    }

    @Override
    protected int _getUnsignedMedium(int index) {
        return (_getByte(index) & 0xFF) << 16 | (_getByte(index + 1) & 0xFF) << 8 | _getByte(index + 2) & 0xFF;
    }

    @Override
    protected int _getUnsignedMediumLE(int index) {
        return _getByte(index) & 0xFF | (_getByte(index + 1) & 0xFF) << 8 | (_getByte(index + 2) & 0xFF) << 16;
    }

    @Override
    protected int _getInt(int index) {
        return (_getShort(index) & 0xFFFF) << 16 | _getShort(index + 2) & 0xFFFF;
    }

    @Override
    protected int _getIntLE(int index) {
        return Integer.reverseBytes(_getInt(index));
    }

    @Override
    protected long _getLong(int index) {
        return (_getInt(index) & 0xFFFFFFFFL) << 32 | _getInt(index + 4) & 0xFFFFFFFFL;
    }

    @Override
    protected long _getLongLE(int index) {
        return Long.reverseBytes(_getLong(index));
    }

    @Override
    public ByteBuf getBytes(int index, ByteBuf dst, int dstIndex, int length) {
        checkDstIndex(index, length, dstIndex, dst.capacity());
        while (length > 0) {
            int s = segmentOf(index);
            int at = index - segmentStart(s);
            int n = Math.min(length, segmentLength(s) - at);
            source(s).getBytes(sourceIndex(s) + at, dst, dstIndex, n);
            index += n;
            dstIndex += n;
            length -= n;
        }
        return this;
    }

    @Override
    public ByteBuf getBytes(int index, byte[] dst, int dstIndex, int length) {
        checkDstIndex(index, length, dstIndex, dst.length);
        while (length > 0) {
            int s = segmentOf(index);
            int at = index - segmentStart(s);
            int n = Math.min(length, segmentLength(s) - at);
            source(s).getBytes(sourceIndex(s) + at, dst, dstIndex, n);
            index += n;
            dstIndex += n;
            length -= n;
        }
        return this;
    }

    @Override
    public ByteBuf getBytes(int index, ByteBuffer dst) {
        int limit = dst.limit();
        int length = dst.remaining();
        checkIndex(index, length);
        try {
            while (length > 0) {
                int s = segmentOf(index);
                int at = index - segmentStart(s);
                int n = Math.min(length, segmentLength(s) - at);
                dst.limit(dst.position() + n);
                source(s).getBytes(sourceIndex(s) + at, dst);
                index += n;
                length -= n;
            }
        } finally {
            dst.limit(limit);
        }
        return this;
    }

    @Override
    public ByteBuf getBytes(int index, OutputStream out, int length) throws IOException {
        checkIndex(index, length);
        while (length > 0) {
            int s = segmentOf(index);
            int at = index - segmentStart(s);
            int n = Math.min(length, segmentLength(s) - at);
            source(s).getBytes(sourceIndex(s) + at, out, n);
            index += n;
            length -= n;
        }
        return this;
    }

    @Override
    public int getBytes(int index, GatheringByteChannel out, int length) throws IOException {
        checkIndex(index, length);
        if (length == 0) {
            return 0;
        }
        return (int) Math.min(out.write(nioBuffers(index, length)), Integer.MAX_VALUE);
    }

    @Override
    public int getBytes(int index, FileChannel out, long position, int length) throws IOException {
        checkIndex(index, length);
        long written = 0;
        for (ByteBuffer b : nioBuffers(index, length)) {
            int n = b.remaining();
            int w = out.write(b, position + written);
            written += w;
            if (w < n) {
                break;
            }
        }
        return (int) Math.min(written, Integer.MAX_VALUE);
    }

    @Override
    public ByteBuf copy(int index, int length) {
        checkIndex(index, length);
        ByteBuf copy = alloc().buffer(length);
        try {
            copy.writeBytes(this, index, length);
        } catch (RuntimeException | Error e) {
            copy.release();
            throw e;
        }
        return copy;
    }

    // ---- NIO views ----

    @Override
    public int nioBufferCount() {
        return segmentCount();
    }

    @Override
    public ByteBuffer[] nioBuffers(int index, int length) {
        checkIndex(index, length);
        if (length == 0) {
            return new ByteBuffer[] {ByteBuffer.allocate(0)};
        }
        int first = segmentOf(index);
        int last = segmentOf(index + length - 1);
        ByteBuffer[] buffers = new ByteBuffer[last - first + 1];
        int at = index - segmentStart(first);
        for (int s = first, i = 0; s <= last; s++, i++) {
            int n = Math.min(length, segmentLength(s) - at);
            buffers[i] = segmentNio(s, at, n);
            length -= n;
            at = 0;
        }
        return buffers;
    }

    @Override
    public ByteBuffer nioBuffer(int index, int length) {
        checkIndex(index, length);
        if (length == 0) {
            return ByteBuffer.allocate(0);
        }
        int s = segmentOf(index);
        int at = index - segmentStart(s);
        if (segmentLength(s) - at >= length) {
            return segmentNio(s, at, length);
        }
        ByteBuffer merged = ByteBuffer.allocate(length);
        for (ByteBuffer b : nioBuffers(index, length)) {
            merged.put(b);
        }
        return merged.flip();
    }

    @Override
    public ByteBuffer internalNioBuffer(int index, int length) {
        checkIndex(index, length);
        if (length == 0) {
            return ByteBuffer.allocate(0);
        }
        int s = segmentOf(index);
        int at = index - segmentStart(s);
        if (segmentLength(s) - at >= length) {
            return segmentNio(s, at, length);
        }
        throw new UnsupportedOperationException("the range spans several chunk parts");
    }

    // ---- properties ----

    @Override
    public int capacity() {
        return length;
    }

    @Override
    public ByteBuf capacity(int newCapacity) {
        throw new ReadOnlyBufferException();
    }

    @Override
    public ByteBufAllocator alloc() {
        return alloc;
    }

    @Override
    @Deprecated
    public ByteOrder order() {
        return ByteOrder.BIG_ENDIAN;
    }

    @Override
    public ByteBuf unwrap() {
        return null;
    }

    @Override
    public boolean isDirect() {
        return headers.isDirect() && payload.isDirect();
    }

    @Override
    public boolean isReadOnly() {
        return true;
    }

    @Override
    public boolean isWritable() {
        return false;
    }

    @Override
    public boolean isWritable(int numBytes) {
        return false;
    }

    @Override
    public boolean hasArray() {
        return false;
    }

    @Override
    public byte[] array() {
        throw new UnsupportedOperationException();
    }

    @Override
    public int arrayOffset() {
        throw new UnsupportedOperationException();
    }

    @Override
    public boolean hasMemoryAddress() {
        return false;
    }

    @Override
    public long memoryAddress() {
        throw new UnsupportedOperationException();
    }

    @Override
    public ByteBuf touch(Object hint) {
        headers.touch(hint);
        return this;
    }

    @Override
    protected void deallocate() {
        headersNio = null;
        payloadNio = null;
        try {
            headers.release();
        } finally {
            payload.release();
        }
    }

    // ---- no writes ----

    @Override
    public ByteBuf ensureWritable(int minWritableBytes) {
        if (minWritableBytes == 0) {
            return this;
        }
        throw new ReadOnlyBufferException();
    }

    @Override
    public int ensureWritable(int minWritableBytes, boolean force) {
        return minWritableBytes == 0 ? 0 : 1;
    }

    @Override
    public ByteBuf discardReadBytes() {
        throw new ReadOnlyBufferException();
    }

    @Override
    public ByteBuf discardSomeReadBytes() {
        throw new ReadOnlyBufferException();
    }

    @Override
    protected void _setByte(int index, int value) {
        throw new ReadOnlyBufferException();
    }

    @Override
    protected void _setShort(int index, int value) {
        throw new ReadOnlyBufferException();
    }

    @Override
    protected void _setShortLE(int index, int value) {
        throw new ReadOnlyBufferException();
    }

    @Override
    protected void _setMedium(int index, int value) {
        throw new ReadOnlyBufferException();
    }

    @Override
    protected void _setMediumLE(int index, int value) {
        throw new ReadOnlyBufferException();
    }

    @Override
    protected void _setInt(int index, int value) {
        throw new ReadOnlyBufferException();
    }

    @Override
    protected void _setIntLE(int index, int value) {
        throw new ReadOnlyBufferException();
    }

    @Override
    protected void _setLong(int index, long value) {
        throw new ReadOnlyBufferException();
    }

    @Override
    protected void _setLongLE(int index, long value) {
        throw new ReadOnlyBufferException();
    }

    @Override
    public ByteBuf setBytes(int index, ByteBuf src, int srcIndex, int length) {
        throw new ReadOnlyBufferException();
    }

    @Override
    public ByteBuf setBytes(int index, byte[] src, int srcIndex, int length) {
        throw new ReadOnlyBufferException();
    }

    @Override
    public ByteBuf setBytes(int index, ByteBuffer src) {
        throw new ReadOnlyBufferException();
    }

    @Override
    public int setBytes(int index, InputStream in, int length) {
        throw new ReadOnlyBufferException();
    }

    @Override
    public int setBytes(int index, ScatteringByteChannel in, int length) {
        throw new ReadOnlyBufferException();
    }

    @Override
    public int setBytes(int index, FileChannel in, long position, int length) {
        throw new ReadOnlyBufferException();
    }

    @Override
    public String toString() {
        return "ChunkSequenceBuf(ridx: " + readerIndex() + ", widx: " + writerIndex() + ", chunks: " + chunks
                + ", chunk size: " + chunkSize + ", refCnt: " + refCnt() + ")";
    }
}
