package io.millrace.bench;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.SplittableRandom;

/**
 * Writes a synthetic MP4 file whose {@code moov} describes a 2-hour 1080p movie, for the MP4 index
 * benchmarks, without 5 GB of media data: the {@code mdat} is a sparse region (RandomAccessFile.setLength),
 * so every chunk offset points inside the file, but only the first seconds of media hold bytes (each video
 * sample starts with a 4-byte NAL length and a NAL header, IDR for sync samples), the rest reads as zeros.
 *
 * <p>The layout is what ffmpeg writes with {@code -movflags +faststart}: {@code ftyp}, {@code moov}, then
 * one {@code mdat} (64-bit size). Tracks:
 * <ul>
 *   <li>video: {@code avc1} 1920x1080 with a real x264 High-profile {@code avcC}; 180,000 samples at 25 fps
 *       (timescale 12,800, one {@code stts} run of 512); sizes 10–50 KB (sync samples 40–50 KB); a sync sample
 *       every 50 ({@code stss}, 3,600 entries); {@code ctts} of an I (P B B)×16 P pattern per GOP (about 118,800
 *       entries); an edit list starting at media time 512 (the B-frame delay);</li>
 *   <li>audio: {@code mp4a} AAC-LC 48 kHz stereo ({@code esds} as ffmpeg writes it); 337,500 samples of 1,024
 *       (timescale 48,000, one {@code stts} run); sizes 300–400 B; an edit list starting at 1,024 (priming).</li>
 * </ul>
 * Chunks: with {@code samplesPerVideoChunk = 25} (the default layout, what muxers do) one video chunk per second
 * (25 samples) followed by one audio chunk of the same second (46 or 47 samples: {@code stsc} changes every
 * few chunks, 1,800 entries); with 1, one chunk per sample on both tracks (517,500 {@code co64} entries).
 * Offsets go past 4 GiB, so both tracks use {@code co64}.
 */
final class SyntheticMp4 {
    static final int VIDEO_SAMPLES = 180_000;
    static final int VIDEO_TIMESCALE = 12_800;
    static final int VIDEO_DELTA = 512;
    static final int GOP = 50;
    static final int AUDIO_SAMPLES = 337_500;
    static final int AUDIO_TIMESCALE = 48_000;
    static final int AUDIO_DELTA = 1024;
    static final long DURATION_MS = 7_200_000L;
    /** Seconds of media at the start of the file that hold real sample headers (the rest is a hole). */
    static final int WRITTEN_SECONDS = 10;

    /** avcC of a 1920x1080 x264 High profile (level 4.0) encode. */
    private static final byte[] AVCC = HexFormat.of().parseHex(
            "01640028ffe1001b67640028acd940780227e5c044000003000400000300c83c60c65801000468ef8fcbfdf8f800");
    /** esds body (version/flags included) of ffmpeg's AAC-LC 48 kHz stereo 128 kbit/s. */
    private static final byte[] ESDS = HexFormat.of().parseHex(
            "000000000380808025000200048080801740150000000001f4000001d7db0580808005119056e500068080800102");

    /** What was written. */
    record Movie(Path file, long fileSize, long moovSize, int videoChunks, int audioChunks, long mediaBytes) {
    }

    private SyntheticMp4() {
    }

