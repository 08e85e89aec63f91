package io.millrace.media.mp4;

import io.millrace.amf.AmfObject;
import io.millrace.media.mp4.MoovParser.Movie;
import io.millrace.media.mp4.MoovParser.Trak;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The onMetaData object of an MP4 file, in a fixed key order: duration, width, height, videocodecid,
 * audiocodecid, framerate, videoframerate, audiosamplerate, audiochannels, avcprofile, avclevel, aacaot,
 * moovposition, trackinfo, then the file's text tags ({@link Mp4Tags}; a tag never replaces one of these
 * keys). Keys that do not apply (no video, no AAC ...) are left out. All numbers are doubles.
 */
final class Mp4Metadata {
    private final Movie movie;
    private final long moovPosition;

    Mp4Metadata(Movie movie, long moovPosition) {
        this.movie = movie;
        this.moovPosition = moovPosition;
    }

    AmfObject build(long durationMs, Trak video, SampleEntry ve, Mp4Track vt, Trak audio, SampleEntry ae, Mp4Track at) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("duration", durationMs / 1000.0);
        if (ve != null) {
            if (ve.width > 0 && ve.height > 0) {
                m.put("width", (double) ve.width);
                m.put("height", (double) ve.height);
            }
            m.put("videocodecid", ve.codecId());
        }
        if (ae != null) {
            m.put("audiocodecid", ae.codecId());
        }
        if (ve != null) {
            double fps = frameRate(video, vt);
            if (fps > 0) {
                m.put("framerate", fps);
                m.put("videoframerate", fps);
            }
        }
        if (ae != null) {
            int rate = ae.sampleRate > 0 ? ae.sampleRate : (int) audio.timescale;
            m.put("audiosamplerate", (double) rate);
            if (ae.channels > 0) {
                m.put("audiochannels", (double) ae.channels);
            }
        }
        if (ve != null && ve.avc != null) {
            m.put("avcprofile", (double) ve.avc.profile());
            m.put("avclevel", (double) ve.avc.level());
        }
        if (ae != null && ae.aac != null) {
            m.put("aacaot", (double) ae.aac.signalledObjectType());
        }
        m.put("moovposition", (double) moovPosition);
        List<Object> trackinfo = new ArrayList<>();
        for (Trak t : movie.tracks) {
            long length = t.duration;
            if (length == 0 && t == video && vt != null) {
                length = Math.round(vt.durationSeconds() * t.timescale);
            } else if (length == 0 && t == audio && at != null) {
                length = Math.round(at.durationSeconds() * t.timescale);
            }
            AmfObject info = new AmfObject();
            info.put("length", (double) length);
            info.put("timescale", (double) t.timescale);
            info.put("language", t.language);
            AmfObject description = new AmfObject();
            description.put("sampletype", t.sampleType());
            info.put("sampledescription", new ArrayList<>(List.of(description)));
            trackinfo.add(info);
        }
        m.put("trackinfo", trackinfo);
        movie.tags.forEach(m::putIfAbsent);
        return AmfObject.ecmaArray(m);
    }

    /** Video samples per second of video: from the sample table, else from stsz's count and mdhd. */
    private static double frameRate(Trak video, Mp4Track vt) {
        double frames;
        double seconds;
        if (vt != null) {
            frames = vt.count();
            seconds = vt.durationSeconds();
        } else {
            frames = video.declaredSamples;
            seconds = video.timescale > 0 ? (double) video.duration / video.timescale : 0;
        }
        if (frames <= 0 || seconds <= 0) {
            return 0;
        }
        return Math.round(frames / seconds * 1000) / 1000.0;
    }
}
