package io.millrace.server.e2e;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** What ffprobe reports about a file or URL: its packets and its streams. */
public final class Probe {

    /** One packet: codec type, timestamps in ms (dts, pts), whether it is a keyframe, its size in bytes. */
    public record Packet(String type, long dtsMs, long ptsMs, boolean key, int size) {
        public Packet(String type, long dtsMs, long ptsMs, boolean key) {
            this(type, dtsMs, ptsMs, key, -1);
        }

    }

    private Probe() {
    }

    /** Every packet, in file order. */
    public static List<Packet> packets(String input) throws Exception {
        RealClients.Result r = RealClients.run(120, RealClients.require("ffprobe"), "-v", "error",
                "-show_entries", "packet=codec_type,dts_time,pts_time,size,flags", "-of", "csv=p=0", input);
        assertThat(r.exitCode()).as("ffprobe packets of %s: %s", input, r).isZero();
        List<Packet> out = new ArrayList<>();
        for (String line : r.stdout().split("\n")) {
            // ffprobe's own field order: codec_type, pts_time, dts_time, size, flags
            String[] f = line.trim().split(",");
            if (f.length < 5) {
                continue;
            }
            out.add(new Packet(f[0], millis(f[2]), millis(f[1]), f[4].contains("K"), Integer.parseInt(f[3])));
        }
        return out;
    }

    private static long millis(String seconds) {
        if (seconds.isEmpty() || seconds.equals("N/A")) {
            return Long.MIN_VALUE;
        }
        return Math.round(Double.parseDouble(seconds) * 1000);
    }

    public static long count(List<Packet> packets, String type) {
        return packets.stream().filter(p -> p.type().equals(type)).count();
    }

    /** key=value lines of -show_format and -show_streams, one map per section, in order. */
    public static List<Map<String, String>> sections(String input) throws Exception {
        RealClients.Result r = RealClients.run(120, RealClients.require("ffprobe"), "-v", "error",
                "-show_format", "-show_streams", "-of", "default=nw=0", input);
        assertThat(r.exitCode()).as("ffprobe %s: %s", input, r).isZero();
        List<Map<String, String>> out = new ArrayList<>();
        Map<String, String> current = null;
        for (String line : r.stdout().split("\n")) {
            line = line.trim();
            if (line.startsWith("[/")) {
                current = null;
            } else if (line.startsWith("[")) {
                current = new LinkedHashMap<>();
                current.put("section", line.substring(1, line.length() - 1));
                out.add(current);
            } else if (current != null && line.contains("=")) {
                int eq = line.indexOf('=');
                current.put(line.substring(0, eq), line.substring(eq + 1));
            }
        }
        return out;
    }

    public static Map<String, String> stream(List<Map<String, String>> sections, String codecType) {
        return sections.stream().filter(s -> "STREAM".equals(s.get("section")) && codecType.equals(s.get("codec_type")))
                .findFirst().orElseThrow(() -> new AssertionError("no " + codecType + " stream in " + sections));
    }

    public static Map<String, String> format(List<Map<String, String>> sections) {
        return sections.stream().filter(s -> "FORMAT".equals(s.get("section"))).findFirst()
                .orElseThrow(() -> new AssertionError("no format section in " + sections));
    }
}
