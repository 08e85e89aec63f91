package io.millrace.media.flv;

import io.millrace.amf.Amf0Writer;
import io.millrace.amf.AmfObject;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static io.millrace.media.flv.FlvTestFiles.SAMPLE_KEYFRAME_OFFSETS;
import static io.millrace.media.flv.FlvTestFiles.SAMPLE_KEYFRAME_TIMES;
import static io.millrace.media.flv.FlvTestFiles.sample;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

class FlvIndexTest {
    @TempDir
    Path dir;

    @Test
    void indexesTheSample() throws Exception {
        FlvIndex index = FlvIndex.build(sample());
        assertThat(index.fromKeyframesTable()).isFalse(); // ffmpeg wrote no keyframes table
        assertThat(index.path()).isEqualTo(sample().toRealPath());
        assertThat(index.fileSize()).isEqualTo(FlvTestFiles.SAMPLE_SIZE);
        assertThat(index.lastModifiedMillis()).isEqualTo(Files.getLastModifiedTime(sample()).toMillis());
        assertThat(index.metadataOffset()).isEqualTo(13);
        assertThat(index.metadata().getString("encoder")).startsWith("Lavf");
        assertThat(index.videoSequenceHeaderOffset()).isEqualTo(321);
        assertThat(index.audioSequenceHeaderOffset()).isEqualTo(380);
        assertThat(index.firstMediaOffset()).isEqualTo(321);
        assertThat(index.firstMediaTimestamp()).isZero();
        assertThat(index.keyframeTimes()).containsExactly(SAMPLE_KEYFRAME_TIMES);
        assertThat(index.keyframeOffsets()).containsExactly(SAMPLE_KEYFRAME_OFFSETS);
        assertThat(index.videoTagCount()).isEqualTo(FlvTestFiles.SAMPLE_VIDEO_PACKETS + 2);
        assertThat(index.audioTagCount()).isEqualTo(FlvTestFiles.SAMPLE_AUDIO_PACKETS + 1);
        // last audio frame at 10065 ms plus one AAC frame (1024 / 44100 s = 23 ms); ffmpeg's metadata says 10.08 s
        assertThat(index.durationMs()).isEqualTo(10088);
        assertThat(index.metadata().getNumber("duration", 0) * 1000).isCloseTo(index.durationMs(), within(20.0));
        assertThat(index.videoCodecId()).isEqualTo(FlvTag.CODEC_AVC);
        assertThat(index.audioCodecId()).isEqualTo(FlvTag.SOUND_AAC);
        assertThat(index.soundRateBits()).isEqualTo(3);
        assertThat(index.soundSizeBits()).isEqualTo(1);
        assertThat(index.soundTypeBits()).isEqualTo(1);
        assertThat(index.width()).isEqualTo(640);
        assertThat(index.height()).isEqualTo(360);
        assertThat(index.frameRate()).isEqualTo(25.0);
        assertThat(index.audioSampleRate()).isEqualTo(44100);
        assertThat(index.audioChannels()).isEqualTo(2);
        assertThat(index.canSeekToEnd()).isFalse();
        assertThat(index.seekPointsFromAudio()).isFalse();
    }

