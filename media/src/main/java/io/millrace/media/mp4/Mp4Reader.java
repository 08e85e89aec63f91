package io.millrace.media.mp4;

import io.millrace.media.FrameRef;
import io.millrace.media.MediaFrame;
import io.millrace.media.MediaReader;
import io.millrace.media.ReadWindow;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;

/**
 * Plays an {@link Mp4Index}: the video and audio samples merged by timestamp (the smaller next
 * timestamp first, video on a tie), lent from a {@link ReadWindow} that one positional read fills with
 * as many of the next samples as lie together in the file; the FLV tag header each sample needs is the
 * frame's prefix. A sample whose bytes are no longer all in the file ends the stream.
 * Obtained from {@link Mp4Index#openReader()}; one stream, one thread.
 */
public final class Mp4Reader implements MediaReader {
    private static final int AVC_HEADER = 5;
    private static final int VIDEO = 0;
    private static final int AUDIO = 1;
    /** Bytes between two samples that a window read takes in rather than stopping (padding, a small box). */
    private static final int MAX_GAP = 4096;
    /** Samples looked at ahead when a window is read. */
    private static final int MAX_LOOKAHEAD = 512;

    private final Mp4Index index;
    private final FileChannel channel;
    private final ReadWindow window;
    private final Mp4Track video;
    private final Mp4Track audio;
    private final int audioHeaderSize;
    private final int audioFirstByte;
    private int nextVideo;
    private int nextAudio;
    private boolean ended;

    Mp4Reader(Mp4Index index) throws IOException {
        this.index = index;
        this.video = index.videoTrack();
        this.audio = index.audioTrack();
        if (audio != null && audio.entry.codec == SampleEntry.Codec.MP3) {
            audioHeaderSize = 1;
            audioFirstByte = audio.entry.mp3HeaderByte();
        } else {
            audioHeaderSize = 2;
            audioFirstByte = 0xAF;
        }
        this.channel = FileChannel.open(index.path(), StandardOpenOption.READ);
        this.window = new ReadWindow(channel);
    }

    /** The AVC sequence header, then the AAC one (MP3 has none). Timestamps 0; the caller releases them. */
    @Override
    public List<MediaFrame> configFrames(ByteBufAllocator alloc) {
        List<MediaFrame> out = new ArrayList<>(2);
        if (video != null && video.entry.config != null) {
            byte[] avcC = video.entry.config;
            ByteBuf body = alloc.buffer(AVC_HEADER + avcC.length, AVC_HEADER + avcC.length);
            body.writeByte(0x17).writeByte(0).writeMedium(0).writeBytes(avcC);
            out.add(new MediaFrame(MediaFrame.VIDEO, 0, false, true, body));
        }
        if (audio != null && audio.entry.codec == SampleEntry.Codec.AAC) {
            byte[] asc = audio.entry.config;
            ByteBuf body = alloc.buffer(2 + asc.length, 2 + asc.length);
            body.writeByte(0xAF).writeByte(0).writeBytes(asc);
            out.add(new MediaFrame(MediaFrame.AUDIO, 0, false, true, body));
        }
        return out;
    }

    @Override
    public long seek(long ms) {
        Mp4Index.SeekPosition p = index.seekPosition(ms);
        nextVideo = p.video();
        nextAudio = p.audio();
        ended = false;
        return p.timestamp();
    }

    @Override
    public boolean next(FrameRef ref, ByteBufAllocator alloc) throws IOException {
        if (ended) {
            return false;
        }
        int track = nextTrack(nextVideo, nextAudio);
        boolean ok;
        if (track == VIDEO) {
            ok = readVideo(nextVideo, ref, alloc);
            nextVideo++;
        } else if (track == AUDIO) {
            ok = readAudio(nextAudio, ref, alloc);
            nextAudio++;
        } else {
            ok = false;
        }
        if (!ok) {
            ended = true;
            ref.clear();
        }
        return ok;
    }

    /** Which track's sample comes next after {@code v} video and {@code a} audio samples: the smaller timestamp, video on a tie; -1 at the end. */
    private int nextTrack(int v, int a) {
        boolean videoLeft = video != null && v < video.count();
        boolean audioLeft = audio != null && a < audio.count();
        if (videoLeft && (!audioLeft || video.timestampMs(v) <= audio.timestampMs(a))) {
            return VIDEO;
        }
        return audioLeft ? AUDIO : -1;
    }

    private boolean readVideo(int i, FrameRef ref, ByteBufAllocator alloc) throws IOException {
        if (!load(video, i, alloc)) {
            return false;
        }
        boolean key = video.isKey(i);
        long header = (long) (key ? 0x17 : 0x27) << 32 | 1L << 24 | (video.compositionTimeMs(i) & 0xFFFFFF);
        ref.set(MediaFrame.VIDEO, video.timestampMs(i), key, false, header, AVC_HEADER,
                window.buffer(), window.indexOf(video.offset(i)), video.size(i));
        return true;
    }

    private boolean readAudio(int i, FrameRef ref, ByteBufAllocator alloc) throws IOException {
        if (!load(audio, i, alloc)) {
            return false;
        }
        long header = audioHeaderSize == 2 ? (long) audioFirstByte << 8 | 1 : audioFirstByte;
        ref.set(MediaFrame.AUDIO, audio.timestampMs(i), false, false, header, audioHeaderSize,
                window.buffer(), window.indexOf(audio.offset(i)), audio.size(i));
        return true;
    }

    /**
     * Makes sample {@code i} of {@code track} (the next in play order) readable in the window; false when
     * the file ends inside it. When the window is read again, it covers, besides this sample, the samples
     * that follow in play order as long as each starts where the one before ended (or a few KB later) and
     * the whole stays within {@link ReadWindow#DEFAULT_SIZE}: in an interleaved file (as muxers write
     * them) one read serves many frames of both tracks; in one that is not, a read serves what lies
     * together and no bytes are read in vain.
     */
    private boolean load(Mp4Track track, int i, ByteBufAllocator alloc) throws IOException {
        long pos = track.offset(i);
        int size = track.size(i);
        long end = pos + size;
        if (!window.covers(pos, size)) {
            int v = nextVideo + (track == video ? 1 : 0);
            int a = nextAudio + (track == audio ? 1 : 0);
            for (int n = 0; n < MAX_LOOKAHEAD; n++) {
                int t = nextTrack(v, a);
                if (t < 0) {
                    break;
                }
                Mp4Track next = t == VIDEO ? video : audio;
                int j = t == VIDEO ? v++ : a++;
                long at = next.offset(j);
                long to = at + next.size(j);
                if (at < end || at > end + MAX_GAP || to - pos > ReadWindow.DEFAULT_SIZE) {
                    break;
                }
                end = to;
            }
        }
        return window.ensure(pos, size, end, alloc);
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
