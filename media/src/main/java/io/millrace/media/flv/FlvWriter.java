package io.millrace.media.flv;

import io.millrace.amf.Amf0Writer;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;

import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.GatheringByteChannel;
import java.nio.channels.WritableByteChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * Writes an FLV file: the 9-byte header with PreviousTagSize0, then tags, each followed by its
 * PreviousTagSize (11 + DataSize). On a gathering channel (a file) each tag, with its back pointer, goes out
 * in one write. Not thread-safe.
 */
public final class FlvWriter implements Closeable {
    private final WritableByteChannel channel;
    private final boolean closeChannel;
    private final ByteBuffer header = ByteBuffer.allocate(FlvTag.HEADER_SIZE);
    private final ByteBuffer trailer = ByteBuffer.allocate(FlvTag.TRAILER_SIZE);
    private long position;
    private boolean headerWritten;

    /**
     * Writes to {@code channel} from its current position on; the writer counts bytes from 0.
     * Call {@link #writeHeader} first for a new file.
     *
     * @param closeChannel whether {@link #close()} closes the channel
     */
    public FlvWriter(WritableByteChannel channel, boolean closeChannel) {
        this.channel = channel;
        this.closeChannel = closeChannel;
    }

    /** Creates (or truncates) {@code path} and writes the FLV header. */
    public static FlvWriter create(Path path, boolean hasAudio, boolean hasVideo) throws IOException {
        FileChannel ch = FileChannel.open(path, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING,
                StandardOpenOption.WRITE);
        FlvWriter writer = new FlvWriter(ch, true);
        try {
            writer.writeHeader(hasAudio, hasVideo);
        } catch (IOException | RuntimeException e) {
            writer.close();
            throw e;
        }
        return writer;
    }

    /** Writes the FLV header (version 1, DataOffset 9) and PreviousTagSize0. */
    public void writeHeader(boolean hasAudio, boolean hasVideo) throws IOException {
        if (headerWritten || position != 0) {
            throw new IllegalStateException("FLV header must be written first, and once");
        }
        ByteBuffer b = ByteBuffer.allocate(FlvReader.FILE_HEADER_SIZE + FlvTag.TRAILER_SIZE);
        b.put((byte) 'F').put((byte) 'L').put((byte) 'V').put((byte) 1);
        b.put((byte) ((hasAudio ? 0x04 : 0) | (hasVideo ? 0x01 : 0)));
        b.putInt(FlvReader.FILE_HEADER_SIZE).putInt(0);
        b.flip();
        write(b);
        headerWritten = true;
    }

    /**
     * Appends a tag. Borrows {@code data}: its readable bytes are written, its indices and reference
     * count are left alone.
     *
     * @param type      tag type (8 audio, 9 video, 18 script)
     * @param timestamp ms; the low 32 bits are written (Timestamp + TimestampExtended)
     * @return the file offset of the tag
     */
    public long writeTag(int type, long timestamp, ByteBuf data) throws IOException {
        if (type < 0 || type > 31) {
            throw new IllegalArgumentException("tag type " + type);
        }
        int size = data.readableBytes();
        if (size > FlvTag.MAX_DATA_SIZE) {
            throw new IllegalArgumentException("tag data of " + size + " bytes exceeds the 24-bit DataSize");
        }
        long offset = position;
        header.clear();
        putTagHeader(header, type, timestamp, size);
        header.flip();
        trailer.clear();
        trailer.putInt(FlvTag.HEADER_SIZE + size).flip();
        ByteBuffer[] body = size > 0 ? data.nioBuffers(data.readerIndex(), size) : new ByteBuffer[0];
        if (channel instanceof GatheringByteChannel gathering) {
            // One gathering write per tag: a process killed mid-stream leaves whole tags behind.
            ByteBuffer[] all = new ByteBuffer[body.length + 2];
            all[0] = header;
            System.arraycopy(body, 0, all, 1, body.length);
            all[all.length - 1] = trailer;
            long want = FlvTag.HEADER_SIZE + size + FlvTag.TRAILER_SIZE;
            for (long done = 0; done < want; ) {
                long n = gathering.write(all);
                done += n;
                position += n;
            }
        } else {
            write(header);
            for (ByteBuffer nio : body) {
                write(nio);
            }
            write(trailer);
        }
        return offset;
    }

    /** Appends {@code tag} with its type and timestamp. Borrows the tag (no release). */
    public long writeTag(FlvTag tag) throws IOException {
        return writeTag(tag.type(), tag.timestamp(), tag.data());
    }

    /**
     * Appends an AMF0 script data tag (type 18) holding {@code name} and {@code value}, e.g.
     * {@code "onMetaData"} and an ECMA array.
     */
    public long writeScriptTag(long timestamp, String name, Object value) throws IOException {
        ByteBuf body = ByteBufAllocator.DEFAULT.heapBuffer();
        try {
            new Amf0Writer(body).write(name).write(value);
            return writeTag(FlvTag.SCRIPT, timestamp, body);
        } finally {
            body.release();
        }
    }

    /**
     * Writes an 11-byte tag header into {@code out} (for recorders that assemble tags in Netty
     * buffers). Borrows {@code out}.
     */
    public static void writeTagHeader(ByteBuf out, int type, long timestamp, int dataSize) {
        out.writeByte(type & 0x1F);
        out.writeMedium(dataSize);
        out.writeMedium((int) (timestamp & 0xFFFFFF));
        out.writeByte((int) (timestamp >>> 24 & 0xFF));
        out.writeMedium(0);
    }

    private static void putTagHeader(ByteBuffer b, int type, long timestamp, int dataSize) {
        b.put((byte) (type & 0x1F));
        b.put((byte) (dataSize >>> 16)).put((byte) (dataSize >>> 8)).put((byte) dataSize);
        b.put((byte) (timestamp >>> 16)).put((byte) (timestamp >>> 8)).put((byte) timestamp);
        b.put((byte) (timestamp >>> 24));
        b.put((byte) 0).put((byte) 0).put((byte) 0);
    }

    /** Bytes written so far (the offset the next tag gets). */
    public long position() {
        return position;
    }

    private void write(ByteBuffer b) throws IOException {
        while (b.hasRemaining()) {
            position += channel.write(b);
        }
    }

    @Override
    public void close() throws IOException {
        if (closeChannel) {
            channel.close();
        }
    }
}
