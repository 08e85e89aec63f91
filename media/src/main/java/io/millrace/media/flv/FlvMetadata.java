package io.millrace.media.flv;

import io.millrace.amf.AmfObject;

import java.util.Map;

/** Builds the onMetaData object a server sends for an FLV file. */
public final class FlvMetadata {
    private FlvMetadata() {
    }

    /**
     * The file's own onMetaData (a fresh copy, property order kept; an ECMA array), completed with
     * what the index knows, for keys the file does not have: {@code duration} (seconds), {@code width},
     * {@code height}, {@code videocodecid}, {@code framerate}, {@code audiocodecid},
     * {@code audiosamplerate}, {@code stereo}, {@code filesize}, {@code canSeekToEnd}. A key the file
     * has is never overwritten, except {@code duration} when it is not a positive number. Keys whose
     * value the index does not know (e.g. width 0) are left out. The file's {@code keyframes} table, if
     * any, is kept.
     */
    public static AmfObject complete(FlvIndex index) {
        AmfObject own = index.metadataUnsafe();
        AmfObject out = AmfObject.ecmaArray(own == null ? Map.of() : own.deepCopy());
        double duration = index.durationMs() / 1000.0;
        if (!(out.get("duration") instanceof Number n) || !(n.doubleValue() > 0)) {
            if (duration > 0 || !out.containsKey("duration")) {
                out.put("duration", duration);
            }
        }
        if (index.width() > 0 && index.height() > 0) {
            out.putIfAbsent("width", (double) index.width());
            out.putIfAbsent("height", (double) index.height());
        }
        if (index.hasVideo()) {
            out.putIfAbsent("videocodecid", (double) (index.videoCodecId() & 0xFFFFFFFFL));
            if (index.frameRate() > 0) {
                out.putIfAbsent("framerate", index.frameRate());
            }
        }
        if (index.hasAudio()) {
            out.putIfAbsent("audiocodecid", (double) (index.audioCodecId() & 0xFFFFFFFFL));
            if (index.audioSampleRate() > 0) {
                out.putIfAbsent("audiosamplerate", (double) index.audioSampleRate());
            }
            if (index.audioChannels() > 0) {
                out.putIfAbsent("stereo", index.audioChannels() >= 2);
            }
        }
        out.putIfAbsent("filesize", (double) index.fileSize());
        if (index.hasVideo()) {
            out.putIfAbsent("canSeekToEnd", index.canSeekToEnd());
        }
        return out;
    }
}
