package io.millrace.media.mp4;

import io.millrace.media.MediaFrame;
import io.millrace.media.MediaReader;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;

/**
 * Plays an {@link Mp4Index}: the video and audio samples merged by timestamp (the smaller next
 * timestamp first, video on a tie), each read with one positional read into a buffer of exactly the
 * FLV tag header plus the sample. A sample whose bytes are no longer all in the file ends the stream.
 * Obtained from {@link Mp4Index#openReader()}; one stream, one thread.
 */
public final class Mp4Reader implements MediaReader {
    private static final int AVC_HEADER = 5;

    private final Mp4Index index;
    private final FileChannel channel;
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
    public MediaFrame next(ByteBufAllocator alloc) throws IOException {
        if (ended) {
            return null;
        }
        boolean videoLeft = video != null && nextVideo < video.count();
        boolean audioLeft = audio != null && nextAudio < audio.count();
        MediaFrame frame;
        if (videoLeft && (!audioLeft || video.timestampMs(nextVideo) <= audio.timestampMs(nextAudio))) {
            frame = readVideo(nextVideo, alloc);
            nextVideo++;
        } else if (audioLeft) {
            frame = readAudio(nextAudio, alloc);
            nextAudio++;
        } else {
            frame = null;
        }
        if (frame == null) {
            ended = true;
        }
        return frame;
    }

    private MediaFrame readVideo(int i, ByteBufAllocator alloc) throws IOException {
        boolean key = video.isKey(i);
        int cts = video.compositionTimeMs(i);
        ByteBuf body = read(video, i, AVC_HEADER, alloc);
        if (body == null) {
            return null;
        }
        body.setByte(0, key ? 0x17 : 0x27);
        body.setByte(1, 1);
        body.setMedium(2, cts);
        return new MediaFrame(MediaFrame.VIDEO, video.timestampMs(i), key, false, body);
    }

    private MediaFrame readAudio(int i, ByteBufAllocator alloc) throws IOException {
        ByteBuf body = read(audio, i, audioHeaderSize, alloc);
        if (body == null) {
            return null;
        }
        body.setByte(0, audioFirstByte);
        if (audioHeaderSize == 2) {
            body.setByte(1, 1);
        }
        return new MediaFrame(MediaFrame.AUDIO, audio.timestampMs(i), false, false, body);
    }

    /**
     * A buffer of {@code header} bytes (left for the caller to fill) followed by sample {@code i}, or null
     * when the file ends inside the sample.
     */
    private ByteBuf read(Mp4Track track, int i, int header, ByteBufAllocator alloc) throws IOException {
        int size = track.size(i);
        long pos = track.offset(i);
        ByteBuf body = alloc.buffer(header + size, header + size);
        boolean ok = false;
        try {
            body.writerIndex(header);
            int left = size;
            while (left > 0) {
                int n = body.writeBytes(channel, pos, left);
                if (n <= 0) {
                    return null;
                }
                pos += n;
                left -= n;
            }
            ok = true;
            return body;
        } finally {
            if (!ok) {
                body.release();
            }
        }
    }

    @Override
    public void close() throws IOException {
        channel.close();
    }
}
