package io.millrace.media.flv;

import io.millrace.amf.Amf0Reader;
import io.millrace.amf.AmfObject;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class FlvWriterTest {
    @TempDir
    Path dir;

    @Test
    void writesHeaderTagsAndPreviousTagSizes() throws Exception {
        Path file = dir.resolve("w.flv");
        try (FlvWriter w = FlvWriter.create(file, true, true)) {
            assertThat(w.position()).isEqualTo(13);
            assertThat(w.writeTag(FlvTag.AUDIO, 0, Unpooled.wrappedBuffer(ByteBufUtil.decodeHexDump("af001210"))))
                    .isEqualTo(13);
            assertThat(w.writeTag(FlvTag.VIDEO, 0x01020304L, Unpooled.wrappedBuffer(new byte[0]))).isEqualTo(13 + 15 + 4);
            assertThat(w.position()).isEqualTo(13 + 15 + 4 + 15);
        }
        assertThat(ByteBufUtil.hexDump(Files.readAllBytes(file))).isEqualTo(
                "464c56010500000009" + "00000000"
                        + "08000004000000" + "00000000" + "af001210" + "0000000f"
                        + "09000000020304" + "01000000" + "0000000b");
    }

    @Test
    void copyingTheSampleTagByTagReproducesItByteForByte() throws Exception {
        Path copy = dir.resolve("copy.flv");
        List<FlvTag> tags = FlvTestFiles.readAll(FlvTestFiles.sample());
        try (FlvWriter w = FlvWriter.create(copy, true, true)) {
            for (FlvTag t : tags) {
                assertThat(w.writeTag(t)).isEqualTo(t.offset());
            }
        } finally {
            FlvTestFiles.release(tags);
        }
        assertThat(Files.readAllBytes(copy)).isEqualTo(Files.readAllBytes(FlvTestFiles.sample()));
    }

    @Test
    void scriptTagsAreAmf0NameAndValue() throws Exception {
        Path file = dir.resolve("script.flv");
        Map<String, Object> props = new LinkedHashMap<>();
        props.put("duration", 10.5);
        props.put("stereo", true);
        try (FlvWriter w = FlvWriter.create(file, false, false)) {
            w.writeScriptTag(0, "onMetaData", AmfObject.ecmaArray(props));
        }
        try (FlvReader r = new FlvReader(file)) {
            FlvTag t = r.next(ByteBufAllocator.DEFAULT);
            try {
                assertThat(t.isScript()).isTrue();
                List<Object> values = new Amf0Reader(t.data().duplicate()).readAll();
                assertThat(values.get(0)).isEqualTo("onMetaData");
                AmfObject meta = (AmfObject) values.get(1);
                assertThat(meta.isEcmaArray()).isTrue();
                assertThat(meta).containsExactlyEntriesOf(props);
            } finally {
                t.release();
            }
        }
    }

    @Test
    void tagHeaderIntoByteBufAndLimits() throws Exception {
        ByteBuf out = ByteBufAllocator.DEFAULT.buffer();
        try {
            FlvWriter.writeTagHeader(out, FlvTag.VIDEO, 0xAB123456L, 0x10203);
            assertThat(ByteBufUtil.hexDump(out)).isEqualTo("09010203123456ab000000");
        } finally {
            out.release();
        }
        try (FlvWriter w = new FlvWriter(java.nio.channels.Channels.newChannel(new java.io.ByteArrayOutputStream()), true)) {
            ByteBuf tooBig = Unpooled.buffer(FlvTag.MAX_DATA_SIZE + 1).writerIndex(FlvTag.MAX_DATA_SIZE + 1);
            assertThatThrownBy(() -> w.writeTag(FlvTag.VIDEO, 0, tooBig)).isInstanceOf(IllegalArgumentException.class);
            w.writeHeader(false, true);
            assertThatThrownBy(() -> w.writeHeader(false, true)).isInstanceOf(IllegalStateException.class);
        }
    }
}
