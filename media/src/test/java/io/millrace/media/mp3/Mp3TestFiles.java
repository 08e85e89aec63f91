package io.millrace.media.mp3;

import io.millrace.media.MediaFrame;
import io.millrace.media.MediaReader;
import io.netty.buffer.ByteBufAllocator;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

import static org.assertj.core.api.Assertions.assertThat;

/** ffmpeg/ffprobe helpers and byte-level builders of MP3 frames and tags for the mp3 tests. */
final class Mp3TestFiles {
    static final Path FFMPEG = Path.of("/usr/bin/ffmpeg");
    static final Path FFPROBE = Path.of("/usr/bin/ffprobe");

    /** MPEG-1 Layer III, 128 kbit/s, 44.1 kHz, no CRC, no padding, stereo: 417 bytes. */
    static final int H_128K_STEREO = 0xFFFB9000;
    /** The same with the padding bit: 418 bytes. */
    static final int H_128K_STEREO_PAD = 0xFFFB9200;

    /** One line of {@code ffprobe -show_entries packet=pts_time,duration_time,size}. */
    record Packet(double ptsTime, double durationTime, int size) {
    }

    private Mp3TestFiles() {
    }

    static boolean haveFfmpeg() {
        return Files.isExecutable(FFMPEG) && Files.isExecutable(FFPROBE);
    }

