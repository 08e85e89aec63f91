package io.millrace.media.mp4;

import io.millrace.amf.AmfObject;
import io.millrace.media.MediaFormatException;
import io.millrace.media.mp4.MoovParser.Movie;
import io.millrace.media.mp4.MoovParser.Trak;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.HashMap;
import java.util.Map;

/**
 * Builds an {@link Mp4Index}: finds moov among the top-level boxes (by their sizes, never reading
 * mdat), reads it whole (at most {@link #MAX_MOOV} bytes), picks the tracks, expands their sample
 * tables and, for a fragmented file, the moof boxes.
 */
final class Mp4IndexBuilder {
    private static final Logger LOG = LoggerFactory.getLogger(Mp4IndexBuilder.class);
    static final long MAX_MOOV = 256L << 20;

    private final Path path;
    private final String name;
    private final TopLevelBoxes top;
    private final long fileSize;
    private final long lastModified;

    private Mp4IndexBuilder(Path path, FileChannel channel, long fileSize, long lastModified) {
        this.path = path;
        this.name = String.valueOf(path.getFileName());
        this.fileSize = fileSize;
        this.lastModified = lastModified;
        this.top = new TopLevelBoxes(channel, fileSize, name);
    }

    static Mp4Index build(Path file) throws IOException {
        BasicFileAttributes attrs = Files.readAttributes(file, BasicFileAttributes.class);
        String name = String.valueOf(file.getFileName());
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            return new Mp4IndexBuilder(file, channel, channel.size(), attrs.lastModifiedTime().toMillis()).build();
        } catch (MediaFormatException e) {
            throw new MediaFormatException(name + ": " + e.getMessage(), e);
        } catch (RuntimeException e) {
            throw new MediaFormatException(name + ": malformed MP4 structure (" + e + ")", e);
        }
    }

    private Mp4Index build() throws IOException {
        if (fileSize == 0) {
            throw new MediaFormatException("the file is empty");
        }
        TopLevelBoxes.Header moov = findMoov();
        if (moov.size() > MAX_MOOV) {
            throw new MediaFormatException("moov box at offset " + moov.offset() + " is " + moov.size()
                    + " bytes, over the " + (MAX_MOOV >> 20) + " MiB limit");
        }
        byte[] moovBytes = top.read(moov.offset(), (int) moov.size());
        Movie movie = MoovParser.parse(moovBytes, moov.offset(), moov.headerSize());
        Trak video = select(movie, true);
        Trak audio = select(movie, false);
        SampleEntry videoEntry = entry(moovBytes, video, true);
        SampleEntry audioEntry = entry(moovBytes, audio, false);

        String reason = null;
        if (video == null && audio == null) {
            reason = "the file has no audio or video track";
        } else if (videoEntry != null && videoEntry.unsupportedReason != null) {
            reason = videoEntry.unsupportedReason;
        } else if (audioEntry != null && audioEntry.unsupportedReason != null) {
            reason = audioEntry.unsupportedReason;
        }
        Mp4Track videoTrack = null;
        Mp4Track audioTrack = null;
        int fragments = 0;
        if (reason == null) {
            SampleTableBuilder vb = video == null ? null : StblReader.read(moovBytes, video.stbl, fileSize);
            SampleTableBuilder ab = audio == null ? null : StblReader.read(moovBytes, audio.stbl, fileSize);
            if (movie.fragmented) {
                Map<Integer, SampleTableBuilder> targets = new HashMap<>();
                if (vb != null) {
                    targets.put(video.id, vb);
                }
                if (ab != null) {
                    targets.put(audio.id, ab);
                }
                FragmentReader fragmentReader = new FragmentReader(top, movie.trex, targets);
                fragmentReader.scan(moov.end());
                fragments = fragmentReader.fragments();
            }
            videoTrack = finish(vb, video, videoEntry, movie);
            audioTrack = finish(ab, audio, audioEntry, movie);
            if ((videoTrack == null || videoTrack.count() == 0) && (audioTrack == null || audioTrack.count() == 0)) {
                throw new MediaFormatException("no complete audio or video sample in the file (truncated?)");
            }
        }
        long durationMs = duration(movie, video, audio, videoTrack, audioTrack);
        AmfObject metadata = new Mp4Metadata(movie, moov.offset()).build(durationMs, video, videoEntry, videoTrack,
                audio, audioEntry, audioTrack);
        LOG.debug("{}: moov at {}, {} fragments, video {}, audio {}, {} ms{}", name, moov.offset(), fragments,
                videoTrack, audioTrack, durationMs, reason == null ? "" : ", unsupported: " + reason);
        return new Mp4Index(path, fileSize, lastModified, durationMs, metadata, video != null, audio != null,
                videoTrack, audioTrack, reason, moov.offset());
    }

    /** Walks the top-level boxes up to moov. */
    private TopLevelBoxes.Header findMoov() throws IOException {
        long pos = 0;
        TopLevelBoxes.Header h;
        while ((h = top.header(pos)) != null) {
            if (!Boxes.printable(h.type())) {
                throw new MediaFormatException(pos == 0 ? "not an MP4/F4V/MOV file (no box at offset 0)"
                        : "no moov box: unreadable data at offset " + pos);
            }
            if (h.type() == Boxes.MOOV) {
                if (h.end() > fileSize) {
                    throw new MediaFormatException("moov box at offset " + pos + " is truncated: it declares "
                            + h.size() + " bytes, the file ends " + (fileSize - pos) + " bytes after its start");
                }
                return h;
            }
            if (h.end() > fileSize) {
                throw new MediaFormatException("no moov box: the '" + Boxes.name(h.type()) + "' box at offset " + pos
                        + " runs past the end of the file (truncated?)");
            }
            pos = h.end();
        }
        throw new MediaFormatException(pos == 0 ? "not an MP4/F4V/MOV file (" + fileSize + " bytes)"
                : "no moov box in the file");
    }

    /** The first enabled track of the kind, else the first of the kind. */
    private static Trak select(Movie movie, boolean video) {
        Trak any = null;
        for (Trak t : movie.tracks) {
            if (video ? t.isVideo() : t.isAudio()) {
                if (t.enabled) {
                    return t;
                }
                if (any == null) {
                    any = t;
                }
            }
        }
        return any;
    }

    private static SampleEntry entry(byte[] moov, Trak t, boolean video) throws MediaFormatException {
        if (t == null) {
            return null;
        }
        if (t.sampleEntry == null) {
            throw new MediaFormatException((video ? "video" : "audio") + " track " + t.id + " has no sample description");
        }
        if (t.timescale <= 0) {
            throw new MediaFormatException((video ? "video" : "audio") + " track " + t.id + " has timescale 0");
        }
        try {
            return SampleEntry.parse(moov, t.sampleEntry, video);
        } catch (MediaFormatException e) {
            throw new MediaFormatException("track " + t.id + ": " + e.getMessage(), e);
        }
    }

    private Mp4Track finish(SampleTableBuilder b, Trak t, SampleEntry entry, Movie movie) throws MediaFormatException {
        if (b == null) {
            return null;
        }
        Long shift = EditList.shift(t.edits, movie.timescale, t.timescale);
        if (shift == null) {
            LOG.debug("{}: track {} has an edit list of {} entries that is not a simple shift; ignored",
                    name, t.id, t.edits.size());
            shift = 0L;
        }
        try {
            Mp4Track track = b.finish(t.id, t.timescale, shift, entry, fileSize);
            if (track.dropped() > 0) {
                LOG.debug("{}: track {}: {} samples lie past the end of the file and are left out",
                        name, t.id, track.dropped());
            }
            return track;
        } catch (MediaFormatException e) {
            throw new MediaFormatException("track " + t.id + ": " + e.getMessage(), e);
        }
    }

    /**
     * The movie duration from mvhd (or mehd), unless samples were left out (truncated file) or it is
     * unset: then the end of the last sample played.
     */
    private static long duration(Movie movie, Trak video, Trak audio, Mp4Track vt, Mp4Track at) {
        long declared = 0;
        if (movie.timescale > 0) {
            long d = movie.duration > 0 ? movie.duration : movie.fragmentDuration;
            declared = Math.round(d * 1000.0 / movie.timescale);
        }
        if (vt == null && at == null) {
            if (declared > 0) {
                return declared;
            }
            long max = 0;
            for (Trak t : new Trak[] {video, audio}) {
                if (t != null && t.timescale > 0) {
                    max = Math.max(max, Math.round(t.duration * 1000.0 / t.timescale));
                }
            }
            return max;
        }
        long computed = Math.max(vt == null ? 0 : vt.endMs(), at == null ? 0 : at.endMs());
        boolean dropped = vt != null && vt.dropped() > 0 || at != null && at.dropped() > 0;
        return declared > 0 && !dropped ? declared : computed;
    }
}
