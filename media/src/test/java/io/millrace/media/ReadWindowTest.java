package io.millrace.media;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

import static org.assertj.core.api.Assertions.assertThat;

class ReadWindowTest {
    private static final int FILE_SIZE = 300_000;

    @TempDir
    Path dir;

    private Path file() throws Exception {
        byte[] bytes = new byte[FILE_SIZE];
        for (int i = 0; i < bytes.length; i++) {
            bytes[i] = (byte) (i * 7 + i / 256);
        }
        return Files.write(dir.resolve("f.bin"), bytes);
    }

    private static byte expected(long pos) {
        return (byte) (pos * 7 + pos / 256);
    }

    private static void assertBytes(ReadWindow w, long pos, int size) {
        ByteBuf b = w.buffer();
        int at = w.indexOf(pos);
        for (int i = 0; i < size; i += 97) {
            assertThat(b.getByte(at + i)).as("byte at file position %d", pos + i).isEqualTo(expected(pos + i));
        }
        assertThat(b.getByte(at + size - 1)).isEqualTo(expected(pos + size - 1));
    }

    @Test
    void servesFramesInsideTheRangeReadAndReadsAgainOutsideIt() throws Exception {
        PooledByteBufAllocator alloc = new PooledByteBufAllocator(true);
        try (FileChannel ch = FileChannel.open(file(), StandardOpenOption.READ)) {
            ReadWindow w = new ReadWindow(ch);
            assertThat(w.covers(0, 1)).isFalse();
            assertThat(w.ensure(1000, 100, 1000 + ReadWindow.DEFAULT_SIZE, alloc)).isTrue();
            ByteBuf first = w.buffer();
            assertBytes(w, 1000, 100);
            // Later frames inside the range: no new read, same buffer.
            assertThat(w.covers(5000, 2000)).isTrue();
            assertThat(w.ensure(5000, 2000, 9000, alloc)).isTrue();
            assertThat(w.buffer()).isSameAs(first);
            assertBytes(w, 5000, 2000);
            // Before the window or across its end: read again from there.
            assertThat(w.covers(999, 10)).isFalse();
            assertThat(w.covers(1000 + ReadWindow.DEFAULT_SIZE - 5, 10)).isFalse();
            assertThat(w.ensure(500, 10, 510, alloc)).isTrue();
            assertBytes(w, 500, 10);
            assertThat(w.covers(510, 1)).as("read only as far as asked").isFalse();
            w.release();
            assertThat(w.buffer()).isNull();
        }
        assertThat(active(alloc)).isZero();
    }

    @Test
    void aFrameLargerThanTheWindowIsReadWholeAndTheLargeBufferIsNotKept() throws Exception {
        PooledByteBufAllocator alloc = new PooledByteBufAllocator(true);
        try (FileChannel ch = FileChannel.open(file(), StandardOpenOption.READ)) {
            ReadWindow w = new ReadWindow(ch);
            assertThat(w.ensure(10, 280_000, 20, alloc)).isTrue();
            assertThat(w.buffer().capacity()).isGreaterThanOrEqualTo(280_000);
            assertBytes(w, 10, 280_000);
            assertThat(w.ensure(290_000, 100, 290_000 + ReadWindow.DEFAULT_SIZE, alloc)).isTrue();
            assertThat(w.buffer().capacity()).as("back to a small buffer").isLessThan(280_000);
            assertBytes(w, 290_000, 100);
            assertThat(active(alloc)).isEqualTo(1);
            w.release();
        }
        assertThat(active(alloc)).isZero();
    }

    @Test
    void aFrameCutOffByTheEndOfTheFileIsReportedAndWhatIsThereStaysReadable() throws Exception {
        PooledByteBufAllocator alloc = new PooledByteBufAllocator(true);
        try (FileChannel ch = FileChannel.open(file(), StandardOpenOption.READ)) {
            ReadWindow w = new ReadWindow(ch);
            assertThat(w.ensure(FILE_SIZE - 100, 100, FILE_SIZE + 5000, alloc)).as("the last 100 bytes").isTrue();
            assertBytes(w, FILE_SIZE - 100, 100);
            assertThat(w.ensure(FILE_SIZE - 50, 51, FILE_SIZE + 5000, alloc)).as("one byte past the end").isFalse();
            assertThat(w.ensure(FILE_SIZE + 10, 1, FILE_SIZE + 20, alloc)).as("past the end").isFalse();
            assertThat(w.ensure(0, 0, 0, alloc)).as("nothing, at the start").isTrue();
            w.release();
        }
        assertThat(active(alloc)).isZero();
    }

    private static long active(PooledByteBufAllocator alloc) {
        return alloc.metric().directArenas().stream().mapToLong(a -> a.numActiveAllocations()).sum();
    }
}