    @Test
    void keyframeLookups() throws Exception {
        FlvIndex index = FlvIndex.build(sample());
        // exactly at a key frame, between two, after the last
        assertThat(index.keyframeOffsetAtOrBefore(4000)).isEqualTo(147404);
        assertThat(index.keyframeTimeAtOrBefore(4000)).isEqualTo(4000);
        assertThat(index.keyframeOffsetAtOrBefore(5999)).isEqualTo(147404);
        assertThat(index.keyframeTimeAtOrBefore(5999)).isEqualTo(4000);
        assertThat(index.keyframeOffsetAtOrBefore(0)).isEqualTo(402);
        assertThat(index.keyframeOffsetAtOrBefore(1_000_000)).isEqualTo(303812);
        assertThat(index.keyframeTimeAtOrBefore(1_000_000)).isEqualTo(8000);
        // before the first key frame: the first media tag
        assertThat(index.keyframeIndexAtOrBefore(-1)).isEqualTo(-1);
        assertThat(index.keyframeOffsetAtOrBefore(-1)).isEqualTo(index.firstMediaOffset());
        // the other directions
        assertThat(index.keyframeIndexAtOrAfter(4001)).isEqualTo(3);
        assertThat(index.keyframeIndexAtOrAfter(4000)).isEqualTo(2);
        assertThat(index.keyframeIndexAtOrAfter(8001)).isEqualTo(-1);
        assertThat(index.keyframeIndexClosest(4999)).isEqualTo(2);
        assertThat(index.keyframeIndexClosest(5000)).isEqualTo(2);
        assertThat(index.keyframeIndexClosest(5001)).isEqualTo(3);
        assertThat(index.keyframeIndexClosest(-50)).isZero();
        assertThat(index.keyframeIndexClosest(99_999)).isEqualTo(4);
    }

    @Test
    void seekingBeforeTheFirstKeyframeStartsAtTheFirstMediaTag() throws Exception {
        Path file = dir.resolve("late-key.flv");
        // drop the first GOP's video frames; keep the sequence headers and all audio
        FlvTestFiles.rewriteSample(file, null, t -> !t.isVideo() || !t.isFrame() || t.timestamp() >= 2000);
        FlvIndex index = FlvIndex.build(file);
        assertThat(index.keyframeTime(0)).isEqualTo(2000);
        assertThat(index.firstMediaOffset()).isEqualTo(13);
        assertThat(index.keyframeOffsetAtOrBefore(1500)).isEqualTo(13);
        assertThat(index.keyframeTimeAtOrBefore(1500)).isZero();
        assertThat(index.keyframeOffsetAtOrBefore(2000)).isEqualTo(index.keyframeOffset(0));
        try (FlvReader r = new FlvReader(file)) {
            FlvTag t = r.readTagAt(index.keyframeOffset(0), ByteBufAllocator.DEFAULT);
            try {
                assertThat(t.isKeyframe()).isTrue();
                assertThat(t.timestamp()).isEqualTo(2000);
            } finally {
                t.release();
            }
        }
    }

    /** The sample re-written with an onMetaData that has a correct keyframes table. */
    private Path sampleWithKeyframesTable(String name, long[] times, long[] relativeOffsets, long timeShiftMs)
            throws Exception {
        Path file = dir.resolve(name);
        int n = times.length;
        // Numbers are 8 bytes whatever their value: measure the metadata tag with placeholders first.
        int scriptBody = scriptSize(metadataWithTable(new double[n], new double[n]));
        long firstMedia = 13 + 11 + scriptBody + 4;
        double[] seconds = new double[n];
        double[] positions = new double[n];
        for (int i = 0; i < n; i++) {
            seconds[i] = (times[i] + timeShiftMs) / 1000.0;
            positions[i] = firstMedia + relativeOffsets[i];
        }
        FlvTestFiles.rewriteSample(file, metadataWithTable(seconds, positions), t -> true);
        return file;
    }

    private static long[] relativeSampleKeyframeOffsets() {
        long[] rel = new long[SAMPLE_KEYFRAME_OFFSETS.length];
        for (int i = 0; i < rel.length; i++) {
            rel[i] = SAMPLE_KEYFRAME_OFFSETS[i] - 321; // 321 = first media tag in sample.flv
        }
        return rel;
    }

    private static AmfObject metadataWithTable(double[] seconds, double[] positions) {
        List<Object> t = new ArrayList<>();
        List<Object> p = new ArrayList<>();
        for (int i = 0; i < seconds.length; i++) {
            t.add(seconds[i]);
            p.add(positions[i]);
        }
        Map<String, Object> props = new LinkedHashMap<>();
        props.put("duration", 10.08);
        props.put("framerate", 25.0);
        props.put("keyframes", AmfObject.of("times", t, "filepositions", p));
        return AmfObject.ecmaArray(props);
    }

