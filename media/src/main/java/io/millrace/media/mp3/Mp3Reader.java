package io.millrace.media.mp3;

import io.millrace.media.FrameRef;
import io.millrace.media.MediaFrame;
import io.millrace.media.MediaReader;
import io.millrace.media.ReadWindow;
import io.netty.buffer.ByteBufAllocator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.StandardOpenOption;
import java.util.List;

/**
 * Reads the frames an {@link Mp3Index} found as RTMP audio messages: body = the audio tag header byte
 * ({@link Mp3Index#soundByte()}, e.g. {@code 2F} for 44.1 kHz stereo) + one whole MP3 frame, timestamp
 * from the frame number. Frames are lent from a {@link ReadWindow} (one positional read for many);
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
    private final ReadWindow window;
    private int next;
    private boolean ended;

    Mp3Reader(Mp3Index index) throws IOException {
        this.index = index;
        this.channel = FileChannel.open(index.path(), StandardOpenOption.READ);
        this.soundByte = index.soundByte();
        this.window = new ReadWindow(channel);
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
    public boolean next(FrameRef ref, ByteBufAllocator alloc) throws IOException {
        if (ended || next >= index.frameCount()) {
            ref.clear();
            return false;
        }
        long offset = index.frameOffset(next);
        if (!window.ensure(offset, 4, offset + ReadWindow.DEFAULT_SIZE, alloc)) {
            return end(ref, "the file ends at frame " + next + " (offset " + offset + ")");
        }
        int word = window.buffer().getInt(window.indexOf(offset));
        int length = MpegAudioHeader.frameLength(word);
        if (length <= 0 || !MpegAudioHeader.sameStream(word, index.firstHeader().word())) {
            return end(ref, String.format("no frame header at offset %d (frame %d) any more: %08X", offset, next, word));
        }
        if (!window.ensure(offset, length, offset + Math.max(length, ReadWindow.DEFAULT_SIZE), alloc)) {
            return end(ref, "the file ends inside frame " + next + " (offset " + offset + ")");
        }
        ref.set(MediaFrame.AUDIO, index.frameTime(next), false, false, soundByte, 1,
                window.buffer(), window.indexOf(offset), length);
        next++;
        return true;
    }

    private boolean end(FrameRef ref, String why) {
        LOG.warn("{}: {}; the file changed after it was indexed", index.path(), why);
        ended = true;
        ref.clear();
        return false;
    }

    @Override
    public void idle() {
        window.release();
    }

    @Override
    public void close() throws IOException {
        window.release();
        channel.close();
    }
}
