package io.millrace.media.mp3;

import io.millrace.media.MediaFrame;
import io.millrace.media.MediaReader;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.StandardOpenOption;
import java.util.List;

/**
 * Reads the frames an {@link Mp3Index} found as RTMP audio messages: body = the audio tag header byte
 * ({@link Mp3Index#soundByte()}, e.g. {@code 2F} for 44.1 kHz stereo) + one whole MP3 frame, timestamp
 * from the frame number. Each frame is read with positional reads (its header, then header and body);
 * a frame whose header no longer matches (the file changed since it was indexed) or that the file no
 * longer holds ends the stream. No configuration frames.
 *
 * <p>Not thread-safe: one reader per playing stream.
 */
public final class Mp3Reader implements MediaReader {
    private static final Logger LOG = LoggerFactory.getLogger(Mp3Reader.class);

    private final Mp3Index index;
    private final FileChannel channel;
    private final int soundByte;
    private final ByteBuffer header = ByteBuffer.allocate(4);
    private int next;
    private boolean ended;

    Mp3Reader(Mp3Index index) throws IOException {
        this.index = index;
        this.channel = FileChannel.open(index.path(), StandardOpenOption.READ);
        this.soundByte = index.soundByte();
    }

    /** None: MP3 needs no decoder configuration. */
    @Override
    public List<MediaFrame> configFrames(ByteBufAllocator alloc) {
        return List.of();
    }

    @Override
    public long seek(long ms) {
        next = index.frameAtOrBefore(ms);
        ended = false;
        return index.frameTime(next);
    }

    /** The index of the frame {@link #next} returns. */
    public int position() {
        return next;
    }

    @Override
    public MediaFrame next(ByteBufAllocator alloc) throws IOException {
        if (ended || next >= index.frameCount()) {
            return null;
        }
        long offset = index.frameOffset(next);
        header.clear();
        if (!readFully(header, offset)) {
            return end("the file ends at frame " + next + " (offset " + offset + ")");
        }
        int word = header.getInt(0);
        int length = MpegAudioHeader.frameLength(word);
        if (length <= 0 || !MpegAudioHeader.sameStream(word, index.firstHeader().word())) {
            return end(String.format("no frame header at offset %d (frame %d) any more: %08X", offset, next, word));
        }
        ByteBuf body = alloc.buffer(1 + length);
        try {
            body.writeByte(soundByte);
            int need = length;
            long at = offset;
            while (need > 0) {
                int r = body.writeBytes(channel, at, need);
                if (r < 0) {
                    body.release();
                    return end("the file ends inside frame " + next + " (offset " + offset + ")");
                }
                need -= r;
                at += r;
            }
        } catch (IOException | RuntimeException e) {
            body.release();
            throw e;
        }
        MediaFrame frame = new MediaFrame(MediaFrame.AUDIO, index.frameTime(next), false, false, body);
        next++;
        return frame;
    }

    private MediaFrame end(String why) {
        LOG.warn("{}: {}; the file changed after it was indexed", index.path(), why);
        ended = true;
        return null;
    }

    private boolean readFully(ByteBuffer buf, long at) throws IOException {
        while (buf.hasRemaining()) {
            int r = channel.read(buf, at);
            if (r < 0) {
                return false;
            }
            at += r;
        }
        return true;
    }

    @Override
    public void close() throws IOException {
        channel.close();
    }
}