    /** Runs {@code ffmpeg -v error -y ARGS OUT}. */
    static void ffmpeg(Path out, String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of(FFMPEG.toString(), "-nostdin", "-v", "error", "-y"));
        cmd.addAll(List.of(args));
        cmd.add(out.toString());
        String output = run(cmd);
        assertThat(out).as("ffmpeg %s: %s", cmd, output).exists();
    }

    /** ffprobe's packets of {@code file}, in order. */
    static List<Packet> ffprobePackets(Path file) throws IOException, InterruptedException {
        String out = run(List.of(FFPROBE.toString(), "-v", "error", "-show_entries",
                "packet=pts_time,duration_time,size", "-of", "csv=p=0", file.toString()));
        List<Packet> packets = new ArrayList<>();
        for (String line : out.split("\n")) {
            String[] f = line.trim().split(",");
            if (f.length < 3 || f[0].isEmpty()) {
                continue; // side data lines
            }
            packets.add(new Packet(Double.parseDouble(f[0]), Double.parseDouble(f[1]), Integer.parseInt(f[2])));
        }
        return packets;
    }

    /** ffprobe's format duration of {@code file}, seconds. */
    static double ffprobeDuration(Path file) throws IOException, InterruptedException {
        String out = run(List.of(FFPROBE.toString(), "-v", "error", "-show_entries", "format=duration", "-of",
                "csv=p=0", file.toString()));
        return Double.parseDouble(out.trim());
    }

    private static String run(List<String> cmd) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        byte[] out = p.getInputStream().readAllBytes();
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).as("%s finished", cmd).isTrue();
        String text = new String(out, StandardCharsets.UTF_8);
        assertThat(p.exitValue()).as("%s: %s", cmd, text).isZero();
        return text;
    }

    /** Every frame of {@code index} from the start (or from {@code seekMs} when not negative), each passed to {@code each} and released. */
    static int readAll(Mp3Index index, long seekMs, Consumer<MediaFrame> each) throws IOException {
        int n = 0;
        try (MediaReader reader = index.openReader()) {
            assertThat(reader.configFrames(ByteBufAllocator.DEFAULT)).isEmpty();
            if (seekMs >= 0) {
                reader.seek(seekMs);
            }
            MediaFrame f;
            while ((f = reader.next(ByteBufAllocator.DEFAULT)) != null) {
                try {
                    each.accept(f);
                    n++;
                } finally {
                    f.release();
                }
            }
        }
        return n;
    }

    /** A frame with header {@code header} and a body of a filler byte that never looks like a sync. */
    static byte[] frame(int header) {
        int len = MpegAudioHeader.frameLength(header);
        assertThat(len).as("header %08X", header).isPositive();
        byte[] b = new byte[len];
        b[0] = (byte) (header >>> 24);
        b[1] = (byte) (header >>> 16);
        b[2] = (byte) (header >>> 8);
        b[3] = (byte) header;
        for (int i = 4; i < len; i++) {
            b[i] = (byte) (0x11 + i % 64);
        }
        return b;
    }

    /** {@code n} frames of 128 kbit/s 44.1 kHz stereo, every third one padded. */
    static byte[] frames(int n) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (int i = 0; i < n; i++) {
            out.writeBytes(frame(i % 3 == 2 ? H_128K_STEREO_PAD : H_128K_STEREO));
        }
        return out.toByteArray();
    }

    static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] p : parts) {
            out.writeBytes(p);
        }
        return out.toByteArray();
    }

    static byte[] syncsafe(int v) {
        return new byte[] {(byte) (v >>> 21 & 0x7F), (byte) (v >>> 14 & 0x7F), (byte) (v >>> 7 & 0x7F), (byte) (v & 0x7F)};
    }

    static byte[] be32(int v) {
        return new byte[] {(byte) (v >>> 24), (byte) (v >>> 16), (byte) (v >>> 8), (byte) v};
    }

    /** An ID3v2 tag: header ("ID3", major, 0, flags, syncsafe body size) and body. */
    static byte[] id3v2(int major, int flags, byte[] body) {
        return concat(new byte[] {'I', 'D', '3', (byte) major, 0, (byte) flags}, syncsafe(body.length), body);
    }

    /** An ID3v2.3 frame (plain size). */
    static byte[] frame23(String id, int formatFlags, byte[] data) {
        return concat(id.getBytes(StandardCharsets.US_ASCII), be32(data.length), new byte[] {0, (byte) formatFlags}, data);
    }

    /** An ID3v2.4 frame (syncsafe size). */
    static byte[] frame24(String id, int formatFlags, byte[] data) {
        return concat(id.getBytes(StandardCharsets.US_ASCII), syncsafe(data.length), new byte[] {0, (byte) formatFlags}, data);
    }

    /** An ID3v2.2 frame (3-byte id and size). */
    static byte[] frame22(String id, byte[] data) {
        int n = data.length;
        return concat(id.getBytes(StandardCharsets.US_ASCII), new byte[] {(byte) (n >>> 16), (byte) (n >>> 8), (byte) n}, data);
    }

    /** Text frame data: encoding byte then the text in that encoding (BOM included for encoding 1). */
    static byte[] text(int enc, String s) {
        byte[] t = switch (enc) {
            case 0 -> s.getBytes(StandardCharsets.ISO_8859_1);
            case 1 -> concat(new byte[] {(byte) 0xFF, (byte) 0xFE}, s.getBytes(StandardCharsets.UTF_16LE));
            case 2 -> s.getBytes(StandardCharsets.UTF_16BE);
            default -> s.getBytes(StandardCharsets.UTF_8);
        };
        return concat(new byte[] {(byte) enc}, t);
    }

    /** An ID3v1.1 tag. */
    static byte[] id3v1(String title, String artist, String album, String year, String comment, int genre) {
        byte[] b = new byte[128];
        b[0] = 'T';
        b[1] = 'A';
        b[2] = 'G';
        put(b, 3, title, 30);
        put(b, 33, artist, 30);
        put(b, 63, album, 30);
        put(b, 93, year, 4);
        put(b, 97, comment, 28);
        b[126] = 7; // track
        b[127] = (byte) genre;
        return b;
    }

    private static void put(byte[] b, int off, String s, int max) {
        byte[] t = s.getBytes(StandardCharsets.ISO_8859_1);
        System.arraycopy(t, 0, b, off, Math.min(max, t.length));
    }

    /** An APEv2 tag with header and footer and one item. */
    static byte[] apeTag() {
        byte[] item = concat(le32(5), le32(0), "Title\0".getBytes(StandardCharsets.US_ASCII),
                "Hello".getBytes(StandardCharsets.US_ASCII));
        int size = item.length + 32; // items + footer
        byte[] header = concat("APETAGEX".getBytes(StandardCharsets.US_ASCII), le32(2000), le32(size), le32(1),
                le32(0xA0000000), new byte[8]);
        byte[] footer = concat("APETAGEX".getBytes(StandardCharsets.US_ASCII), le32(2000), le32(size), le32(1),
                le32(0x80000000), new byte[8]);
        return concat(header, item, footer);
    }

    /** A Lyrics3v2 block. */
    static byte[] lyrics3v2() {
        byte[] body = "LYRICSBEGININD00002\u00ff\u00fbLYR00005hello".getBytes(StandardCharsets.ISO_8859_1);
        return concat(body, String.format("%06dLYRICS200", body.length).getBytes(StandardCharsets.US_ASCII));
    }

    static byte[] le32(int v) {
        return new byte[] {(byte) v, (byte) (v >>> 8), (byte) (v >>> 16), (byte) (v >>> 24)};
    }
}
