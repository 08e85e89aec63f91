package io.millrace.media.mp4;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

/**
 * Text tags of a movie, named as ffmpeg names them (title, artist, album, date, encoder, comment ...):
 * iTunes-style items in {@code moov/udta/meta/ilst}, QuickTime {@code ©xxx} user data atoms
 * ({@code [u16 length][u16 language][text]}) and 3GPP asset boxes ({@code titl}, {@code perf} ...: FullBox,
 * language, text). Unknown items and non-text values (cover art, track numbers) are left out; the
 * first value of a key wins.
 */
final class Mp4Tags {
    private static final Map<String, String> NAMES = Map.ofEntries(
            Map.entry("\u00a9nam", "title"), Map.entry("\u00a9ART", "artist"), Map.entry("aART", "album_artist"),
            Map.entry("\u00a9alb", "album"), Map.entry("\u00a9day", "date"), Map.entry("\u00a9too", "encoder"),
            Map.entry("\u00a9swr", "encoder"), Map.entry("\u00a9cmt", "comment"), Map.entry("\u00a9gen", "genre"),
            Map.entry("\u00a9wrt", "composer"), Map.entry("cprt", "copyright"), Map.entry("\u00a9cpy", "copyright"),
            Map.entry("desc", "description"), Map.entry("\u00a9des", "description"), Map.entry("ldes", "synopsis"),
            Map.entry("\u00a9grp", "grouping"), Map.entry("\u00a9lyr", "lyrics"), Map.entry("\u00a9enc", "encoded_by"),
            Map.entry("\u00a9dir", "director"), Map.entry("\u00a9prd", "producer"), Map.entry("\u00a9aut", "author"),
            Map.entry("\u00a9inf", "comment"), Map.entry("keyw", "keywords"), Map.entry("tvsh", "show"),
            Map.entry("titl", "title"), Map.entry("auth", "author"), Map.entry("perf", "artist"),
            Map.entry("dscp", "description"), Map.entry("gnre", "genre"), Map.entry("albm", "album"));
    private static final int MAX_TEXT = 64 * 1024;

    private Mp4Tags() {
    }

    /** Adds the tags found in a udta box to {@code out}. Malformed tags are skipped, never fatal. */
    static void udta(byte[] d, Box udta, long base, Map<String, String> out) {
        for (Box b : Boxes.childrenLenient(d, udta.body(), udta.end(), base)) {
            String type = b.name();
            if (type.equals("meta")) {
                meta(d, b, base, out);
            } else if (b.type() >>> 24 == 0xA9) {
                quickTime(d, b, base, out);
            } else if (NAMES.containsKey(type)) {
                asset(d, b, out);
            }
        }
    }

    private static void meta(byte[] d, Box meta, long base, Map<String, String> out) {
        // ISO meta is a FullBox; QuickTime's is not: find where the hdlr child starts.
        int from = meta.body();
        if (meta.bodySize() >= 12 && Boxes.name(Boxes.i32(d, from + 8)).equals("hdlr")) {
            from += 4;
        }
        List<Box> boxes = Boxes.childrenLenient(d, from, meta.end(), base);
        Box ilst = Boxes.first(boxes, "ilst");
        if (ilst == null) {
            return;
        }
        for (Box item : Boxes.childrenLenient(d, ilst.body(), ilst.end(), base)) {
            String key = NAMES.get(item.name());
            if (key == null) {
                continue;
            }
            Box data = Boxes.first(Boxes.childrenLenient(d, item.body(), item.end(), base), "data");
            if (data == null || data.bodySize() < 8) {
                continue;
            }
            int kind = Boxes.i32(d, data.body()) & 0xFFFFFF;
            int from2 = data.body() + 8;
            if (kind == 1) {
                put(out, key, text(d, from2, data.end(), false));
            } else if (kind == 2) {
                put(out, key, text(d, from2, data.end(), true));
            }
        }
    }

    private static void quickTime(byte[] d, Box b, long base, Map<String, String> out) {
        String key = NAMES.get(b.name());
        if (key == null || b.bodySize() < 4) {
            return;
        }
        if (b.bodySize() >= 16 && Boxes.name(Boxes.i32(d, b.body() + 4)).equals("data")) {
            Box data = Boxes.first(Boxes.childrenLenient(d, b.body(), b.end(), base), "data");
            if (data != null && data.bodySize() >= 8) {
                put(out, key, text(d, data.body() + 8, data.end(), false));
            }
            return;
        }
        int length = Boxes.u16(d, b.body());
        int from = b.body() + 4;
        put(out, key, text(d, from, Math.min(b.end(), from + length), false));
    }

    private static void asset(byte[] d, Box b, Map<String, String> out) {
        String key = NAMES.get(b.name());
        if (b.bodySize() < 7) {
            return;
        }
        int from = b.body() + 6; // version/flags, language
        boolean utf16 = (d[from] & 0xFF) == 0xFE && (d[from + 1] & 0xFF) == 0xFF;
        put(out, key, text(d, utf16 ? from + 2 : from, b.end(), utf16));
    }

    private static String text(byte[] d, int from, int to, boolean utf16) {
        int end = Math.min(to, from + MAX_TEXT);
        if (from >= end) {
            return "";
        }
        String s = new String(d, from, end - from, utf16 ? StandardCharsets.UTF_16BE : StandardCharsets.UTF_8);
        int nul = s.indexOf('\0');
        return (nul >= 0 ? s.substring(0, nul) : s).strip();
    }

    private static void put(Map<String, String> out, String key, String value) {
        if (!value.isEmpty()) {
            out.putIfAbsent(key, value);
        }
    }
}
