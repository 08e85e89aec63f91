package io.millrace.media.mp4;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Runs ffmpeg to make test files and ffprobe to list their packets. */
final class Ffmpeg {
    static final Path FFMPEG = Path.of("/usr/bin/ffmpeg");
    static final Path FFPROBE = Path.of("/usr/bin/ffprobe");

    /** One packet as ffprobe lists it; times in ms (NaN when N/A). */
    record Packet(String type, double ptsMs, double dtsMs, int size, boolean key, long pos) {
        boolean video() {
            return type.equals("video");
        }
    }

    private Ffmpeg() {
    }

    static boolean available() {
        return Files.isExecutable(FFMPEG) && Files.isExecutable(FFPROBE);
    }

    /** Whether this ffmpeg build has the named encoder. */
    static boolean hasEncoder(String name) throws IOException, InterruptedException {
        String out = run(List.of(FFMPEG.toString(), "-hide_banner", "-encoders"));
        return out.lines().anyMatch(l -> l.trim().split("\\s+").length > 1 && l.trim().split("\\s+")[1].equals(name));
    }

    /** Runs ffmpeg with a 4 s test picture and/or tone as inputs; returns false when ffmpeg fails. */
    static boolean make(Path out, String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of(FFMPEG.toString(), "-v", "error", "-y"));
        cmd.addAll(Arrays.asList(args));
        cmd.add(out.toString());
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String log = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(120, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IOException("ffmpeg timed out: " + cmd);
        }
        if (p.exitValue() != 0) {
            System.out.println("ffmpeg failed (" + p.exitValue() + "): " + String.join(" ", cmd) + "\n" + log);
            return false;
        }
        return true;
    }

    static final String[] VIDEO_IN = {"-f", "lavfi", "-i", "testsrc=size=320x240:rate=25"};
    static final String[] AUDIO_IN = {"-f", "lavfi", "-i", "sine=frequency=440:sample_rate=44100"};
    static final String[] H264 = {"-c:v", "libx264", "-bf", "2", "-g", "25", "-pix_fmt", "yuv420p"};

    static String[] join(String[]... parts) {
        List<String> all = new ArrayList<>();
        for (String[] p : parts) {
            all.addAll(Arrays.asList(p));
        }
        return all.toArray(new String[0]);
    }

    static List<Packet> probe(Path file) throws IOException, InterruptedException {
        String out = run(List.of(FFPROBE.toString(), "-v", "error", "-show_entries",
                "packet=codec_type,pts_time,dts_time,size,flags,pos", "-of", "csv=p=0", file.toString()));
        List<Packet> packets = new ArrayList<>();
        for (String line : out.split("\n")) {
            String[] f = line.split(",");
            if (f.length < 6 || !(f[0].equals("video") || f[0].equals("audio"))) {
                continue;
            }
            // field order as requested is not kept by ffprobe: codec_type,pts_time,dts_time,size,pos,flags
            packets.add(new Packet(f[0], ms(f[1]), ms(f[2]), Integer.parseInt(f[3]), f[5].startsWith("K"),
                    Long.parseLong(f[4])));
        }
        return packets;
    }

    private static double ms(String s) {
        return s.equals("N/A") ? Double.NaN : Double.parseDouble(s) * 1000;
    }

    private static String run(List<String> cmd) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IOException("timed out: " + cmd);
        }
        return out;
    }
}
