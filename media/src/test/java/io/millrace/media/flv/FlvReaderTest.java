package io.millrace.media.flv;

import io.millrace.media.MediaFormatException;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static io.millrace.media.flv.FlvTestFiles.SAMPLE_KEYFRAME_OFFSETS;
import static io.millrace.media.flv.FlvTestFiles.readAll;
import static io.millrace.media.flv.FlvTestFiles.release;
import static io.millrace.media.flv.FlvTestFiles.sample;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class FlvReaderTest {
    private static final ByteBufAllocator ALLOC = ByteBufAllocator.DEFAULT;

    @TempDir
    Path dir;

    @Test
    void sampleTagsMatchFfprobePackets() throws Exception {
        List<FlvTag> tags = readAll(sample());
        try {
            int script = 0;
            int video = 0;
            int audio = 0;
            int videoFrames = 0;
            int audioFrames = 0;
            long videoPayload = 0;
            long audioPayload = 0;
            long lastVideoTs = -1;
            long lastAudioTs = -1;
            List<Long> keyOffsets = new ArrayList<>();
            for (FlvTag t : tags) {
                if (t.isScript()) {
                    script++;
                } else if (t.isVideo()) {
                    video++;
                    if (t.isFrame()) {
                        videoFrames++;
                        videoPayload += t.dataSize() - 5; // FrameType/CodecID, AVCPacketType, CompositionTime
                        lastVideoTs = t.timestamp();
                        assertThat(t.codecId()).isEqualTo(FlvTag.CODEC_AVC);
                    }
                    if (t.isKeyframe()) {
                        keyOffsets.add(t.offset());
                    }
                } else if (t.isAudio()) {
                    audio++;
                    if (t.isFrame()) {
                        audioFrames++;
                        audioPayload += t.dataSize() - 2; // SoundFormat byte, AACPacketType
                        lastAudioTs = t.timestamp();
                        assertThat(t.codecId()).isEqualTo(FlvTag.SOUND_AAC);
                    }
                }
            }
            assertThat(script).isEqualTo(1);
            assertThat(videoFrames).isEqualTo(FlvTestFiles.SAMPLE_VIDEO_PACKETS);
            assertThat(audioFrames).isEqualTo(FlvTestFiles.SAMPLE_AUDIO_PACKETS);
            // plus the AVC sequence header and end of sequence, and the AAC sequence header
            assertThat(video).isEqualTo(FlvTestFiles.SAMPLE_VIDEO_PACKETS + 2);
            assertThat(audio).isEqualTo(FlvTestFiles.SAMPLE_AUDIO_PACKETS + 1);
            assertThat(videoPayload).isEqualTo(FlvTestFiles.SAMPLE_VIDEO_PAYLOAD);
            assertThat(audioPayload).isEqualTo(FlvTestFiles.SAMPLE_AUDIO_PAYLOAD);
            assertThat(keyOffsets).containsExactly(402L, 67458L, 147404L, 224776L, 303812L);
            assertThat(lastVideoTs).isEqualTo(FlvTestFiles.SAMPLE_LAST_VIDEO_TS);
            assertThat(lastAudioTs).isEqualTo(FlvTestFiles.SAMPLE_LAST_AUDIO_TS);

            FlvTag first = tags.get(0);
            assertThat(first.offset()).isEqualTo(13);
            assertThat(first.type()).isEqualTo(FlvTag.SCRIPT);
            FlvTag avcConfig = tags.get(1);
            assertThat(avcConfig.isSequenceHeader()).isTrue();
            assertThat(avcConfig.isKeyframe()).isFalse();
            assertThat(avcConfig.frameType()).isEqualTo(1);
            FlvTag aacConfig = tags.get(2);
            assertThat(aacConfig.isAudio()).isTrue();
            assertThat(aacConfig.isSequenceHeader()).isTrue();
            assertThat(ByteBufUtil.hexDump(aacConfig.data())).isEqualTo("af00121056e500");
            FlvTag firstFrame = tags.get(3);
            assertThat(firstFrame.isKeyframe()).isTrue();
            assertThat(firstFrame.compositionTime()).isEqualTo(80); // ffprobe: pts 80, dts 0
            FlvTag last = tags.get(tags.size() - 1);
            assertThat(last.nextOffset()).isEqualTo(FlvTestFiles.SAMPLE_SIZE);
        } finally {
            release(tags);
        }
    }

    @Test
    void headerFieldsAndPositioning() throws Exception {
        try (FlvReader r = new FlvReader(sample())) {
            assertThat(r.version()).isEqualTo(1);
            assertThat(r.hasAudioFlag()).isTrue();
            assertThat(r.hasVideoFlag()).isTrue();
            assertThat(r.dataOffset()).isEqualTo(9);
            assertThat(r.position()).isEqualTo(13);
            assertThat(r.size()).isEqualTo(FlvTestFiles.SAMPLE_SIZE);

            FlvTag at = r.readTagAt(SAMPLE_KEYFRAME_OFFSETS[2], ALLOC);
            try {
                assertThat(at.isKeyframe()).isTrue();
                assertThat(at.timestamp()).isEqualTo(4000);
                assertThat(r.position()).isEqualTo(13); // readTagAt does not move the reader
            } finally {
                at.release();
            }

            r.seek(SAMPLE_KEYFRAME_OFFSETS[2]);
            FlvTag a = r.next(ALLOC);
            FlvTag b = r.next(ALLOC);
            try {
                assertThat(a.offset()).isEqualTo(SAMPLE_KEYFRAME_OFFSETS[2]);
                assertThat(b.offset()).isEqualTo(a.nextOffset());
                assertThat(r.position()).isEqualTo(b.nextOffset());
            } finally {
                a.release();
                b.release();
            }
            r.seek(FlvTestFiles.SAMPLE_SIZE);
            assertThat(r.next(ALLOC)).isNull();
            assertThat(r.readTagAt(FlvTestFiles.SAMPLE_SIZE - 3, ALLOC)).isNull();
        }
    }

    @Test
    void fileCutMidTagPlaysToItsLastCompleteTag() throws Exception {
        long cutTagOffset = SAMPLE_KEYFRAME_OFFSETS[2];
        List<FlvTag> all = readAll(sample());
        int before;
        long lastCompleteOffset;
        try {
            before = (int) all.stream().filter(t -> t.offset() < cutTagOffset).count();
            lastCompleteOffset = all.get(before - 1).offset();
        } finally {
            release(all);
        }
        // cut inside the data, inside the header, and right after the data (PreviousTagSize missing)
        for (long cut : new long[] {cutTagOffset + 500, cutTagOffset + 5, cutTagOffset}) {
            Path file = FlvTestFiles.truncatedCopy(sample(), dir.resolve("cut" + cut + ".flv"), cut);
            List<FlvTag> tags = readAll(file);
            try {
                assertThat(tags).hasSize(before);
                assertThat(tags.get(tags.size() - 1).offset()).isEqualTo(lastCompleteOffset);
            } finally {
                release(tags);
            }
        }
        Path noTrailer = FlvTestFiles.truncatedCopy(sample(), dir.resolve("notrailer.flv"), FlvTestFiles.SAMPLE_SIZE - 4);
        List<FlvTag> tags = readAll(noTrailer);
        try {
            assertThat(tags).hasSize(FlvTestFiles.SAMPLE_VIDEO_PACKETS + FlvTestFiles.SAMPLE_AUDIO_PACKETS + 4);
        } finally {
            release(tags);
        }
    }

    @Test
    void malformedHeadersAreRejectedWithClearMessages() throws Exception {
        Path gif = dir.resolve("picture.flv");
        Files.write(gif, "GIF89a\u0001\u0000\u0001\u0000\u0000\u0000\u0000".getBytes(java.nio.charset.StandardCharsets.ISO_8859_1));
        assertThatThrownBy(() -> new FlvReader(gif))
                .isInstanceOf(MediaFormatException.class)
                .hasMessageContaining("not an FLV file")
                .hasMessageContaining("47 49 46");

        Path tiny = dir.resolve("tiny.flv");
        Files.write(tiny, new byte[] {'F', 'L', 'V'});
        assertThatThrownBy(() -> new FlvReader(tiny))
                .isInstanceOf(MediaFormatException.class).hasMessageContaining("only 3 bytes");

        Path v2 = dir.resolve("v2.flv");
        Files.write(v2, ByteBufUtil.decodeHexDump("464c560205000000090000000000"));
        assertThatThrownBy(() -> new FlvReader(v2))
                .isInstanceOf(MediaFormatException.class).hasMessageContaining("version 2");

        Path badOffset = dir.resolve("offset.flv");
        Files.write(badOffset, ByteBufUtil.decodeHexDump("464c560105000000030000000000"));
        assertThatThrownBy(() -> new FlvReader(badOffset))
                .isInstanceOf(MediaFormatException.class).hasMessageContaining("DataOffset 3");
        assertThatThrownBy(() -> FlvIndex.build(badOffset)).isInstanceOf(MediaFormatException.class);

        Path empty = dir.resolve("empty.flv");
        Files.write(empty, new byte[0]);
        assertThatThrownBy(() -> new FlvReader(empty)).isInstanceOf(MediaFormatException.class);
    }

    @Test
    void largerDataOffsetMovesTheFirstTag() throws Exception {
        Path file = dir.resolve("offset12.flv");
        // DataOffset 12: three extra header bytes, then PreviousTagSize0, then an MP3 audio tag
        Files.write(file, ByteBufUtil.decodeHexDump("464c5601" + "04" + "0000000c" + "aabbcc" + "00000000"
                + "0800000200000a00000000" + "2eff" + "0000000d"));
        try (FlvReader r = new FlvReader(file)) {
            assertThat(r.dataOffset()).isEqualTo(12);
            assertThat(r.firstTagOffset()).isEqualTo(16);
            FlvTag t = r.next(ALLOC);
            try {
                assertThat(t.offset()).isEqualTo(16);
                assertThat(t.timestamp()).isEqualTo(10);
                assertThat(t.codecId()).isEqualTo(FlvTag.SOUND_MP3);
            } finally {
                t.release();
            }
            assertThat(r.next(ALLOC)).isNull();
        }
        FlvIndex index = FlvIndex.build(file);
        assertThat(index.firstMediaOffset()).isEqualTo(16);
        assertThat(index.audioTagCount()).isEqualTo(1);
    }

    @Test
    void dataSizeBeyondTheFileEndsItCleanly() throws Exception {
        Path file = dir.resolve("huge-datasize.flv");
        // header, PreviousTagSize0, a video tag claiming 0xFFFFFF bytes with only 6 present
        Files.write(file, ByteBufUtil.decodeHexDump("464c5601010000000900000000" + "09ffffff00000000000000" + "170000000001"));
        try (FlvReader r = new FlvReader(file)) {
            assertThat(r.next(ALLOC)).isNull();
            assertThat(r.position()).isEqualTo(13);
        }
        FlvIndex index = FlvIndex.build(file);
        assertThat(index.videoTagCount()).isZero();
        assertThat(index.durationMs()).isZero();
        assertThat(index.keyframeCount()).isZero();
        assertThat(index.keyframeOffsetAtOrBefore(5000)).isEqualTo(13);
    }

    @Test
    void bytesThatAreNotATagEndTheFile() throws Exception {
        Path file = dir.resolve("garbage-tail.flv");
        try (FlvWriter w = FlvWriter.create(file, true, false)) {
            w.writeTag(FlvTag.AUDIO, 0, Unpooled.wrappedBuffer(new byte[] {(byte) 0x2e, 1, 2, 3}));
            w.writeTag(FlvTag.AUDIO, 26, Unpooled.wrappedBuffer(new byte[] {(byte) 0x2e, 4, 5, 6}));
        }
        byte[] good = Files.readAllBytes(file);
        byte[] withJunk = java.util.Arrays.copyOf(good, good.length + 64);
        java.util.Arrays.fill(withJunk, good.length, withJunk.length, (byte) 0xFF);
        Files.write(file, withJunk);
        List<FlvTag> tags = readAll(file);
        try {
            assertThat(tags).hasSize(2);
        } finally {
            release(tags);
        }
        assertThat(FlvIndex.build(file).audioTagCount()).isEqualTo(2);
    }

    @Test
    void extendedTimestampByteGivesUnsigned32BitTimes() throws Exception {
        Path file = dir.resolve("ts.flv");
        try (FlvWriter w = FlvWriter.create(file, false, true)) {
            w.writeTag(FlvTag.VIDEO, 0xFEDCBA98L, Unpooled.wrappedBuffer(new byte[] {0x12, 0, 0}));
        }
        byte[] bytes = Files.readAllBytes(file);
        // Timestamp DC BA 98, TimestampExtended FE
        assertThat(ByteBufUtil.hexDump(bytes, 13, 11)).isEqualTo("09000003dcba98fe000000");
        try (FlvReader r = new FlvReader(file)) {
            FlvTag t = r.next(ALLOC);
            try {
                assertThat(t.timestamp()).isEqualTo(4275878552L);
                assertThat(t.isKeyframe()).isTrue();
                assertThat(t.codecId()).isEqualTo(FlvTag.CODEC_H263);
            } finally {
                t.release();
            }
        }
    }
}