    private static int scriptSize(AmfObject metadata) {
        ByteBuf buf = ByteBufAllocator.DEFAULT.buffer();
        try {
            new Amf0Writer(buf).write("onMetaData").write(metadata);
            return buf.readableBytes();
        } finally {
            buf.release();
        }
    }

    @Test
    void indexFromKeyframesTableEqualsIndexFromScan() throws Exception {
        Path file = sampleWithKeyframesTable("table.flv", SAMPLE_KEYFRAME_TIMES, relativeSampleKeyframeOffsets(), 0);
        FlvIndex table = FlvIndex.build(file);
        FlvIndex scan = FlvIndex.build(file, false);
        assertThat(table.fromKeyframesTable()).isTrue();
        assertThat(scan.fromKeyframesTable()).isFalse();

        assertThat(table.keyframeTimes()).containsExactly(scan.keyframeTimes());
        assertThat(table.keyframeOffsets()).containsExactly(scan.keyframeOffsets());
        assertThat(scan.keyframeTimes()).containsExactly(SAMPLE_KEYFRAME_TIMES);
        assertThat(table.durationMs()).isEqualTo(scan.durationMs()).isEqualTo(10088);
        assertThat(table.startTimestamp()).isEqualTo(scan.startTimestamp());
        assertThat(table.metadataOffset()).isEqualTo(scan.metadataOffset()).isEqualTo(13);
        assertThat(table.metadata()).isEqualTo(scan.metadata());
        assertThat(table.videoSequenceHeaderOffset()).isEqualTo(scan.videoSequenceHeaderOffset());
        assertThat(table.audioSequenceHeaderOffset()).isEqualTo(scan.audioSequenceHeaderOffset());
        assertThat(table.firstMediaOffset()).isEqualTo(scan.firstMediaOffset());
        assertThat(table.firstMediaTimestamp()).isEqualTo(scan.firstMediaTimestamp());
        assertThat(table.videoCodecId()).isEqualTo(scan.videoCodecId());
        assertThat(table.audioCodecId()).isEqualTo(scan.audioCodecId());
        assertThat(table.soundRateBits()).isEqualTo(scan.soundRateBits());
        assertThat(table.width()).isEqualTo(scan.width());
        assertThat(table.height()).isEqualTo(scan.height());
        assertThat(table.frameRate()).isEqualTo(scan.frameRate()).isEqualTo(25.0);
        assertThat(table.audioSampleRate()).isEqualTo(scan.audioSampleRate());
        assertThat(table.audioChannels()).isEqualTo(scan.audioChannels());
        assertThat(table.canSeekToEnd()).isEqualTo(scan.canSeekToEnd());
        assertThat(table.completeMetadata()).isEqualTo(scan.completeMetadata());
        // only the scan counts tags
        assertThat(table.videoTagCount()).isEqualTo(-1);
        assertThat(scan.videoTagCount()).isEqualTo(FlvTestFiles.SAMPLE_VIDEO_PACKETS + 2);
        assertThat(scan.audioTagCount()).isEqualTo(FlvTestFiles.SAMPLE_AUDIO_PACKETS + 1);
    }

