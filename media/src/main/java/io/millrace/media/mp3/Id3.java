package io.millrace.media.mp3;

import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** ID3 helpers shared by the v1 and v2 readers: text decoding, genres, the ID3v1 layout. */
final class Id3 {
    /** Size of an ID3v1 tag ("TAG" + 125 bytes) at the very end of a file. */
    static final int V1_SIZE = 128;
    /** Size of the "TAG+" extended ID3v1 block some taggers put right before the ID3v1 tag. */
    static final int V1_EXTENDED_SIZE = 227;

    /** ID3v1 genres 0-79 and the Winamp extensions 80-147. */
    private static final String[] GENRES = {
        "Blues", "Classic Rock", "Country", "Dance", "Disco", "Funk", "Grunge", "Hip-Hop", "Jazz", "Metal",
        "New Age", "Oldies", "Other", "Pop", "R&B", "Rap", "Reggae", "Rock", "Techno", "Industrial",
        "Alternative", "Ska", "Death Metal", "Pranks", "Soundtrack", "Euro-Techno", "Ambient", "Trip-Hop",
        "Vocal", "Jazz+Funk", "Fusion", "Trance", "Classical", "Instrumental", "Acid", "House", "Game",
        "Sound Clip", "Gospel", "Noise", "AlternRock", "Bass", "Soul", "Punk", "Space", "Meditative",
        "Instrumental Pop", "Instrumental Rock", "Ethnic", "Gothic", "Darkwave", "Techno-Industrial",
        "Electronic", "Pop-Folk", "Eurodance", "Dream", "Southern Rock", "Comedy", "Cult", "Gangsta",
        "Top 40", "Christian Rap", "Pop/Funk", "Jungle", "Native American", "Cabaret", "New Wave",
        "Psychedelic", "Rave", "Showtunes", "Trailer", "Lo-Fi", "Tribal", "Acid Punk", "Acid Jazz", "Polka",
        "Retro", "Musical", "Rock & Roll", "Hard Rock",
        "Folk", "Folk-Rock", "National Folk", "Swing", "Fast Fusion", "Bebop", "Latin", "Revival", "Celtic",
        "Bluegrass", "Avantgarde", "Gothic Rock", "Progressive Rock", "Psychedelic Rock", "Symphonic Rock",
        "Slow Rock", "Big Band", "Chorus", "Easy Listening", "Acoustic", "Humour", "Speech", "Chanson",
        "Opera", "Chamber Music", "Sonata", "Symphony", "Booty Bass", "Primus", "Porn Groove", "Satire",
        "Slow Jam", "Club", "Tango", "Samba", "Folklore", "Ballad", "Power Ballad", "Rhythmic Soul",
        "Freestyle", "Duet", "Punk Rock", "Drum Solo", "A Cappella", "Euro-House", "Dance Hall", "Goa",
        "Drum & Bass", "Club-House", "Hardcore", "Terror", "Indie", "BritPop", "Afro-Punk", "Polsk Punk",
        "Beat", "Christian Gangsta Rap", "Heavy Metal", "Black Metal", "Crossover", "Contemporary Christian",
        "Christian Rock", "Merengue", "Salsa", "Thrash Metal", "Anime", "JPop", "Synthpop",
    };

    private static final Pattern PAREN_GENRE = Pattern.compile("^\\((\\d{1,3}|RX|CR)\\)(.*)$", Pattern.DOTALL);
    private static final Pattern YEAR = Pattern.compile("^(\\d{4})(?:$|[-T ].*)", Pattern.DOTALL);

    private Id3() {
    }

    /** The genre name for ID3v1 genre number {@code n}, or null. */
    static String genreName(int n) {
        return n >= 0 && n < GENRES.length ? GENRES[n] : null;
    }

    /** A TCON value ("Rock", "17", "(17)", "(17)Rock", "(RX)") as a genre name. */
    static String resolveGenre(String value) {
        if (value == null) {
            return null;
        }
        String v = value.trim();
        if (v.startsWith("((")) {
            return v.substring(1); // an escaped "(" starting a plain name
        }
        Matcher m = PAREN_GENRE.matcher(v);
        if (m.matches()) {
            String rest = m.group(2).trim();
            if (rest.startsWith("((")) {
                return rest.substring(1);
            }
            if (!rest.isEmpty() && !rest.startsWith("(")) {
                return rest; // "(17)Rock": the refinement wins
            }
            return switch (m.group(1)) {
                case "RX" -> "Remix";
                case "CR" -> "Cover";
                default -> genreName(Integer.parseInt(m.group(1)));
            };
        }
        if (!v.isEmpty() && v.length() <= 3 && v.chars().allMatch(Character::isDigit)) {
            return genreName(Integer.parseInt(v));
        }
        return v;
    }

    /** TDRC "2021-05-01T10:00" as "2021"; other values unchanged. */
    static String yearOf(String value) {
        if (value == null) {
            return null;
        }
        Matcher m = YEAR.matcher(value.trim());
        return m.matches() ? m.group(1) : value;
    }

