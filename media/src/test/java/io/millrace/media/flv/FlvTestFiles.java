package io.millrace.media.flv;

import io.millrace.amf.AmfObject;
import io.netty.buffer.ByteBufAllocator;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;

import static org.assertj.core.api.Assertions.assertThat;

/** Test files: the module's sample.flv, the small resources, and FLV files assembled with FlvWriter. */
final class FlvTestFiles {
    /**
     * Numbers for apps/vod/media/sample.flv from
     * {@code ffprobe -v error -show_packets -of csv=p=0 -show_entries packet=codec_type,pts,dts,pos,size,flags sample.flv}:
     * 250 video packets (5 with flag K, at pos 402, 67458, 147404, 224776, 303812, dts 0..8000),
     * 432 audio packets (last pts 10065), payload sizes summing to 278812 (video) and 80477 (audio).
     * ffprobe does not list the AVC/AAC sequence headers nor the AVC end-of-sequence tag.
     */
    static final int SAMPLE_VIDEO_PACKETS = 250;
    static final int SAMPLE_AUDIO_PACKETS = 432;
    static final long[] SAMPLE_KEYFRAME_OFFSETS = {402, 67458, 147404, 224776, 303812};
    static final long[] SAMPLE_KEYFRAME_TIMES = {0, 2000, 4000, 6000, 8000};
    static final long SAMPLE_VIDEO_PAYLOAD = 278812;
    static final long SAMPLE_AUDIO_PAYLOAD = 80477;
    static final long SAMPLE_LAST_AUDIO_TS = 10065;
    static final long SAMPLE_LAST_VIDEO_TS = 9960;
    static final long SAMPLE_SIZE = 372055;

    private FlvTestFiles() {
    }

    static Path sample() {
        Path p = Path.of("../apps/vod/media/sample.flv").toAbsolutePath().normalize();
        assertThat(p).as("apps/vod/media/sample.flv (tests run in the media module directory)").exists();
        return p;
    }

    static Path resource(String name) {
        Path p = Path.of("src/test/resources/flv", name).toAbsolutePath();
        assertThat(p).exists();
        return p;
    }

    /** All tags of a file; the caller releases them (see {@link #release}). */
    static List<FlvTag> readAll(Path file) throws IOException {
        List<FlvTag> tags = new ArrayList<>();
        try (FlvReader reader = new FlvReader(file)) {
            FlvTag tag;
            while ((tag = reader.next(ByteBufAllocator.DEFAULT)) != null) {
                tags.add(tag);
            }
        } catch (IOException | RuntimeException e) {
            release(tags);
            throw e;
        }
        return tags;
    }

    static void release(List<FlvTag> tags) {
        for (FlvTag t : tags) {
            if (t.refCnt() > 0) {
                t.release();
            }
        }
    }

    /**
     * Writes the audio/video tags of sample.flv that pass {@code keep} to {@code out}, preceded by an
     * onMetaData tag with {@code metadata} when not null. Borrows nothing.
     */
    static void rewriteSample(Path out, AmfObject metadata, Predicate<FlvTag> keep) throws IOException {
        List<FlvTag> tags = readAll(sample());
        try (FlvWriter w = FlvWriter.create(out, true, true)) {
            if (metadata != null) {
                w.writeScriptTag(0, "onMetaData", metadata);
            }
            for (FlvTag t : tags) {
                if (!t.isScript() && keep.test(t)) {
                    w.writeTag(t);
                }
            }
        } finally {
            release(tags);
        }
    }

    /** Copies {@code from} to {@code to}, keeping only the first {@code length} bytes. */
    static Path truncatedCopy(Path from, Path to, long length) throws IOException {
        byte[] all = Files.readAllBytes(from);
        byte[] cut = new byte[(int) length];
        System.arraycopy(all, 0, cut, 0, cut.length);
        Files.write(to, cut);
        return to;
    }
}
