package io.millrace.server.live;

import io.millrace.amf.Amf0Writer;
import io.millrace.amf.AmfObject;
import io.millrace.media.flv.FlvWriter;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufUtil;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * Records a live stream to an FLV file (publish type "record" or "append", or {@code live.record}).
 *
 * <p>Every tag (header, body and back pointer) goes to the file in one gathering write, so a server killed
 * mid-stream leaves a file that plays up to its last complete tag. The onMetaData written first carries a
 * {@code duration} of 0 that is patched in place when the recording closes. Appending continues the
 * timestamps after the file's last tag and patches the duration of the file's own onMetaData, if it has one.
 *
 * <p>Writes go to the page cache on the publisher's event loop (microseconds each); a failed write stops the
 * recording, not the publication. Not thread-safe.
 */
final class FlvRecorder {
    private static final Logger LOG = LoggerFactory.getLogger(FlvRecorder.class);
    private static final byte[] DURATION_KEY = "\u0000\u0008duration\u0000".getBytes(StandardCharsets.ISO_8859_1);
    /** Between the last tag of an appended file and the first new one. */
    private static final long APPEND_GAP_MILLIS = 40;

    private final Path file;
    private final FileChannel channel;
    /** Writes each tag in one gathering write; counts offsets from where the recording started. */
    private final FlvWriter writer;
    /** Timestamp the first recorded media frame gets (0, or after an appended file's end). */
    private final long base;
    private long firstStreamTs = -1;
    private long lastTs;
    private boolean wroteTags;
    private final boolean appended;
    /** File offset of the 8-byte duration number to patch on close, or -1. */
    private long durationAt = -1;
    private boolean failed;
    private long tags;

    private FlvRecorder(Path file, FileChannel channel, long base, long durationAt, boolean wroteTags) {
        this.file = file;
        this.channel = channel;
        this.writer = new FlvWriter(channel, true);
        this.base = base;
        this.lastTs = base;
        this.durationAt = durationAt;
        this.wroteTags = wroteTags;
        this.appended = wroteTags;
    }

