package io.millrace.media.flv;

import io.millrace.amf.AmfObject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class FlvMetadataTest {
    @TempDir
    Path dir;

    @Test
    void fileWithoutOnMetaDataGetsEverythingFromTheIndex() throws Exception {
        Path file = dir.resolve("bare.flv");
        FlvTestFiles.rewriteSample(file, null, t -> true);
        FlvIndex index = FlvIndex.build(file);
        assertThat(index.metadataOffset()).isEqualTo(-1);
        assertThat(index.metadata()).isNull();

        AmfObject meta = index.completeMetadata();
        assertThat(meta.isEcmaArray()).isTrue();
        assertThat(meta.keySet()).containsExactly("duration", "width", "height", "videocodecid", "framerate",
                "audiocodecid", "audiosamplerate", "stereo", "filesize", "canSeekToEnd");
        assertThat(meta.get("duration")).isEqualTo(10.088);
        assertThat(meta.get("width")).isEqualTo(640.0);
        assertThat(meta.get("height")).isEqualTo(360.0);
        assertThat(meta.get("videocodecid")).isEqualTo(7.0);
        assertThat(meta.get("framerate")).isEqualTo(25.0);
        assertThat(meta.get("audiocodecid")).isEqualTo(10.0);
        assertThat(meta.get("audiosamplerate")).isEqualTo(44100.0);
        assertThat(meta.get("stereo")).isEqualTo(true);
        assertThat(meta.get("filesize")).isEqualTo((double) Files.size(file));
        assertThat(meta.get("canSeekToEnd")).isEqualTo(false);
    }

    @Test
    void fileValuesWinExceptAZeroDuration() throws Exception {
        Path file = dir.resolve("partial.flv");
        Map<String, Object> own = new LinkedHashMap<>();
        own.put("creator", "test");
        own.put("duration", 0.0);
        own.put("width", 123.0);
        own.put("stereo", false);
        own.put("filesize", 1.0);
        FlvTestFiles.rewriteSample(file, AmfObject.ecmaArray(own), t -> true);
        AmfObject meta = FlvIndex.build(file).completeMetadata();
        assertThat(meta.keySet()).startsWith("creator", "duration", "width", "stereo", "filesize");
        assertThat(meta.get("creator")).isEqualTo("test");
        assertThat(meta.get("duration")).isEqualTo(10.088);
        assertThat(meta.get("width")).isEqualTo(123.0);
        assertThat(meta.get("height")).isEqualTo(360.0);
        assertThat(meta.get("stereo")).isEqualTo(false);
        assertThat(meta.get("filesize")).isEqualTo(1.0);
    }

    @Test
    void sampleMetadataKeepsFfmpegsValuesAndOrder() throws Exception {
        FlvIndex index = FlvIndex.build(FlvTestFiles.sample());
        AmfObject own = index.metadata();
        AmfObject meta = index.completeMetadata();
        assertThat(meta.keySet()).startsWith(own.keySet().toArray(new String[0]));
        assertThat(meta.get("duration")).isEqualTo(own.get("duration"));
        assertThat(meta).containsEntry("canSeekToEnd", false);
        // completeMetadata and metadata hand out copies
        meta.put("duration", 1.0);
        own.put("width", 1.0);
        assertThat(index.completeMetadata().get("duration")).isEqualTo(10.08);
        assertThat(index.metadata().get("width")).isEqualTo(640.0);
    }
}
