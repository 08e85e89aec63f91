package io.millrace.media.flv;

import io.millrace.media.MediaFormatException;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.Closeable;
import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * Reads FLV tags from a file through a {@link FileChannel}, one tag at a time; the file is never
 * loaded whole.
 *
 * <p>The 9-byte header is validated when the reader opens. Every tag's DataSize is checked against
 * what is left of the file: a tag that does not fit (a file cut off while it was written) and a tag
 * header that cannot be a tag (garbage after the last tag) both end the file, so a truncated file
 * plays up to its last complete tag. The trailing PreviousTagSize of a tag is not required to be
 * present or correct.
 *
 * <p>Not thread-safe: one reader per consumer. The file size is looked up on every read, so a
 * file that is still growing can be followed.
 */
public final class FlvReader implements Closeable {
    private static final Logger LOG = LoggerFactory.getLogger(FlvReader.class);
    /** Header bytes: 'F' 'L' 'V', version, flags, DataOffset(UI32). */
    public static final int FILE_HEADER_SIZE = 9;

    private final Path path;
    private final FileChannel channel;
    private final int version;
    private final int flags;
    private final long dataOffset;
    private final ByteBuffer headerBuf = ByteBuffer.allocate(FlvTag.HEADER_SIZE);
    private long position;
    private boolean warnedInvalid;

    /**
     * Opens {@code path} and validates the FLV header.
     *
     * @throws MediaFormatException if the file is not an FLV file
     * @throws IOException          if it cannot be opened or read
     */
    public FlvReader(Path path) throws IOException {
        this.path = path;
        this.channel = FileChannel.open(path, StandardOpenOption.READ);
        try {
            long size = channel.size();
            if (size < FILE_HEADER_SIZE) {
                throw new MediaFormatException("not an FLV file: " + path + " is only " + size + " bytes long");
            }
            ByteBuffer h = ByteBuffer.allocate(FILE_HEADER_SIZE);
            readFully(h, 0);
            h.flip();
            if (h.get(0) != 'F' || h.get(1) != 'L' || h.get(2) != 'V') {
                throw new MediaFormatException(String.format(
                        "not an FLV file: %s starts with %02X %02X %02X, not 'FLV'", path,
                        h.get(0) & 0xFF, h.get(1) & 0xFF, h.get(2) & 0xFF));
            }
            this.version = h.get(3) & 0xFF;
            if (version != 1) {
                throw new MediaFormatException("unsupported FLV version " + version + " in " + path + " (expected 1)");
            }
            this.flags = h.get(4) & 0xFF;
            this.dataOffset = h.getInt(5) & 0xFFFFFFFFL;
            if (dataOffset < FILE_HEADER_SIZE || dataOffset > size) {
                throw new MediaFormatException("bad FLV header in " + path + ": DataOffset " + dataOffset
                        + " (must be at least 9 and within the " + size + "-byte file)");
            }
            this.position = firstTagOffset();
        } catch (IOException | RuntimeException e) {
            try {
                channel.close();
            } catch (IOException suppressed) {
                e.addSuppressed(suppressed);
            }
            throw e;
        }
    }

    public Path path() {
        return path;
    }

    public int version() {
        return version;
    }

    /** TypeFlagsAudio (0x04) of the header; informational, players look at the tags. */
    public boolean hasAudioFlag() {
        return (flags & 0x04) != 0;
    }

    /** TypeFlagsVideo (0x01) of the header; informational. */
    public boolean hasVideoFlag() {
        return (flags & 0x01) != 0;
    }

    /** DataOffset of the header (9 for every FLV version 1 file). */
    public long dataOffset() {
        return dataOffset;
    }

    /** Offset of the first tag: DataOffset plus PreviousTagSize0. */
    public long firstTagOffset() {
        return dataOffset + FlvTag.TRAILER_SIZE;
    }

    /** Current size of the file. */
    public long size() throws IOException {
        return channel.size();
    }

    /** Offset of the tag {@link #next} reads. */
    public long position() {
        return position;
    }

    /** Makes {@link #next} read the tag at {@code offset} (a tag header offset, e.g. from an index). */
    public void seek(long offset) {
        if (offset < 0) {
            throw new IllegalArgumentException("negative offset " + offset);
        }
        this.position = offset;
    }