    /** Opens {@code file} for a new recording (replacing it) or to append to it. */
    static FlvRecorder open(Path file, boolean append) throws IOException {
        Files.createDirectories(file.getParent());
        if (append && Files.exists(file) && Files.size(file) > 13) {
            FileChannel ch = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE);
            try {
                long[] end = lastTag(ch);
                long durationAt = findDuration(ch);
                ch.position(end[0]);
                ch.truncate(end[0]);
                return new FlvRecorder(file, ch, end[1] + APPEND_GAP_MILLIS, durationAt, true);
            } catch (IOException | RuntimeException e) {
                ch.close();
                throw e;
            }
        }
        FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING,
                StandardOpenOption.WRITE);
        try {
            FlvRecorder r = new FlvRecorder(file, ch, 0, -1, false);
            r.writer.writeHeader(true, true);
            return r;
        } catch (IOException | RuntimeException e) {
            ch.close();
            throw e;
        }
    }

    /**
     * The end of the last complete tag of an FLV file and that tag's timestamp, following back pointers from
     * the end (a tag cut short by a crash is cut off).
     */
    private static long[] lastTag(FileChannel ch) throws IOException {
        ByteBuffer head = ByteBuffer.allocate(13);
        readFully(ch, head, 0);
        if (head.get(0) != 'F' || head.get(1) != 'L' || head.get(2) != 'V') {
            throw new IOException("not an FLV file");
        }
        long size = ch.size();
        // Walk forward over the tags: simple and robust to a torn tail (bounded by the file size).
        long at = 13;
        long endOfLast = 13;
        long lastTs = 0;
        ByteBuffer tag = ByteBuffer.allocate(11);
        while (at + 11 <= size) {
            tag.clear();
            readFully(ch, tag, at);
            int dataSize = ((tag.get(1) & 0xFF) << 16) | ((tag.get(2) & 0xFF) << 8) | (tag.get(3) & 0xFF);
            long ts = ((tag.get(4) & 0xFFL) << 16) | ((tag.get(5) & 0xFFL) << 8) | (tag.get(6) & 0xFFL)
                    | ((tag.get(7) & 0xFFL) << 24);
            long next = at + 11 + dataSize + 4;
            if (next > size) {
                break;
            }
            lastTs = Math.max(lastTs, ts);
            endOfLast = next;
            at = next;
        }
        return new long[] {endOfLast, lastTs};
    }

    /** The offset of the duration number in the file's first tag, if that is onMetaData with one; else -1. */
    private static long findDuration(FileChannel ch) throws IOException {
        ByteBuffer tag = ByteBuffer.allocate(11);
        if (ch.size() < 24) {
            return -1;
        }
        readFully(ch, tag, 13);
        if ((tag.get(0) & 0x1F) != 18) {
            return -1;
        }
        int dataSize = ((tag.get(1) & 0xFF) << 16) | ((tag.get(2) & 0xFF) << 8) | (tag.get(3) & 0xFF);
        if (dataSize > 1 << 20 || 24 + dataSize > ch.size()) {
            return -1;
        }
        ByteBuffer body = ByteBuffer.allocate(dataSize);
        readFully(ch, body, 24);
        int i = indexOf(body.array(), DURATION_KEY);
        return i < 0 || i + DURATION_KEY.length + 8 > dataSize ? -1 : 24 + i + DURATION_KEY.length;
    }

    private static void readFully(FileChannel ch, ByteBuffer b, long at) throws IOException {
        while (b.hasRemaining()) {
            int n = ch.read(b, at + b.position());
            if (n < 0) {
                throw new IOException("unexpected end of file");
            }
        }
        b.flip();
    }

    private static int indexOf(byte[] hay, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= hay.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (hay[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }

    Path file() {
        return file;
    }

    /**
     * The stream's metadata: written first (with a duration to patch on close) when nothing is recorded yet,
     * else as a script tag where the stream is.
     */
    void metadata(AmfObject meta) {
        if (failed) {
            return;
        }
        AmfObject m = meta.deepCopy();
        boolean first = !wroteTags;
        if (first) {
            m.put("duration", 0.0);
        }
        ByteBuf body = ByteBufAllocator.DEFAULT.heapBuffer();
        try {
            new Amf0Writer(body).write("onMetaData").write(m);
            long at = writeTag(18, first ? 0 : lastTs, body);
            if (first && at >= 0) {
                // A new file: the writer's offsets are the file's.
                int i = indexOf(ByteBufUtil.getBytes(body), DURATION_KEY);
                durationAt = i < 0 ? -1 : at + 11 + i + DURATION_KEY.length;
            }
        } finally {
            body.release();
        }
    }

    /** A media frame at {@code streamTs} on the stream's timeline. Borrows {@code payload}. */
    void write(int typeId, long streamTs, ByteBuf payload, boolean config) {
        if (failed) {
            return;
        }
        if (firstStreamTs < 0 && !config) {
            firstStreamTs = streamTs;
        }
        long ts = firstStreamTs < 0 ? base : base + Math.max(0, streamTs - firstStreamTs);
        writeTag(typeId, ts, payload);
        if (ts > lastTs) {
            lastTs = ts;
        }
    }

    /** Returns the tag's offset from where the recording started, or -1 when the recording has failed. */
    private long writeTag(int type, long ts, ByteBuf data) {
        try {
            long at = writer.writeTag(type, ts, data);
            wroteTags = true;
            tags++;
            return at;
        } catch (IOException e) {
            failed = true;
            LOG.warn("recording {} stopped: {}", file, e.getMessage());
            return -1;
        }
    }

    /** Whether this recording continues an existing file. */
    boolean appending() {
        return appended;
    }

    /** Seconds of media in the file (its last timestamp). */
    double lengthSeconds() {
        return lastTs / 1000.0;
    }

    /** The file's size now, or -1 if it cannot be read. */
    long fileSize() {
        try {
            return Files.size(file);
        } catch (IOException e) {
            return -1;
        }
    }

    /** Patches the duration and closes the file. Idempotent. */
    void close() {
        if (!channel.isOpen()) {
            return;
        }
        try {
            if (durationAt > 0 && !failed) {
                ByteBuffer d = ByteBuffer.allocate(8).putDouble(lastTs / 1000.0);
                d.flip();
                while (d.hasRemaining()) {
                    channel.write(d, durationAt + d.position());
                }
            }
        } catch (IOException e) {
            LOG.warn("recording {}: could not write its duration: {}", file, e.getMessage());
        } finally {
            try {
                writer.close();
            } catch (IOException e) {
                LOG.debug("closing {}: {}", file, e.getMessage());
            }
        }
        LOG.info("recorded {}: {} tags, {} s", file, tags, String.format("%.1f", lastTs / 1000.0));
    }
}