    static Movie write(Path file, int samplesPerVideoChunk) throws IOException {
        if (samplesPerVideoChunk != 1 && samplesPerVideoChunk != 25) {
            throw new IllegalArgumentException("samplesPerVideoChunk is 1 or 25: " + samplesPerVideoChunk);
        }
        SplittableRandom rnd = new SplittableRandom(20261123);
        int[] vSizes = new int[VIDEO_SAMPLES];
        for (int i = 0; i < VIDEO_SAMPLES; i++) {
            vSizes[i] = i % GOP == 0 ? rnd.nextInt(40_000, 50_001) : rnd.nextInt(10_000, 40_001);
        }
        int[] aSizes = new int[AUDIO_SAMPLES];
        for (int i = 0; i < AUDIO_SAMPLES; i++) {
            aSizes[i] = rnd.nextInt(300, 401);
        }

        // Chunks, in file order, as (track, first sample, count); offsets relative to the mdat payload.
        int vChunks;
        int aChunks;
        int[] vChunkFirst;
        int[] vChunkCount;
        int[] aChunkFirst;
        int[] aChunkCount;
        long[] vRel;
        long[] aRel;
        long pos = 0;
        if (samplesPerVideoChunk == 25) {
            int seconds = VIDEO_SAMPLES / 25;
            vChunks = seconds;
            aChunks = seconds;
            vChunkFirst = new int[seconds];
            vChunkCount = new int[seconds];
            aChunkFirst = new int[seconds];
            aChunkCount = new int[seconds];
            vRel = new long[seconds];
            aRel = new long[seconds];
            for (int s = 0; s < seconds; s++) {
                vChunkFirst[s] = s * 25;
                vChunkCount[s] = 25;
                vRel[s] = pos;
                for (int k = 0; k < 25; k++) {
                    pos += vSizes[s * 25 + k];
                }
                // audio samples of second s: floor(s * 46.875) .. floor((s + 1) * 46.875)
                int from = (int) ((long) s * AUDIO_SAMPLES / seconds);
                int to = (int) ((long) (s + 1) * AUDIO_SAMPLES / seconds);
                aChunkFirst[s] = from;
                aChunkCount[s] = to - from;
                aRel[s] = pos;
                for (int k = from; k < to; k++) {
                    pos += aSizes[k];
                }
            }
        } else {
            vChunks = VIDEO_SAMPLES;
            aChunks = AUDIO_SAMPLES;
            vChunkFirst = new int[vChunks];
            vChunkCount = new int[vChunks];
            aChunkFirst = new int[aChunks];
            aChunkCount = new int[aChunks];
            vRel = new long[vChunks];
            aRel = new long[aChunks];
            // interleave by decode time: sample i of video at i * 40 ms, audio sample j at j * 21.33 ms
            int v = 0;
            int a = 0;
            while (v < VIDEO_SAMPLES || a < AUDIO_SAMPLES) {
                boolean takeVideo = a >= AUDIO_SAMPLES
                        || v < VIDEO_SAMPLES && (long) v * VIDEO_DELTA * AUDIO_TIMESCALE <= (long) a * AUDIO_DELTA * VIDEO_TIMESCALE;
                if (takeVideo) {
                    vChunkFirst[v] = v;
                    vChunkCount[v] = 1;
                    vRel[v] = pos;
                    pos += vSizes[v++];
                } else {
                    aChunkFirst[a] = a;
                    aChunkCount[a] = 1;
                    aRel[a] = pos;
                    pos += aSizes[a++];
                }
            }
        }
        long mediaBytes = pos;

        byte[] ftyp = box("ftyp", cat(ascii("isom"), u32(512), ascii("isom"), ascii("iso2"), ascii("avc1"), ascii("mp41")));
        // The moov's size does not depend on the offsets' values: build once to learn it, then for real.
        byte[] moov = moov(vSizes, aSizes, vChunkCount, aChunkCount, vRel, aRel, 0);
        long mdatPayload = ftyp.length + moov.length + 16L;
        moov = moov(vSizes, aSizes, vChunkCount, aChunkCount, vRel, aRel, mdatPayload);
        long fileSize = mdatPayload + mediaBytes;

        try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "rw")) {
            f.setLength(0);
            f.write(ftyp);
            f.write(moov);
            ByteBuffer mdatHeader = ByteBuffer.allocate(16);
            mdatHeader.putInt(1).put(ascii("mdat")).putLong(16 + mediaBytes);
            f.write(mdatHeader.array());
            f.setLength(fileSize); // sparse: the rest of the media data is a hole that reads as zeros
            // The first seconds get real sample heads: a 4-byte NAL length and the NAL header.
            int writtenVideo = WRITTEN_SECONDS * 25;
            for (int c = 0; c < vChunks && vChunkFirst[c] < writtenVideo; c++) {
                long off = mdatPayload + vRel[c];
                for (int k = 0; k < vChunkCount[c]; k++) {
                    int i = vChunkFirst[c] + k;
                    f.seek(off);
                    f.writeInt(vSizes[i] - 4);
                    f.write(i % GOP == 0 ? 0x65 : 0x41);
                    off += vSizes[i];
                }
            }
            int writtenAudio = WRITTEN_SECONDS * AUDIO_TIMESCALE / AUDIO_DELTA;
            for (int c = 0; c < aChunks && aChunkFirst[c] < writtenAudio; c++) {
                long off = mdatPayload + aRel[c];
                for (int k = 0; k < aChunkCount[c]; k++) {
                    int i = aChunkFirst[c] + k;
                    f.seek(off);
                    f.write(0x21); // an AAC raw_data_block starting with a CPE element, then zeros
                    off += aSizes[i];
                }
            }
        }
        return new Movie(file, fileSize, moov.length, vChunks, aChunks, mediaBytes);
    }

    // ---------------------------------------------------------------------------------------------
    // moov

    private static byte[] moov(int[] vSizes, int[] aSizes, int[] vChunkCount, int[] aChunkCount, long[] vRel, long[] aRel,
                               long base) {
        long vMediaDuration = (long) VIDEO_SAMPLES * VIDEO_DELTA;
        long aMediaDuration = (long) AUDIO_SAMPLES * AUDIO_DELTA;
        byte[] mvhd = fullBox("mvhd", 0, 0, cat(u32(0), u32(0), u32(1000), u32(DURATION_MS), u32(0x00010000), u16(0x0100),
                new byte[10], matrix(), new byte[24], u32(3)));

        // video
        byte[] avc1 = box("avc1", cat(new byte[6], u16(1), new byte[16], u16(1920), u16(1080), u32(0x00480000), u32(0x00480000),
                u32(0), u16(1), new byte[32], u16(0x0018), u16(0xFFFF), box("avcC", AVCC)));
        byte[] vStbl = box("stbl", cat(
                fullBox("stsd", 0, 0, cat(u32(1), avc1)),
                fullBox("stts", 0, 0, cat(u32(1), u32(VIDEO_SAMPLES), u32(VIDEO_DELTA))),
                ctts(),
                stss(),
                stsc(vChunkCount),
                stsz(vSizes),
                co64(vRel, base)));
        byte[] vTrak = trak(1, true, VIDEO_TIMESCALE, vMediaDuration, VIDEO_DELTA, vStbl);

        // audio
        byte[] mp4a = box("mp4a", cat(new byte[6], u16(1), new byte[8], u16(2), u16(16), u16(0), u16(0), u32((long) AUDIO_TIMESCALE << 16),
                box("esds", ESDS)));
        byte[] aStbl = box("stbl", cat(
                fullBox("stsd", 0, 0, cat(u32(1), mp4a)),
                fullBox("stts", 0, 0, cat(u32(1), u32(AUDIO_SAMPLES), u32(AUDIO_DELTA))),
                stsc(aChunkCount),
                stsz(aSizes),
                co64(aRel, base)));
        byte[] aTrak = trak(2, false, AUDIO_TIMESCALE, aMediaDuration, AUDIO_DELTA, aStbl);

        return box("moov", cat(mvhd, vTrak, aTrak));
    }

    private static byte[] trak(int id, boolean video, int timescale, long mediaDuration, int editStart, byte[] stbl) {
        byte[] tkhd = fullBox("tkhd", 0, 3, cat(u32(0), u32(0), u32(id), u32(0), u32(DURATION_MS), new byte[8], u16(0), u16(video ? 0 : 1),
                u16(video ? 0 : 0x0100), u16(0), matrix(), u32(video ? 1920 << 16 : 0), u32(video ? 1080 << 16 : 0)));
        byte[] elst = fullBox("elst", 0, 0, cat(u32(1), u32(DURATION_MS), u32(editStart), u32(0x00010000)));
        byte[] edts = box("edts", elst);
        byte[] mdhd = fullBox("mdhd", 0, 0, cat(u32(0), u32(0), u32(timescale), u32(mediaDuration), u16(0x55C4), u16(0)));
        byte[] hdlr = fullBox("hdlr", 0, 0, cat(u32(0), ascii(video ? "vide" : "soun"), new byte[12],
                ascii(video ? "VideoHandler\0" : "SoundHandler\0")));
        byte[] xmhd = video ? fullBox("vmhd", 0, 1, new byte[8]) : fullBox("smhd", 0, 0, new byte[4]);
        byte[] dinf = box("dinf", fullBox("dref", 0, 0, cat(u32(1), fullBox("url ", 0, 1, new byte[0]))));
        byte[] minf = box("minf", cat(xmhd, dinf, stbl));
        byte[] mdia = box("mdia", cat(mdhd, hdlr, minf));
        return box("trak", cat(tkhd, edts, mdia));
    }

    /** I (P B B)x16 P per GOP of 50, in frames of 512, shifted by one frame so that all are >= 0. */
    private static byte[] ctts() {
        ByteBuffer b = ByteBuffer.allocate(8 + 8 * 40 * (VIDEO_SAMPLES / GOP + 1));
        int entries = 0;
        int runCount = 0;
        int runOffset = -1;
        for (int i = 0; i < VIDEO_SAMPLES; i++) {
            int j = i % GOP;
            int frames;
            if (j == 0 || j == GOP - 1) {
                frames = 1;          // I, and the GOP's last P (no B after it)
            } else if (j % 3 == 1) {
                frames = 3;          // P: shown after the two B that follow it
            } else {
                frames = 0;          // B
            }
            int offset = frames * VIDEO_DELTA;
            if (offset == runOffset) {
                runCount++;
            } else {
                if (runCount > 0) {
                    b.putInt(runCount).putInt(runOffset);
                    entries++;
                }
                runOffset = offset;
                runCount = 1;
            }
        }
        b.putInt(runCount).putInt(runOffset);
        entries++;
        byte[] body = new byte[4 + b.position()];
        ByteBuffer.wrap(body).putInt(entries).put(b.array(), 0, b.position());
        return fullBox("ctts", 0, 0, body);
    }

    private static byte[] stss() {
        int n = VIDEO_SAMPLES / GOP;
        ByteBuffer b = ByteBuffer.allocate(4 + 4 * n);
        b.putInt(n);
        for (int k = 0; k < n; k++) {
            b.putInt(k * GOP + 1);
        }
        return fullBox("stss", 0, 0, b.array());
    }

    /** One entry each time the samples-per-chunk count changes. */
    private static byte[] stsc(int[] chunkCount) {
        ByteBuffer b = ByteBuffer.allocate(4 + 12 * chunkCount.length);
        b.putInt(0);
        int entries = 0;
        int last = -1;
        for (int c = 0; c < chunkCount.length; c++) {
            if (chunkCount[c] != last) {
                b.putInt(c + 1).putInt(chunkCount[c]).putInt(1);
                entries++;
                last = chunkCount[c];
            }
        }
        b.putInt(0, entries);
        byte[] body = new byte[b.position()];
        System.arraycopy(b.array(), 0, body, 0, body.length);
        return fullBox("stsc", 0, 0, body);
    }

    private static byte[] stsz(int[] sizes) {
        ByteBuffer b = ByteBuffer.allocate(8 + 4 * sizes.length);
        b.putInt(0).putInt(sizes.length);
        for (int s : sizes) {
            b.putInt(s);
        }
        return fullBox("stsz", 0, 0, b.array());
    }

    private static byte[] co64(long[] rel, long base) {
        ByteBuffer b = ByteBuffer.allocate(4 + 8 * rel.length);
        b.putInt(rel.length);
        for (long r : rel) {
            b.putLong(base + r);
        }
        return fullBox("co64", 0, 0, b.array());
    }

    // ---------------------------------------------------------------------------------------------
    // bytes

    private static byte[] matrix() {
        return cat(u32(0x00010000), u32(0), u32(0), u32(0), u32(0x00010000), u32(0), u32(0), u32(0), u32(0x40000000));
    }

    private static byte[] box(String type, byte[] body) {
        return cat(u32(8L + body.length), ascii(type), body);
    }

    private static byte[] fullBox(String type, int version, int flags, byte[] body) {
        return box(type, cat(u32(((long) version << 24) | flags), body));
    }

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.ISO_8859_1);
    }

    private static byte[] u32(long v) {
        if (v < 0 || v > 0xFFFFFFFFL) {
            throw new IllegalArgumentException("not an unsigned 32-bit value: " + v);
        }
        return new byte[] {(byte) (v >>> 24), (byte) (v >>> 16), (byte) (v >>> 8), (byte) v};
    }

    private static byte[] u16(int v) {
        return new byte[] {(byte) (v >>> 8), (byte) v};
    }

    private static byte[] cat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] p : parts) {
            out.writeBytes(p);
        }
        return out.toByteArray();
    }
}
