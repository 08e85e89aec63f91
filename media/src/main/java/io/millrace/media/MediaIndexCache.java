package io.millrace.media;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Caches {@link MediaIndex}es of any format by real path, checked against the file's size and
 * modification time on every request: a file that changed is indexed again. Holds at most a number of
 * indexes and a number of bytes ({@link MediaIndex#retainedBytes()}: a 2-hour MP4 movie's index is
 * about 5 MB, an FLV file's a few KB) and drops the least recently used beyond either bound; the index
 * used last is kept even when it alone is larger. An index dropped here stays alive as long as a playback
 * uses it. Thread-safe; concurrent requests for the same unchanged file share one indexing run.
 */
public final class MediaIndexCache {

    /** Builds the index of one file (e.g. {@code FlvMediaIndex::build}). */
    @FunctionalInterface
    public interface Loader {
        MediaIndex load(Path realPath) throws IOException;
    }

    /** Default capacity. */
    public static final int DEFAULT_MAX_ENTRIES = 256;
    /** Default byte bound: 128 MiB, about 27 two-hour MP4 movies. */
    public static final long DEFAULT_MAX_BYTES = 128L << 20;

    private final int maxEntries;
    private final long maxBytes;
    /** Sum of the cached indexes' {@link MediaIndex#retainedBytes()}; guarded by {@link #entries}. */
    private long bytes;
    private final LinkedHashMap<Path, MediaIndex> entries;
    private final ConcurrentHashMap<Path, CompletableFuture<MediaIndex>> building = new ConcurrentHashMap<>();

    public MediaIndexCache() {
        this(DEFAULT_MAX_ENTRIES, DEFAULT_MAX_BYTES);
    }

    public MediaIndexCache(int maxEntries) {
        this(maxEntries, DEFAULT_MAX_BYTES);
    }

    public MediaIndexCache(int maxEntries, long maxBytes) {
        if (maxEntries < 1 || maxBytes < 1) {
            throw new IllegalArgumentException("maxEntries " + maxEntries + ", maxBytes " + maxBytes);
        }
        this.maxEntries = maxEntries;
        this.maxBytes = maxBytes;
        this.entries = new LinkedHashMap<>(16, 0.75f, true);
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
                put(real, index);
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

    /** Adds or replaces; then drops the least recently used beyond the bounds, never the one just added. Holds the lock. */
    private void put(Path key, MediaIndex index) {
        MediaIndex old = entries.put(key, index);
        if (old != null) {
            bytes -= old.retainedBytes();
        }
        bytes += index.retainedBytes();
        Iterator<Map.Entry<Path, MediaIndex>> eldest = entries.entrySet().iterator();
        while ((entries.size() > maxEntries || bytes > maxBytes) && entries.size() > 1) {
            Map.Entry<Path, MediaIndex> e = eldest.next();
            bytes -= e.getValue().retainedBytes();
            eldest.remove();
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
            MediaIndex old = entries.remove(key);
            if (old != null) {
                bytes -= old.retainedBytes();
            }
        }
    }

    public void clear() {
        synchronized (entries) {
            entries.clear();
            bytes = 0;
        }
    }

    /** Number of cached indexes. */
    public int size() {
        synchronized (entries) {
            return entries.size();
        }
    }

    /** Sum of the cached indexes' {@link MediaIndex#retainedBytes()}. */
    public long bytes() {
        synchronized (entries) {
            return bytes;
        }
    }

    public int maxEntries() {
        return maxEntries;
    }

    public long maxBytes() {
        return maxBytes;
    }
}
