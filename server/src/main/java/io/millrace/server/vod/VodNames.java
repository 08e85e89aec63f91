package io.millrace.server.vod;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.Locale;

/**
 * Stream names of FMS's vod service to files: {@code sample} and {@code flv:sample} are
 * {@code sample.flv}; {@code sample.flv} works too; subfolders are allowed; a query ({@code ?token=...})
 * is not part of the name. A name that would leave the media folder ({@code ..}, an absolute path, or a
 * symbolic link pointing outside) is refused.
 */
final class VodNames {

    /** What a name resolved to. Exactly one of file, missing, refused is meaningful. */
    record Resolution(Path file, String streamName, String format, String refusal) {
        boolean found() {
            return file != null;
        }

        boolean refused() {
            return refusal != null;
        }
    }

    private final Path mediaRoot;

    VodNames(Path mediaDir) {
        Path root = mediaDir.toAbsolutePath().normalize();
        try {
            root = root.toRealPath();
        } catch (IOException e) {
            // the folder may not exist yet; every lookup will then miss
        }
        this.mediaRoot = root;
    }

    Resolution resolve(String rawName) {
        String name = rawName;
        int q = name.indexOf('?');
        if (q >= 0) {
            name = name.substring(0, q);
        }
        String format = "flv";
        int colon = name.indexOf(':');
        if (colon > 0 && colon < 5) {
            format = name.substring(0, colon).toLowerCase(Locale.ROOT);
            name = name.substring(colon + 1);
        }
        if (!format.equals("flv")) {
            return new Resolution(null, name, format, null);
        }
        if (name.isEmpty()) {
            return new Resolution(null, name, format, "empty stream name");
        }
        if (!name.toLowerCase(Locale.ROOT).endsWith(".flv")) {
            name = name + ".flv";
        }
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
