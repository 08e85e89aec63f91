package io.millrace.server.e2e;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/** Reads the server's W3C access logs back, for tests: one map of field name to value per event line. */
final class AccessLogFiles {
    private AccessLogFiles() {
    }

    /**
     * Every event line of the access logs in {@code logsDir} (oldest file first), each value with its
     * {@code %XX} escapes undone; a missing folder has none. A line without one value per field fails.
     */
    static List<Map<String, String>> events(Path logsDir) throws IOException {
        List<Map<String, String>> out = new ArrayList<>();
        if (!Files.isDirectory(logsDir)) {
            return out;
        }
        List<Path> files;
        try (Stream<Path> s = Files.list(logsDir)) {
            files = s.sorted().toList();
        }
        for (Path f : files) {
            String[] names = null;
            for (String line : Files.readAllLines(f, StandardCharsets.UTF_8)) {
                if (line.startsWith("#Fields: ")) {
                    names = line.substring("#Fields: ".length()).split("\t");
                } else if (!line.startsWith("#") && names != null) {
                    String[] v = line.split("\t", -1);
                    if (v.length != names.length) {
                        throw new AssertionError("not one value per field: " + line);
                    }
                    Map<String, String> m = new LinkedHashMap<>();
                    for (int i = 0; i < v.length; i++) {
                        m.put(names[i], unescape(v[i]));
                    }
                    out.add(m);
                }
            }
        }
        return out;
    }

    /** Undoes the log's {@code %XX} escapes (only those: a '+' stays a '+'). */
    static String unescape(String v) {
        if (v.indexOf('%') < 0) {
            return v;
        }
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        for (int i = 0; i < v.length(); i++) {
            char c = v.charAt(i);
            if (c == '%' && i + 2 < v.length()) {
                b.write(Integer.parseInt(v.substring(i + 1, i + 3), 16));
                i += 2;
            } else {
                b.writeBytes(String.valueOf(c).getBytes(StandardCharsets.UTF_8));
            }
        }
        return b.toString(StandardCharsets.UTF_8);
    }
}
