package io.millrace.server.swf;

import io.millrace.rtmp.handshake.SwfVerification;
import io.millrace.server.config.ServerConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;

/**
 * SWF verification for one application: the allowed SWFs (the files of its SWF folders, hashed once and
 * kept until a file's size or modification time changes), the exemptions and the check of a client's proof.
 *
 * <p>{@link #scan()} looks at the folders (their files, not subfolders; hidden files are skipped) and
 * hashes new or changed files; it is called at start and then every {@code rescanIntervalMillis} from
 * {@link SwfVerifiers}' own thread, never from an event loop. {@link #verify} only reads the last published
 * list, so a connecting client never waits for hashing.
 */
public final class SwfVerifier {
    private static final Logger LOG = LoggerFactory.getLogger(SwfVerifier.class);

    /** One allowed SWF. */
    public record AllowedSwf(Path file, SwfFiles.SwfDigest digest) {
    }

    /**
     * What {@link #verify} decided.
     *
     * @param matched the allowed SWF the client proved (null when it failed)
     * @param reason  why it failed, for the log and the client's NetConnection.Connect.Rejected (null when it passed)
     */
    public record Result(AllowedSwf matched, String reason) {
        public boolean passed() {
            return matched != null;
        }
    }

    /** What a scan saw of one file: its size and time, and its digest or why there is none. */
    private record Seen(long fileSize, long modifiedMillis, SwfFiles.SwfDigest digest, String problem) {
    }

    private final String application;
    private final List<Path> folders;
    private final long timeoutMillis;
    private final List<UserAgentException> exceptions;
    private final long maxSize;
    /** Guarded by this: what the last scan saw, by file. */
    private final Map<Path, Seen> seen = new HashMap<>();
    private final Set<Path> missingFolders = new HashSet<>();
    private volatile List<AllowedSwf> allowed = List.of();

    public SwfVerifier(String application, ServerConfig.SwfVerification config) {
        this(application, config.folders(), config.timeoutMillis(),
                config.userAgentExceptions().stream().map(UserAgentException::parse).toList(), SwfFiles.DEFAULT_MAX_SIZE);
    }

    public SwfVerifier(String application, List<Path> folders, long timeoutMillis, List<UserAgentException> exceptions,
                       long maxSize) {
        this.application = application;
        this.folders = List.copyOf(folders);
        this.timeoutMillis = timeoutMillis;
        this.exceptions = List.copyOf(exceptions);
        this.maxSize = maxSize;
    }

    public String application() {
        return application;
    }

    public List<Path> folders() {
        return folders;
    }

    /** How long a connect waits for the client's proof. */
    public long timeoutMillis() {
        return timeoutMillis;
    }

    /** The SWFs allowed as of the last scan, by path. Any thread. */
    public List<AllowedSwf> allowed() {
        return allowed;
    }

    /** The exception that lets this flashVer in without verification, or null. */
    public UserAgentException exemption(String flashVer) {
        for (UserAgentException e : exceptions) {
            if (e.covers(flashVer)) {
                return e;
            }
        }
        return null;
    }

    /**
     * Checks a client's answer to the SWF verification request against every allowed SWF of the size it
     * declares, in constant time per comparison. Any thread.
     *
     * @param response the event data of user control 27 (42 bytes when well formed; anything else fails)
     * @param s1Tail   the last 32 bytes of the S1 the server sent this client
     */
    public Result verify(byte[] response, byte[] s1Tail) {
        if (response == null || response.length != SwfVerification.RESPONSE_LENGTH) {
            return new Result(null, "malformed response (" + (response == null ? 0 : response.length)
                    + " bytes, not " + SwfVerification.RESPONSE_LENGTH + ")");
        }
        long size = SwfVerification.declaredSize(response);
        if (size < 0) {
            return new Result(null, "malformed response (it does not start 01 01 <size> <size>)");
        }
        List<AllowedSwf> list = allowed;
        if (list.isEmpty()) {
            return new Result(null, "application '" + application + "' has no allowed SWF (its SWF folder is empty)");
        }
        AllowedSwf match = null;
        boolean sizeSeen = false;
        for (AllowedSwf swf : list) {
            if (swf.digest().size() != size) {
                continue;
            }
            sizeSeen = true;
            if (SwfVerification.matches(response, swf.digest().hash(), size, s1Tail) && match == null) {
                match = swf;
            }
        }
        if (match != null) {
            return new Result(match, null);
        }
        return new Result(null, "the client's SWF (" + size + " bytes) is not one that application '" + application
                + "' allows (" + (sizeSeen ? "no allowed SWF of that size has its hash" : "no allowed SWF has that size")
                + ")");
    }