    @Test
    void keyframesTableThatDoesNotMatchTheFileIsIgnored() throws Exception {
        long[] rel = relativeSampleKeyframeOffsets();
        rel[3] += 4; // points 4 bytes past the key frame tag
        Path wrongPosition = sampleWithKeyframesTable("wrong-pos.flv", SAMPLE_KEYFRAME_TIMES, rel, 0);
        long[] oneTimeOff = SAMPLE_KEYFRAME_TIMES.clone();
        oneTimeOff[4] += 100;
        Path wrongTimes = sampleWithKeyframesTable("wrong-times.flv", oneTimeOff, relativeSampleKeyframeOffsets(), 0);
        long[] fewer = {0, 4000};
        long[] fewerRel = {relativeSampleKeyframeOffsets()[0], relativeSampleKeyframeOffsets()[2]};
        Path missing = sampleWithKeyframesTable("missing.flv", fewer, fewerRel, 0);
        for (Path file : List.of(wrongPosition, wrongTimes, missing)) {
            FlvIndex index = FlvIndex.build(file);
            assertThat(index.fromKeyframesTable()).as(file.getFileName().toString()).isFalse();
            assertThat(index.keyframeTimes()).containsExactly(SAMPLE_KEYFRAME_TIMES);
            assertThat(index.videoTagCount()).isEqualTo(FlvTestFiles.SAMPLE_VIDEO_PACKETS + 2);
        }
    }

    @Test
    void keyframesTableWithAConstantTimeOffsetIsUsedWithTheTagTimes() throws Exception {
        // ffmpeg's remuxer (-flvflags add_keyframe_index) writes times a constant 23 ms off the tag
        // timestamps when AAC priming shifted them; positions are right.
        Path file = sampleWithKeyframesTable("shifted.flv", SAMPLE_KEYFRAME_TIMES, relativeSampleKeyframeOffsets(), 23);
        FlvIndex index = FlvIndex.build(file);
        assertThat(index.fromKeyframesTable()).isTrue();
        assertThat(index.keyframeTimes()).containsExactly(SAMPLE_KEYFRAME_TIMES);
    }

    @Test
    void truncatedFileWithKeyframesTableFallsBackToTheScan() throws Exception {
        Path full = sampleWithKeyframesTable("full.flv", SAMPLE_KEYFRAME_TIMES, relativeSampleKeyframeOffsets(), 0);
        FlvIndex complete = FlvIndex.build(full);
        long cut = complete.keyframeOffset(4) + 1000; // inside the last GOP's first frame
        Path file = FlvTestFiles.truncatedCopy(full, dir.resolve("cut-table.flv"), cut);
        FlvIndex index = FlvIndex.build(file);
        assertThat(index.fromKeyframesTable()).isFalse();
        assertThat(index.keyframeCount()).isEqualTo(4);
        assertThat(index.durationMs()).isBetween(7900L, 8100L);
    }

    @Test
    void truncatedFileIsIndexedUpToItsLastCompleteTag() throws Exception {
        Path file = FlvTestFiles.truncatedCopy(sample(), dir.resolve("cut.flv"), SAMPLE_KEYFRAME_OFFSETS[3] + 3000);
        FlvIndex index = FlvIndex.build(file);
        assertThat(index.keyframeTimes()).containsExactly(0, 2000, 4000);
        assertThat(index.videoTagCount()).isBetween(149, 152);
        assertThat(index.durationMs()).isBetween(5900L, 6100L);
        assertThat(index.fileSize()).isEqualTo(SAMPLE_KEYFRAME_OFFSETS[3] + 3000);
    }

    @Test
    void legacyCodecsFromFfmpeg() throws Exception {
        // ffprobe -v error -show_entries stream=codec_name,width,height,sample_rate,channels h263-mp3.flv:
        // flv1 320x240 (10 frames, 2 key frames), mp3 22050 Hz mono (41 packets)
        FlvIndex h263 = FlvIndex.build(FlvTestFiles.resource("h263-mp3.flv"));
        assertThat(h263.videoCodecId()).isEqualTo(FlvTag.CODEC_H263);
        assertThat(h263.width()).isEqualTo(320);
        assertThat(h263.height()).isEqualTo(240);
        assertThat(h263.frameRate()).isEqualTo(10.0);
        assertThat(h263.videoTagCount()).isEqualTo(10);
        assertThat(h263.keyframeCount()).isEqualTo(2);
        assertThat(h263.audioCodecId()).isEqualTo(FlvTag.SOUND_MP3);
        assertThat(h263.audioTagCount()).isEqualTo(41);
        assertThat(h263.audioSampleRate()).isEqualTo(22050);
        assertThat(h263.audioChannels()).isEqualTo(1);
        assertThat(h263.videoSequenceHeaderOffset()).isEqualTo(-1);

        // flashsv 96x64, 5 frames, all key frames
        FlvIndex screen = FlvIndex.build(FlvTestFiles.resource("screen.flv"));
        assertThat(screen.videoCodecId()).isEqualTo(FlvTag.CODEC_SCREEN);
        assertThat(screen.width()).isEqualTo(96);
        assertThat(screen.height()).isEqualTo(64);
        assertThat(screen.keyframeCount()).isEqualTo(5);
        assertThat(screen.canSeekToEnd()).isTrue();
        assertThat(screen.hasAudio()).isFalse();
    }

