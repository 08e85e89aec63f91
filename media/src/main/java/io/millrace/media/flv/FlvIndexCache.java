package io.millrace.media.flv;

import io.millrace.media.MediaFormatException;

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
 * Caches {@link FlvIndex}es by real path, checked against the file's size and modification time on
 * every request: a file that changed is indexed again. Holds at most a fixed number of indexes and
 * drops the least recently used. Thread-safe; concurrent requests for the same unchanged file share
 * one indexing run.
 */
public final class FlvIndexCache {
    /** Default capacity. */
    public static final int DEFAULT_MAX_ENTRIES = 256;

    private final int maxEntries;
    private final Map<Path, FlvIndex> entries;
    private final ConcurrentHashMap<Path, CompletableFuture<FlvIndex>> building = new ConcurrentHashMap<>();

    public FlvIndexCache() {
        this(DEFAULT_MAX_ENTRIES);
    }

    public FlvIndexCache(int maxEntries) {
        if (maxEntries < 1) {
            throw new IllegalArgumentException("maxEntries " + maxEntries);
        }
        this.maxEntries = maxEntries;
        this.entries = new LinkedHashMap<>(16, 0.75f, true) {
            private static final long serialVersionUID = 1L;

            @Override
            protected boolean removeEldestEntry(Map.Entry<Path, FlvIndex> eldest) {
                return size() > FlvIndexCache.this.maxEntries;
            }
        };
    }

    /**
     * The index of {@code file}, from the cache when the file's size and modification time are
     * those it was indexed with, else freshly built (and cached).
     *
     * @throws java.nio.file.NoSuchFileException if the file does not exist
     * @throws MediaFormatException if it is not an FLV file
     */
    public FlvIndex get(Path file) throws IOException {
        Path real = file.toRealPath();
        BasicFileAttributes attrs = Files.readAttributes(real, BasicFileAttributes.class);
        long size = attrs.size();
        long mtime = attrs.lastModifiedTime().toMillis();
        FlvIndex cached;
        synchronized (entries) {
            cached = entries.get(real);
        }
        if (isCurrent(cached, size, mtime)) {
            return cached;
        }
        CompletableFuture<FlvIndex> mine = new CompletableFuture<>();
        CompletableFuture<FlvIndex> running = building.putIfAbsent(real, mine);
        if (running != null) {
            FlvIndex shared = await(running);
            if (isCurrent(shared, size, mtime)) {
                return shared;
            }
            // That run saw an older version of the file: index it ourselves.
            return buildAndStore(real, null);
        }
        return buildAndStore(real, mine);
    }

    private FlvIndex buildAndStore(Path real, CompletableFuture<FlvIndex> future) throws IOException {
        try {
            FlvIndex index = FlvIndex.build(real);
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

    private static FlvIndex await(CompletableFuture<FlvIndex> future) throws IOException {
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

    private static boolean isCurrent(FlvIndex index, long size, long mtime) {
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
