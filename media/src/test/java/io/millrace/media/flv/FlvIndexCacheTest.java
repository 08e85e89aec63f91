package io.millrace.media.flv;

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

class FlvIndexCacheTest {
    @TempDir
    Path dir;

    private Path copyOfSample(String name) throws Exception {
        return Files.copy(FlvTestFiles.sample(), dir.resolve(name), StandardCopyOption.REPLACE_EXISTING);
    }

    @Test
    void returnsTheCachedIndexUntilTheFileChanges() throws Exception {
        Path file = copyOfSample("a.flv");
        FlvIndexCache cache = new FlvIndexCache();
        FlvIndex first = cache.get(file);
        assertThat(cache.get(file)).isSameAs(first);
        assertThat(cache.get(dir.resolve("./a.flv"))).as("same real path").isSameAs(first);
        assertThat(first.keyframeCount()).isEqualTo(5);

        // rewrite the file with different content and a new modification time
        FileTime before = Files.getLastModifiedTime(file);
        FlvTestFiles.rewriteSample(file, null, t -> t.isAudio() || t.timestamp() < 5000);
        Files.setLastModifiedTime(file, FileTime.fromMillis(before.toMillis() + 10_000));
        FlvIndex second = cache.get(file);
        assertThat(second).isNotSameAs(first);
        assertThat(second.keyframeCount()).isEqualTo(3);
        assertThat(second.metadataOffset()).isEqualTo(-1);
        assertThat(cache.get(file)).isSameAs(second);
        assertThat(cache.size()).isEqualTo(1);

        // same size, only the modification time changes: indexed again
        Files.setLastModifiedTime(file, FileTime.fromMillis(before.toMillis() + 20_000));
        FlvIndex third = cache.get(file);
        assertThat(third).isNotSameAs(second);
        assertThat(third.lastModifiedMillis()).isEqualTo(before.toMillis() + 20_000);

        cache.invalidate(file);
        assertThat(cache.size()).isZero();
        assertThat(cache.get(file)).isNotSameAs(third);
    }

    @Test
    void dropsTheLeastRecentlyUsedIndex() throws Exception {
        Path a = copyOfSample("a.flv");
        Path b = copyOfSample("b.flv");
        Path c = copyOfSample("c.flv");
        FlvIndexCache cache = new FlvIndexCache(2);
        FlvIndex ia = cache.get(a);
        FlvIndex ib = cache.get(b);
        assertThat(cache.get(a)).isSameAs(ia); // a is now more recent than b
        cache.get(c);
        assertThat(cache.size()).isEqualTo(2);
        assertThat(cache.get(a)).isSameAs(ia);
        assertThat(cache.get(b)).isNotSameAs(ib);
        cache.clear();
        assertThat(cache.size()).isZero();
    }

    @Test
    void concurrentRequestsGetOneIndex() throws Exception {
        Path file = copyOfSample("shared.flv");
        FlvIndexCache cache = new FlvIndexCache();
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            List<Future<FlvIndex>> results = new ArrayList<>();
            for (int i = 0; i < 32; i++) {
                results.add(pool.submit(() -> cache.get(file)));
            }
            FlvIndex expected = cache.get(file);
            for (Future<FlvIndex> f : results) {
                FlvIndex got = f.get();
                assertThat(got.keyframeOffsets()).containsExactly(expected.keyframeOffsets());
            }
            assertThat(cache.size()).isEqualTo(1);
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void errorsPassThrough() throws Exception {
        FlvIndexCache cache = new FlvIndexCache();
        assertThatThrownBy(() -> cache.get(dir.resolve("missing.flv"))).isInstanceOf(NoSuchFileException.class);
        Path text = Files.writeString(dir.resolve("notes.flv"), "this is not a video file");
        assertThatThrownBy(() -> cache.get(text)).isInstanceOf(MediaFormatException.class);
        assertThat(cache.size()).isZero();
    }
}
