package io.millrace.media.flv;

import io.millrace.media.MediaIndex;
import io.millrace.media.MediaIndexCache;

import io.millrace.media.MediaFormatException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class MediaIndexCacheTest {
    @TempDir
    Path dir;

    private Path copyOfSample(String name) throws Exception {
        return Files.copy(FlvTestFiles.sample(), dir.resolve(name), StandardCopyOption.REPLACE_EXISTING);
    }

    @Test
    void returnsTheCachedIndexUntilTheFileChanges() throws Exception {
        Path file = copyOfSample("a.flv");
        MediaIndexCache cache = new MediaIndexCache();
        MediaIndex first = cache.get(file, FlvMediaIndex::build);
        assertThat(cache.get(file, FlvMediaIndex::build)).isSameAs(first);
        assertThat(cache.get(dir.resolve("./a.flv"), FlvMediaIndex::build)).as("same real path").isSameAs(first);
        assertThat(flv(first).keyframeCount()).isEqualTo(5);

        // rewrite the file with different content and a new modification time
        FileTime before = Files.getLastModifiedTime(file);
        FlvTestFiles.rewriteSample(file, null, t -> t.isAudio() || t.timestamp() < 5000);
        Files.setLastModifiedTime(file, FileTime.fromMillis(before.toMillis() + 10_000));
        MediaIndex second = cache.get(file, FlvMediaIndex::build);
        assertThat(second).isNotSameAs(first);
        assertThat(flv(second).keyframeCount()).isEqualTo(3);
        assertThat(flv(second).metadataOffset()).isEqualTo(-1);
        assertThat(cache.get(file, FlvMediaIndex::build)).isSameAs(second);
        assertThat(cache.size()).isEqualTo(1);

        // same size, only the modification time changes: indexed again
        Files.setLastModifiedTime(file, FileTime.fromMillis(before.toMillis() + 20_000));
        MediaIndex third = cache.get(file, FlvMediaIndex::build);
        assertThat(third).isNotSameAs(second);
        assertThat(third.lastModifiedMillis()).isEqualTo(before.toMillis() + 20_000);

        cache.invalidate(file);
        assertThat(cache.size()).isZero();
        assertThat(cache.get(file, FlvMediaIndex::build)).isNotSameAs(third);
    }

    @Test
    void dropsTheLeastRecentlyUsedIndex() throws Exception {
        Path a = copyOfSample("a.flv");
        Path b = copyOfSample("b.flv");
        Path c = copyOfSample("c.flv");
        MediaIndexCache cache = new MediaIndexCache(2);
        MediaIndex ia = cache.get(a, FlvMediaIndex::build);
        MediaIndex ib = cache.get(b, FlvMediaIndex::build);
        assertThat(cache.get(a, FlvMediaIndex::build)).isSameAs(ia); // a is now more recent than b
        cache.get(c, FlvMediaIndex::build);
        assertThat(cache.size()).isEqualTo(2);
        assertThat(cache.get(a, FlvMediaIndex::build)).isSameAs(ia);
        assertThat(cache.get(b, FlvMediaIndex::build)).isNotSameAs(ib);
        cache.clear();
        assertThat(cache.size()).isZero();
    }

    @Test
    void boundsTheBytesItHoldsAndKeepsTheIndexUsedLast() throws Exception {
        Path a = copyOfSample("a.flv");
        Path b = copyOfSample("b.flv");
        Path c = copyOfSample("c.flv");
        long each = FlvMediaIndex.build(a).retainedBytes();
        assertThat(each).as("allowance plus 16 bytes per keyframe").isEqualTo(MediaIndex.FIXED_BYTES + 16 * 5);
        MediaIndexCache cache = new MediaIndexCache(100, 2 * each + each / 2);
        MediaIndex ia = cache.get(a, FlvMediaIndex::build);
        MediaIndex ib = cache.get(b, FlvMediaIndex::build);
        assertThat(cache.bytes()).isEqualTo(2 * each);
        cache.get(a, FlvMediaIndex::build); // a is now more recent than b
        cache.get(c, FlvMediaIndex::build);
        assertThat(cache.size()).isEqualTo(2);
        assertThat(cache.bytes()).isEqualTo(2 * each);
        assertThat(cache.get(a, FlvMediaIndex::build)).isSameAs(ia);
        assertThat(cache.get(b, FlvMediaIndex::build)).as("b was dropped").isNotSameAs(ib);
        cache.invalidate(b);
        assertThat(cache.bytes()).isEqualTo(each);

        MediaIndexCache tiny = new MediaIndexCache(100, 1);
        MediaIndex ta = tiny.get(a, FlvMediaIndex::build);
        assertThat(tiny.get(a, FlvMediaIndex::build)).as("the last one stays, larger than the bound").isSameAs(ta);
        tiny.get(b, FlvMediaIndex::build);
        assertThat(tiny.size()).isEqualTo(1);
        assertThat(tiny.bytes()).isEqualTo(each);
        assertThat(tiny.get(a, FlvMediaIndex::build)).isNotSameAs(ta);
    }

    @Test
    void concurrentRequestsGetOneIndex() throws Exception {
        Path file = copyOfSample("shared.flv");
        MediaIndexCache cache = new MediaIndexCache();
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            List<Future<MediaIndex>> results = new ArrayList<>();
            for (int i = 0; i < 32; i++) {
                results.add(pool.submit(() -> cache.get(file, FlvMediaIndex::build)));
            }
            MediaIndex expected = cache.get(file, FlvMediaIndex::build);
            for (Future<MediaIndex> f : results) {
                MediaIndex got = f.get();
                assertThat(flv(got).keyframeOffsets()).containsExactly(flv(expected).keyframeOffsets());
            }
            assertThat(cache.size()).isEqualTo(1);
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void errorsPassThrough() throws Exception {
        MediaIndexCache cache = new MediaIndexCache();
        assertThatThrownBy(() -> cache.get(dir.resolve("missing.flv"), FlvMediaIndex::build)).isInstanceOf(NoSuchFileException.class);
        Path text = Files.writeString(dir.resolve("notes.flv"), "this is not a video file");
        assertThatThrownBy(() -> cache.get(text, FlvMediaIndex::build)).isInstanceOf(MediaFormatException.class);
        assertThat(cache.size()).isZero();
    }

    private static FlvIndex flv(MediaIndex index) {
        return ((FlvMediaIndex) index).flvIndex();
    }
}
