package io.millrace.media;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Caches {@link MediaIndex}es of any format by real path, checked against the file's size and
 * modification time on every request: a file that changed is indexed again. Holds at most a fixed
 * number of indexes and drops the least recently used. Thread-safe; concurrent requests for the same
 * unchanged file share one indexing run.
 */
public final class MediaIndexCache {

    /** Builds the index of one file (e.g. {@code FlvMediaIndex::build}). */
    @FunctionalInterface
    public interface Loader {
        MediaIndex load(Path realPath) throws IOException;
    }

    /** Default capacity. */
    public static final int DEFAULT_MAX_ENTRIES = 256;

    private final int maxEntries;
    private final Map<Path, MediaIndex> entries;
    private final ConcurrentHashMap<Path, CompletableFuture<MediaIndex>> building = new ConcurrentHashMap<>();

    public MediaIndexCache() {
        this(DEFAULT_MAX_ENTRIES);
    }

    public MediaIndexCache(int maxEntries) {
        if (maxEntries < 1) {
            throw new IllegalArgumentException("maxEntries " + maxEntries);
        }
        this.maxEntries = maxEntries;
        this.entries = new LinkedHashMap<>(16, 0.75f, true) {
            private static final long serialVersionUID = 1L;

            @Override
            protected boolean removeEldestEntry(Map.Entry<Path, MediaIndex> eldest) {
                return size() > MediaIndexCache.this.maxEntries;
            }
        };
    }

    /**
     * The index of {@code file}, from the cache when the file's size and modification time are
     * those it was indexed with, else freshly built (and cached).
     *
     * @param loader builds the index when it is not cached (the same file always comes with the same loader)
     * @throws java.nio.file.NoSuchFileException if the file does not exist
     * @throws MediaFormatException if the file's structure is broken
     */
    public MediaIndex get(Path file, Loader loader) throws IOException {
        Path real = file.toRealPath();
        BasicFileAttributes attrs = Files.readAttributes(real, BasicFileAttributes.class);
        long size = attrs.size();
        long mtime = attrs.lastModifiedTime().toMillis();
        MediaIndex cached;
        synchronized (entries) {
            cached = entries.get(real);
        }
        if (isCurrent(cached, size, mtime)) {
            return cached;
        }
        CompletableFuture<MediaIndex> mine = new CompletableFuture<>();
        CompletableFuture<MediaIndex> running = building.putIfAbsent(real, mine);
        if (running != null) {
            MediaIndex shared = await(running);
            if (isCurrent(shared, size, mtime)) {
                return shared;
            }
            // That run saw an older version of the file: index it ourselves.
            return buildAndStore(real, null, loader);
        }
        return buildAndStore(real, mine, loader);
    }

    private MediaIndex buildAndStore(Path real, CompletableFuture<MediaIndex> future, Loader loader) throws IOException {
        try {
            MediaIndex index = loader.load(real);
            synchronized (entries) {
                entries.put(real, index);
            }
            if (future != null) {
                future.complete(index);
            }
            return index;
        } catch (IOException | RuntimeException | Error e) {
            if (future != null) {
                future.completeExceptionally(e);
            }
            throw e;
        } finally {
            if (future != null) {
                building.remove(real, future);
            }
        }
    }

    private static MediaIndex await(CompletableFuture<MediaIndex> future) throws IOException {
        try {
            return future.join();
        } catch (CompletionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof MediaFormatException mf) {
                throw new MediaFormatException(mf.getMessage(), mf);
            }
            if (cause instanceof IOException io) {
                throw new IOException(io.getMessage(), io);
            }
            if (cause instanceof RuntimeException re) {
                throw re;
            }
            if (cause instanceof Error err) {
                throw err;
            }
            throw new UncheckedIOException(new IOException(cause));
        }
    }

    private static boolean isCurrent(MediaIndex index, long size, long mtime) {
        return index != null && index.fileSize() == size && index.lastModifiedMillis() == mtime;
    }

    /** Forgets the index of {@code file} (matched by real path if it still exists, else as given). */
    public void invalidate(Path file) {
        Path key;
        try {
            key = file.toRealPath();
        } catch (IOException e) {
            key = file.toAbsolutePath().normalize();
        }
        synchronized (entries) {
            entries.remove(key);
        }
    }

    public void clear() {
        synchronized (entries) {
            entries.clear();
        }
    }

    /** Number of cached indexes. */
    public int size() {
        synchronized (entries) {
            return entries.size();
        }
    }

    public int maxEntries() {
        return maxEntries;
    }
}