    /**
     * Reads the tag at {@link #position()} and moves past it (and its PreviousTagSize).
     *
     * @return the tag, owned by the caller; {@code null} at the end of the file, for a truncated
     *         last tag, or where the bytes are not a tag header
     */
    public FlvTag next(ByteBufAllocator alloc) throws IOException {
        FlvTag tag = readTagAt(position, alloc);
        if (tag != null) {
            position = tag.nextOffset();
        }
        return tag;
    }

    /**
     * Reads the tag whose header starts at {@code offset}. Does not move {@link #position()}.
     *
     * @return the tag, owned by the caller, with its data in a buffer from {@code alloc}; {@code null}
     *         if no complete tag starts there (end of file, truncated tag, invalid tag header)
     */
    public FlvTag readTagAt(long offset, ByteBufAllocator alloc) throws IOException {
        if (offset < 0) {
            throw new IllegalArgumentException("negative offset " + offset);
        }
        long size = channel.size();
        if (offset + FlvTag.HEADER_SIZE > size) {
            return null;
        }
        ByteBuffer h = headerBuf;
        h.clear();
        readFully(h, offset);
        int first = h.get(0) & 0xFF;
        int type = first & 0x1F;
        int dataSize = (h.get(1) & 0xFF) << 16 | (h.get(2) & 0xFF) << 8 | h.get(3) & 0xFF;
        long timestamp = ((h.get(4) & 0xFFL) << 16 | (h.get(5) & 0xFFL) << 8 | h.get(6) & 0xFFL)
                | (h.get(7) & 0xFFL) << 24;
        if (!isValidTagStart(first)) {
            invalidTag(offset, first);
            return null;
        }
        if (offset + FlvTag.HEADER_SIZE + dataSize > size) {
            LOG.debug("{}: tag at offset {} declares {} data bytes but the file ends at {}; end of file",
                    path, offset, dataSize, size);
            return null;
        }
        ByteBuf data = alloc.buffer(dataSize, dataSize);
        try {
            long pos = offset + FlvTag.HEADER_SIZE;
            while (data.isWritable()) {
                int n = data.writeBytes(channel, pos, data.writableBytes());
                if (n < 0) {
                    // The file shrank under us.
                    data.release();
                    return null;
                }
                pos += n;
            }
            return new FlvTag(type, timestamp, offset, (first & 0x20) != 0, data);
        } catch (IOException | RuntimeException e) {
            data.release();
            throw e;
        }
    }

    /** Logs (once per reader) that no tag starts at {@code offset}, which ends the file. */
    void invalidTag(long offset, int first) {
        if (!warnedInvalid) {
            warnedInvalid = true;
            LOG.warn("{}: no FLV tag at offset {} (first byte 0x{}); treating it as the end of the file",
                    path, offset, Integer.toHexString(first));
        }
    }

    /** Reserved bits zero and a known tag type (audio, video, AMF0 or AMF3 script data). */
    static boolean isValidTagStart(int firstByte) {
        if ((firstByte & 0xC0) != 0) {
            return false;
        }
        int type = firstByte & 0x1F;
        return type == FlvTag.AUDIO || type == FlvTag.VIDEO || type == FlvTag.SCRIPT || type == FlvTag.SCRIPT_AMF3;
    }

    FileChannel channel() {
        return channel;
    }

    /** Fills {@code dst} from {@code pos}; EOFException if the file ends first. */
    void readFully(ByteBuffer dst, long pos) throws IOException {
        while (dst.hasRemaining()) {
            int n = channel.read(dst, pos);
            if (n < 0) {
                throw new EOFException(path + ": unexpected end of file at offset " + pos);
            }
            pos += n;
        }
    }

    /** Reads up to {@code dst.remaining()} bytes from {@code pos}; returns how many were read. */
    int readAtMost(ByteBuffer dst, long pos) throws IOException {
        int total = 0;
        while (dst.hasRemaining()) {
            int n = channel.read(dst, pos);
            if (n < 0) {
                break;
            }
            total += n;
            pos += n;
        }
        return total;
    }

    @Override
    public void close() throws IOException {
        channel.close();
    }

    @Override
    public String toString() {
        return "FlvReader(" + path + ", position=" + position + ")";
    }
}
