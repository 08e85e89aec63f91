package io.millrace.media.mp4;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static io.millrace.media.mp4.BoxWriter.box;
import static io.millrace.media.mp4.BoxWriter.concat;

/**
 * A small synthetic movie whose boxes tests replace one by one: ftyp, mdat, moov (in that order), a
 * video track of 10 samples of 100 bytes (25 fps, timescale 1000, sync samples 1 and 6, two chunks of 5)
 * and an audio track of 20 samples of 10 bytes (48 kHz, 960 per sample, two chunks of 10). Every byte of
 * video sample i is i, every byte of audio sample j is 100 + j.
 */
final class SmallMovie {
    static final int PAYLOAD = 32;
    static final int VIDEO_SAMPLES = 10;
    static final int VIDEO_SIZE = 100;
    static final int AUDIO_SAMPLES = 20;
    static final int AUDIO_SIZE = 10;
    static final long AUDIO_BASE = PAYLOAD + VIDEO_SAMPLES * VIDEO_SIZE;

    byte[] mvhd = BoxWriter.mvhd(1000, 400);
    byte[] videoEntry = BoxWriter.avc1(640, 360);
    byte[] videoStsz = BoxWriter.stsz(fill(VIDEO_SAMPLES, VIDEO_SIZE));
    byte[] videoStts = BoxWriter.stts(new long[] {VIDEO_SAMPLES, 40});
    byte[] videoStsc = BoxWriter.stsc(new long[] {1, 5});
    byte[] videoStco = BoxWriter.stco(new long[] {PAYLOAD, PAYLOAD + 5 * VIDEO_SIZE});
    byte[] videoStss = BoxWriter.stss(1, 6);
    byte[] videoCtts;
    byte[] videoEdts;
    byte[] audioEntry = BoxWriter.mp4a(2, 48000);
    byte[] audioStsz = BoxWriter.stsz(fill(AUDIO_SAMPLES, AUDIO_SIZE));
    byte[] audioStts = BoxWriter.stts(new long[] {AUDIO_SAMPLES, 960});
    byte[] audioStsc = BoxWriter.stsc(new long[] {1, 10});
    byte[] audioStco = BoxWriter.stco(new long[] {AUDIO_BASE, AUDIO_BASE + 10 * AUDIO_SIZE});
    byte[] audioEdts;
    boolean withVideo = true;
    boolean withAudio = true;
    /** Extra bytes appended inside moov (after the tracks). */
    byte[] moovExtra = new byte[0];

    static int[] fill(int n, int value) {
        int[] a = new int[n];
        java.util.Arrays.fill(a, value);
        return a;
    }

    byte[] moov() {
        byte[] video = withVideo ? BoxWriter.trak(1, "vide", 1000, 400, videoEdts, BoxWriter.stbl(nonNull(
                BoxWriter.stsd(videoEntry), videoStts, videoCtts, videoStss, videoStsc, videoStsz, videoStco))) : new byte[0];
        byte[] audio = withAudio ? BoxWriter.trak(2, "soun", 48000, 19200, audioEdts, BoxWriter.stbl(nonNull(
                BoxWriter.stsd(audioEntry), audioStts, audioStsc, audioStsz, audioStco))) : new byte[0];
        return box("moov", mvhd, video, audio, moovExtra);
    }

    private static byte[] nonNull(byte[]... parts) {
        return concat(java.util.Arrays.stream(parts).filter(java.util.Objects::nonNull).toArray(byte[][]::new));
    }

    byte[] payload() {
        byte[] p = new byte[VIDEO_SAMPLES * VIDEO_SIZE + AUDIO_SAMPLES * AUDIO_SIZE];
        for (int i = 0; i < VIDEO_SAMPLES; i++) {
            java.util.Arrays.fill(p, i * VIDEO_SIZE, (i + 1) * VIDEO_SIZE, (byte) i);
        }
        for (int j = 0; j < AUDIO_SAMPLES; j++) {
            int from = VIDEO_SAMPLES * VIDEO_SIZE + j * AUDIO_SIZE;
            java.util.Arrays.fill(p, from, from + AUDIO_SIZE, (byte) (100 + j));
        }
        return p;
    }

    byte[] bytes() {
        byte[] ftyp = BoxWriter.ftyp();
        if (ftyp.length + 8 != PAYLOAD) {
            throw new IllegalStateException("ftyp is " + ftyp.length + " bytes");
        }
        return concat(ftyp, box("mdat", payload()), moov());
    }

    Path write(Path file) throws IOException {
        Files.write(file, bytes());
        return file;
    }
}
