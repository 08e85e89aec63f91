package io.millrace.media.mp4;

import io.millrace.media.MediaFormatException;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;

/** Walks an MP4 file's top-level boxes by their sizes with positional reads, and reads chosen boxes whole. */
final class TopLevelBoxes {
    /** A top-level box header; {@code size} is the whole box (size 0 = to the end of the file resolved). */
    record Header(int type, long offset, long size, int headerSize) {
        /** End of the box; saturates instead of overflowing for absurd sizes. */
        long end() {
            return size > Long.MAX_VALUE - offset ? Long.MAX_VALUE : offset + size;
        }
    }

    private final FileChannel channel;
    private final long size;
    private final String name;
    private final ByteBuffer head = ByteBuffer.allocate(16);

    TopLevelBoxes(FileChannel channel, long size, String name) {
        this.channel = channel;
        this.size = size;
        this.name = name;
    }

    long size() {
        return size;
    }

    String name() {
        return name;
    }

    /**
     * The header of the box at {@code pos}, or null when fewer than 8 bytes are left. A size that
     * cannot be a box (below its header length) throws; one that runs past the end of the file is
     * returned as is for the caller to judge.
     */
    Header header(long pos) throws IOException {
        long left = size - pos;
        if (left < 8) {
            return null;
        }
        head.clear().limit((int) Math.min(16, left));
        readFully(pos, head);
        long boxSize = head.getInt(0) & 0xFFFFFFFFL;
        int type = head.getInt(4);
        int headerSize = 8;
        if (boxSize == 1) {
            if (left < 16) {
                return new Header(type, pos, Long.MAX_VALUE, 16);
            }
            boxSize = head.getLong(8);
            headerSize = 16;
            if (boxSize < 0) {
                boxSize = Long.MAX_VALUE;
            }
        } else if (boxSize == 0) {
            boxSize = left;
        }
        if (boxSize < headerSize) {
            throw new MediaFormatException("box '" + Boxes.name(type) + "' at offset " + pos + " has an invalid size "
                    + boxSize);
        }
        return new Header(type, pos, boxSize, headerSize);
    }

    /** Reads {@code length} bytes from {@code pos}; the caller has checked that they lie in the file. */
    byte[] read(long pos, int length) throws IOException {
        byte[] out = new byte[length];
        readFully(pos, ByteBuffer.wrap(out));
        return out;
    }

    private void readFully(long pos, ByteBuffer buf) throws IOException {
        long p = pos;
        while (buf.hasRemaining()) {
            int n = channel.read(buf, p);
            if (n < 0) {
                throw new MediaFormatException("unexpected end of file at offset " + p + " (the file shrank while being read)");
            }
            p += n;
        }
    }
}