    /** The charset of ID3v2 text encoding {@code enc} (0 ISO-8859-1, 1 UTF-16 with BOM, 2 UTF-16BE, 3 UTF-8). */
    static Charset charset(int enc) {
        return switch (enc) {
            case 1 -> StandardCharsets.UTF_16;
            case 2 -> StandardCharsets.UTF_16BE;
            case 3 -> StandardCharsets.UTF_8;
            default -> StandardCharsets.ISO_8859_1;
        };
    }

    /**
     * The end (exclusive) of the string starting at {@code off} in encoding {@code enc}: the offset of its
     * terminator (one zero byte, or two aligned ones for UTF-16), or {@code end}.
     */
    static int stringEnd(byte[] b, int off, int end, int enc) {
        if (enc == 1 || enc == 2) {
            for (int i = off; i + 1 < end; i += 2) {
                if (b[i] == 0 && b[i + 1] == 0) {
                    return i;
                }
            }
            return end;
        }
        for (int i = off; i < end; i++) {
            if (b[i] == 0) {
                return i;
            }
        }
        return end;
    }

    /** Width of the terminator of a string in encoding {@code enc}. */
    static int terminatorSize(int enc) {
        return enc == 1 || enc == 2 ? 2 : 1;
    }

    /** Decodes {@code b[off..end)} in encoding {@code enc}; UTF-16 without a BOM is taken as little-endian
     * when it looks so (ASCII text, zero high bytes), else big-endian. */
    static String decode(byte[] b, int off, int end, int enc) {
        if (end <= off) {
            return "";
        }
        Charset cs = charset(enc);
        if (enc == 1) {
            int n = end - off;
            boolean bom = n >= 2 && ((b[off] == (byte) 0xFF && b[off + 1] == (byte) 0xFE)
                    || (b[off] == (byte) 0xFE && b[off + 1] == (byte) 0xFF));
            if (!bom && n >= 2 && b[off] != 0 && b[off + 1] == 0) {
                cs = StandardCharsets.UTF_16LE;
            }
        }
        return new String(b, off, end - off, cs);
    }

    /** The first string of a text frame's data (encoding byte + text). */
    static String textFrame(byte[] b, int off, int end) {
        if (end - off < 1) {
            return null;
        }
        int enc = b[off] & 0xFF;
        if (enc > 3) {
            return null;
        }
        int start = off + 1;
        return decode(b, start, stringEnd(b, start, end, enc), enc);
    }

    /** A comment frame's data (encoding, language, description, text) as {description, text}, or null. */
    static String[] commentFrame(byte[] b, int off, int end) {
        if (end - off < 4) {
            return null;
        }
        int enc = b[off] & 0xFF;
        if (enc > 3) {
            return null;
        }
        int descStart = off + 4;
        int descEnd = stringEnd(b, descStart, end, enc);
        String description = decode(b, descStart, descEnd, enc);
        int textStart = Math.min(end, descEnd + terminatorSize(enc));
        String text = decode(b, textStart, stringEnd(b, textStart, end, enc), enc);
        return new String[] {description, text};
    }

    /** The fields of the 128-byte ID3v1 tag {@code tag} (starting with "TAG"). */
    static Id3Tags parseV1(byte[] tag) {
        String title = latin1(tag, 3, 30);
        String artist = latin1(tag, 33, 30);
        String album = latin1(tag, 63, 30);
        String year = latin1(tag, 93, 4);
        // ID3v1.1: a zero byte at 125 and a track number at 126 shorten the comment to 28 bytes.
        int commentLength = tag[125] == 0 && tag[126] != 0 ? 28 : 30;
        String comment = latin1(tag, 97, commentLength);
        String genre = genreName(tag[127] & 0xFF);
        return new Id3Tags(title, artist, album, year, genre, comment);
    }

    private static String latin1(byte[] b, int off, int max) {
        int end = off;
        while (end < off + max && b[end] != 0) {
            end++;
        }
        return new String(b, off, end - off, StandardCharsets.ISO_8859_1);
    }

    /** Decodes a 28-bit syncsafe integer (four bytes of 7 bits), or -1 when a byte has its high bit set. */
    static long syncsafe(int word) {
        if ((word & 0x80808080) != 0) {
            return -1;
        }
        return (word & 0x7F) | (word >>> 8 & 0x7F) << 7 | (word >>> 16 & 0x7F) << 14 | (long) (word >>> 24 & 0x7F) << 21;
    }

    /** Removes the ID3 unsynchronisation of {@code b[off..end)} (every 0xFF 0x00 becomes 0xFF), in a new array. */
    static byte[] resynchronise(byte[] b, int off, int end) {
        byte[] out = new byte[end - off];
        int n = 0;
        for (int i = off; i < end; i++) {
            out[n++] = b[i];
            if (b[i] == (byte) 0xFF && i + 1 < end && b[i + 1] == 0) {
                i++;
            }
        }
        return n == out.length ? out : java.util.Arrays.copyOf(out, n);
    }
}