    /**
     * Looks at the folders again: hashes new and changed files, forgets removed ones, publishes the new list
     * and logs each change once. Blocking file I/O: not for an event loop.
     */
    public synchronized void scan() {
        Map<Path, BasicFileAttributes> files = new HashMap<>();
        for (Path folder : folders) {
            if (!Files.isDirectory(folder)) {
                if (missingFolders.add(folder)) {
                    LOG.warn("SWF verification for application '{}': the SWF folder {} does not exist", application,
                            folder);
                }
                continue;
            }
            missingFolders.remove(folder);
            try (Stream<Path> s = Files.list(folder)) {
                for (Path f : (Iterable<Path>) s::iterator) {
                    if (f.getFileName().toString().startsWith(".")) {
                        continue;
                    }
                    try {
                        BasicFileAttributes a = Files.readAttributes(f, BasicFileAttributes.class);
                        if (a.isRegularFile()) {
                            files.put(f.toAbsolutePath().normalize(), a);
                        }
                    } catch (IOException e) {
                        LOG.debug("SWF verification for application '{}': {} vanished: {}", application, f, e.toString());
                    }
                }
            } catch (IOException e) {
                LOG.warn("SWF verification for application '{}': cannot list {}: {}", application, folder, e.toString());
            }
        }
        boolean changed = seen.keySet().retainAll(files.keySet());
        for (Map.Entry<Path, BasicFileAttributes> e : files.entrySet()) {
            Path f = e.getKey();
            long size = e.getValue().size();
            long modified = e.getValue().lastModifiedTime().toMillis();
            Seen before = seen.get(f);
            if (before != null && before.fileSize() == size && before.modifiedMillis() == modified) {
                continue;
            }
            seen.put(f, hash(f, size, modified));
            changed = true;
        }
        if (changed) {
            List<AllowedSwf> next = new ArrayList<>();
            seen.forEach((f, s) -> {
                if (s.digest() != null) {
                    next.add(new AllowedSwf(f, s.digest()));
                }
            });
            next.sort(Comparator.comparing(AllowedSwf::file));
            for (AllowedSwf old : allowed) {
                if (next.stream().noneMatch(n -> n.file().equals(old.file()))) {
                    LOG.info("SWF verification for application '{}': {} is no longer allowed", application, old.file());
                }
            }
            allowed = List.copyOf(next);
        }
    }

    private Seen hash(Path f, long size, long modified) {
        try {
            SwfFiles.SwfDigest d = SwfFiles.digest(f, maxSize);
            LOG.info("SWF verification for application '{}': allowed SWF {} (size {}, hash {})", application, f,
                    d.size(), d.hex());
            return new Seen(size, modified, d, null);
        } catch (SwfFiles.InvalidSwfException e) {
            LOG.warn("SWF verification for application '{}': {} is skipped: {}", application, f, e.getMessage());
            return new Seen(size, modified, null, e.getMessage());
        } catch (IOException | RuntimeException e) {
            LOG.warn("SWF verification for application '{}': cannot read {}: {}", application, f, e.toString());
            return new Seen(size, modified, null, e.toString());
        }
    }
}
