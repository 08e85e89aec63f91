package io.millrace.server.live;

import io.millrace.amf.AmfObject;
import io.millrace.media.flv.FlvMediaIndex;
import io.millrace.media.MediaIndex;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** {@link FlvRecorder}: whole tags, duration patched on close, torn tails, append. */
class FlvRecorderTest {
    @TempDir
    Path dir;

    private static ByteBuf video(boolean key, int size) {
        ByteBuf b = Unpooled.buffer(size);
        b.writeByte(key ? 0x17 : 0x27).writeByte(1).writeMedium(0);
        b.writeZero(size - 5);
        return b;
    }

    private static void record(FlvRecorder r, long fromStreamTs, int frames) {
        r.write(9, fromStreamTs, Unpooled.wrappedBuffer(new byte[] {0x17, 0, 0, 0, 0, 1, 0x64, 0, 0x1E}), true);
        for (int i = 0; i < frames; i++) {
            ByteBuf f = video(i % 30 == 0, 500);
            r.write(9, fromStreamTs + i * 40L, f, false);
            f.release();
        }
    }

    @Test
    void aClosedRecordingHasItsDurationAndEveryFrame() throws Exception {
        Path file = dir.resolve("a.flv");
        FlvRecorder r = FlvRecorder.open(file, false);
        r.metadata(AmfObject.ecmaArray(Map.of("width", 640.0)));
        record(r, 7_000, 100);
        r.close();
        MediaIndex index = FlvMediaIndex.build(file);
        assertThat(index.durationMs()).isBetween(3_900L, 4_000L);
        byte[] bytes = Files.readAllBytes(file);
        // onMetaData duration patched: 99 * 40 ms.
        String text = new String(bytes, java.nio.charset.StandardCharsets.ISO_8859_1);
        int at = text.indexOf("duration") + "duration".length() + 1;
        assertThat(ByteBuffer.wrap(bytes, at, 8).getDouble()).isEqualTo(3.96);
    }

    @Test
    void aRecordingCutShortMidTagStillPlaysUpToItsLastCompleteTag() throws Exception {
        Path file = dir.resolve("killed.flv");
        FlvRecorder r = FlvRecorder.open(file, false);
        r.metadata(AmfObject.ecmaArray(Map.of("width", 640.0)));
        record(r, 0, 50);
        // The server is killed: no close (duration stays 0), and the last tag is torn.
        long size = Files.size(file);
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
            ch.truncate(size - 200);
        }
        MediaIndex index = FlvMediaIndex.build(file);
        assertThat(index.durationMs()).isBetween(1_880L, 1_960L);

        // Appending to it cuts the torn tail off and goes on after the last complete tag.
        FlvRecorder again = FlvRecorder.open(file, true);
        record(again, 123_456, 25);
        again.close();
        MediaIndex appended = FlvMediaIndex.build(file);
        // 48 complete frames (last at 1920 ms), then 25 more from 1960 ms: the last at 2920 ms.
        assertThat(appended.durationMs()).isBetween(2_920L, 2_960L);
    }
}
