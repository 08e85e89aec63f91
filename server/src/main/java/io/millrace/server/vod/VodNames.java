package io.millrace.server.vod;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Stream names of FMS's vod service to files.
 * <ul>
 *   <li>FLV: {@code sample}, {@code flv:sample} and {@code sample.flv} are {@code sample.flv};</li>
 *   <li>MP4 family: {@code mp4:movie.mp4} (also .f4v, .m4v, .m4a, .mov, .3gp); {@code mp4:movie} without
 *       an extension tries the name as given, then .mp4 and .f4v;</li>
 *   <li>MP3: {@code mp3:song} or {@code mp3:song.mp3};</li>
 *   <li>a plain name with an MP4-family or MP3 extension plays in that format too.</li>
 * </ul>
 * Subfolders are allowed; a query ({@code ?token=...}) is not part of the name. A name that would leave
 * the media folder ({@code ..}, an absolute path, or a symbolic link pointing outside) is refused.
 */
final class VodNames {

    /** The container formats the vod application plays. */
    enum Format { FLV, MP4, MP3 }

    static final Set<String> MP4_EXTENSIONS = Set.of(".mp4", ".f4v", ".m4v", ".m4a", ".mov", ".3gp");

    /** What a name resolved to: a file (found), a refusal, or neither (missing). */
    record Resolution(Path file, String streamName, Format format, String refusal) {
        boolean found() {
            return file != null;
        }

        boolean refused() {
            return refusal != null;
        }
    }

    private final List<Path> roots;

    /** @param folders searched in order (the media folder, then the recordings folder) */
    VodNames(Path... folders) {
        this.roots = java.util.Arrays.stream(folders).map(f -> f.toAbsolutePath().normalize()).toList();
    }

    /** The folder as it really is (a folder created after start, or reached through a link, resolves now). */
    private static Path real(Path root) {
        try {
            return root.toRealPath();
        } catch (IOException e) {
            return root;
        }
    }

    Resolution resolve(String rawName) {
        String name = rawName;
        int q = name.indexOf('?');
        if (q >= 0) {
            name = name.substring(0, q);
        }
        String prefix = null;
        int colon = name.indexOf(':');
        if (colon > 0 && colon < 5) {
            prefix = name.substring(0, colon).toLowerCase(Locale.ROOT);
            name = name.substring(colon + 1);
        }
        if (name.isEmpty()) {
            return new Resolution(null, name, Format.FLV, "empty stream name");
        }
        String lower = name.toLowerCase(Locale.ROOT);
        Format format;
        List<String> candidates;
        if ("flv".equals(prefix)) {
            format = Format.FLV;
            candidates = List.of(lower.endsWith(".flv") ? name : name + ".flv");
        } else if (prefix == null) {
            if (MP4_EXTENSIONS.stream().anyMatch(lower::endsWith)) {
                format = Format.MP4;
                candidates = List.of(name);
            } else if (lower.endsWith(".mp3")) {
                format = Format.MP3;
                candidates = List.of(name);
            } else {
                format = Format.FLV;
                candidates = List.of(lower.endsWith(".flv") ? name : name + ".flv");
            }
        } else if (prefix.equals("mp4")) {
            format = Format.MP4;
            candidates = MP4_EXTENSIONS.stream().anyMatch(lower::endsWith) ? List.of(name)
                    : List.of(name, name + ".mp4", name + ".f4v");
        } else if (prefix.equals("mp3")) {
            format = Format.MP3;
            candidates = List.of(lower.endsWith(".mp3") ? name : name + ".mp3");
        } else {
            return new Resolution(null, name, Format.FLV, "the stream type '" + prefix + ":' is not supported");
        }
        Resolution last = null;
        for (Path root : roots) {
            Path mediaRoot = real(root);
            for (String candidate : candidates) {
                last = locate(mediaRoot, candidate, format);
                if (last.found() || last.refused()) {
                    return last;
                }
            }
        }
        return last;
    }

    private static Resolution locate(Path mediaRoot, String name, Format format) {
        String relative = name;
        while (relative.startsWith("/")) {
            relative = relative.substring(1); // FMS names like "/myVideo" are relative to the media folder
        }
        Path candidate;
        try {
            candidate = mediaRoot.resolve(relative).normalize();
        } catch (InvalidPathException e) {
            return new Resolution(null, name, format, "invalid stream name");
        }
        if (!candidate.startsWith(mediaRoot) || relative.contains("\\")) {
            return new Resolution(null, name, format, "stream name leaves the media folder");
        }
        if (!Files.isRegularFile(candidate)) {
            return new Resolution(null, name, format, null);
        }
        try {
            Path real = candidate.toRealPath();
            if (!real.startsWith(mediaRoot)) {
                return new Resolution(null, name, format, "stream name leaves the media folder (symbolic link)");
            }
            return new Resolution(real, name, format, null);
        } catch (IOException e) {
            return new Resolution(null, name, format, null);
        }
    }
}