    @Test
    void audioOnlyFileGetsAudioSeekPoints() throws Exception {
        // nellymoser 16 kHz mono, 126 packets over 2 s
        FlvIndex index = FlvIndex.build(FlvTestFiles.resource("nelly-audio-only.flv"));
        assertThat(index.hasVideo()).isFalse();
        assertThat(index.audioCodecId()).isEqualTo(4); // Nellymoser 16 kHz mono
        assertThat(index.audioSampleRate()).isEqualTo(16000);
        assertThat(index.audioChannels()).isEqualTo(1);
        assertThat(index.audioTagCount()).isEqualTo(126);
        assertThat(index.seekPointsFromAudio()).isTrue();
        assertThat(index.keyframeCount()).isGreaterThanOrEqualTo(3);
        long[] times = index.keyframeTimes();
        for (int i = 1; i < times.length; i++) {
            assertThat(times[i] - times[i - 1]).isGreaterThanOrEqualTo(500);
        }
        assertThat(index.keyframeOffsetAtOrBefore(1200)).isEqualTo(index.keyframeOffset(index.keyframeIndexAtOrBefore(1200)));
        assertThat(index.durationMs()).isBetween(2000L, 2030L);
    }

    @Test
    void timestampsBeyond24BitsUseTheExtendedByte() throws Exception {
        Path file = dir.resolve("long.flv");
        long base = (1L << 24) - 500; // crosses 2^24 ms (4.66 hours)
        try (FlvWriter w = FlvWriter.create(file, false, true)) {
            for (int i = 0; i < 10; i++) {
                byte frameByte = (byte) (i % 5 == 0 ? 0x12 : 0x22); // H.263 key / inter frame
                ByteBuf data = Unpooled.wrappedBuffer(new byte[] {frameByte, 0, 0, (byte) 0x84, 0});
                w.writeTag(FlvTag.VIDEO, base + i * 100L, data);
            }
        }
        FlvIndex index = FlvIndex.build(file);
        assertThat(index.keyframeTimes()).containsExactly(base, base + 500);
        assertThat(index.startTimestamp()).isEqualTo(base);
        assertThat(index.durationMs()).isEqualTo(1000);
        assertThat(index.frameRate()).isEqualTo(10.0);
        assertThat(index.keyframeOffsetAtOrBefore(base + 700)).isEqualTo(index.keyframeOffset(1));
    }

    @Test
    void fileWithoutMediaTakesTheDurationFromItsMetadata() throws Exception {
        Path file = dir.resolve("nomedia.flv");
        try (FlvWriter w = FlvWriter.create(file, true, true)) {
            w.writeScriptTag(0, "onMetaData", AmfObject.ecmaArray(Map.of("duration", 12.5)));
        }
        FlvIndex index = FlvIndex.build(file);
        assertThat(index.durationMs()).isEqualTo(12500);
        assertThat(index.hasVideo()).isFalse();
        assertThat(index.hasAudio()).isFalse();
        assertThat(index.firstMediaOffset()).isEqualTo(13);
        assertThat(index.keyframeOffsetAtOrBefore(100)).isEqualTo(13);
    }
}
