package io.millrace.server.vod;

import io.millrace.media.MediaFormatException;
import io.millrace.media.MediaIndex;
import io.millrace.media.MediaIndexCache;

import java.io.IOException;
import java.nio.file.Path;

/**
 * Files by the names the vod application plays ({@code sample}, {@code sample.flv}, {@code mp4:movie.mp4},
 * {@code mp3:song}; see {@link VodNames}), indexed through the shared {@link MediaIndexCache}: for whoever
 * plays files outside a client's NetStream (the live application's server-side streams). Thread-safe.
 */
public final class MediaFiles {
    private final VodNames names;
    private final MediaIndexCache indexes;

    /** @param folders where names are looked up, in order (the media folder, then the recordings folder) */
    public MediaFiles(MediaIndexCache indexes, Path... folders) {
        this.names = new VodNames(folders);
        this.indexes = indexes;
    }

    /**
     * The index of the file {@code streamName} names, ready to play.
     *
     * @throws IllegalArgumentException when the name is refused, no such file exists, or the file cannot be read,
     *                                  is broken or holds nothing a client can play (the message says which)
     */
    public MediaIndex open(String streamName) {
        if (streamName == null || streamName.isBlank()) {
            throw new IllegalArgumentException("no file name given");
        }
        VodNames.Resolution r = names.resolve(streamName);
        if (r.refused()) {
            throw new IllegalArgumentException("cannot play " + streamName + ": " + r.refusal());
        }
        if (!r.found()) {
            throw new IllegalArgumentException("cannot play " + streamName + ": no such file");
        }
        MediaIndex index;
        try {
            index = indexes.get(r.file(), VodApplication.loader(r.format()));
        } catch (MediaFormatException e) {
            throw new IllegalArgumentException("cannot play " + streamName + ": invalid file structure: " + e.getMessage(), e);
        } catch (IOException | RuntimeException e) {
            throw new IllegalArgumentException("cannot play " + streamName + ": cannot read " + r.file().getFileName()
                    + ": " + e.getMessage(), e);
        }
        if (index.unsupportedReason() != null) {
            throw new IllegalArgumentException("cannot play " + streamName + ": " + index.unsupportedReason());
        }
        return index;
    }
}
