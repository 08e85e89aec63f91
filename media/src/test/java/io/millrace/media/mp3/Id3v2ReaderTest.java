package io.millrace.media.mp3;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import static io.millrace.media.mp3.Mp3TestFiles.be32;
import static io.millrace.media.mp3.Mp3TestFiles.concat;
import static io.millrace.media.mp3.Mp3TestFiles.frame22;
import static io.millrace.media.mp3.Mp3TestFiles.frame23;
import static io.millrace.media.mp3.Mp3TestFiles.frame24;
import static io.millrace.media.mp3.Mp3TestFiles.frames;
import static io.millrace.media.mp3.Mp3TestFiles.id3v2;
import static io.millrace.media.mp3.Mp3TestFiles.syncsafe;
import static io.millrace.media.mp3.Mp3TestFiles.text;
import static org.assertj.core.api.Assertions.assertThat;

/** ID3v2 tags of each version built byte by byte, read through {@link Mp3Index#build}. */
class Id3v2ReaderTest {
    @TempDir
    Path dir;

    private Mp3Index index(byte[] tag) throws Exception {
        Path file = dir.resolve("t" + System.nanoTime() + ".mp3");
        Files.write(file, concat(tag, frames(5)));
        Mp3Index index = Mp3Index.build(file);
        assertThat(index.audioStart()).isEqualTo(tag.length);
        assertThat(index.frameCount()).isEqualTo(5);
        assertThat(index.frameOffset(0)).isEqualTo(tag.length);
        return index;
    }

    /** ID3 unsynchronisation: a zero byte after every 0xFF. */
    private static byte[] unsync(byte[] b) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte x : b) {
            out.write(x);
            if (x == (byte) 0xFF) {
                out.write(0);
            }
        }
        return out.toByteArray();
    }

    private static byte[] comment(int enc, String description, String text) {
        byte[] terminator = enc == 1 || enc == 2 ? new byte[2] : new byte[1];
        byte[] desc = text(enc, description);
        byte[] body = text(enc, text);
        return concat(new byte[] {(byte) enc}, "eng".getBytes(StandardCharsets.US_ASCII),
                java.util.Arrays.copyOfRange(desc, 1, desc.length), terminator,
                java.util.Arrays.copyOfRange(body, 1, body.length));
    }

    @Test
    void version22() throws Exception {
        byte[] body = concat(
                frame22("TT2", text(0, "Title 2.2")),
                frame22("TP1", text(1, "Artïst ☃")),
                frame22("TAL", text(0, "Album")),
                frame22("TYE", text(0, "1987")),
                frame22("TCO", text(0, "(17)")),
                frame22("COM", comment(0, "", "comment 2.2")),
                new byte[30]);
        Mp3Index index = index(id3v2(2, 0, body));
        assertThat(index.id3()).isEqualTo(new Id3Tags("Title 2.2", "Artïst ☃", "Album", "1987", "Rock", "comment 2.2"));
        assertThat(index.metadata().getString("genre")).isEqualTo("Rock");
    }

    @Test
    void version23WithUnsynchronisationAndExtendedHeader() throws Exception {
        byte[] ext = concat(be32(6), new byte[6]);
        byte[] body = concat(ext,
                frame23("TIT2", 0x80, concat(be32(100), new byte[] {0x78, 0x01})), // compressed: skipped
                frame23("TIT2", 0, text(0, "Caf\u00e9 \u00ff\u00ff")),
                frame23("TPE1", 0, text(2, "Big-endian ünicode")),
                frame23("TALB", 0, text(3, "UTF-8 älbum")),
                frame23("TYER", 0x20, concat(new byte[] {7}, text(0, "2001"))), // grouping byte first
                frame23("TCON", 0, text(0, "(12)Other stuff")),
                frame23("COMM", 0, comment(1, "iTunNORM", " 000001 000002")),
                frame23("COMM", 0, comment(1, "", "the comment")),
                new byte[64]);
        byte[] tag = id3v2(3, 0x80 | 0x40, unsync(body));
        Mp3Index index = index(tag);
        assertThat(index.id3()).isEqualTo(new Id3Tags("Café ÿÿ", "Big-endian ünicode", "UTF-8 älbum", "2001",
                "Other stuff", "the comment"));
    }

    @Test
    void version24WithFooterFrameUnsynchronisationAndDataLength() throws Exception {
        byte[] ext = concat(syncsafe(6), new byte[] {1, 0});
        byte[] title = text(0, "\u00ff\u00e9t\u00e9");
        byte[] stored = concat(syncsafe(title.length), unsync(title));
        byte[] bigEndianBom = concat(new byte[] {1, (byte) 0xFE, (byte) 0xFF}, "BOM artist".getBytes(StandardCharsets.UTF_16BE));
        byte[] body = concat(ext,
                frame24("TIT2", 0x03, stored),
                frame24("TPE1", 0, bigEndianBom),
                frame24("TDRC", 0, text(3, "2019-03-04T10:00")),
                frame24("TCON", 0, text(3, "Jazz")),
                frame24("TALB", 0x40, concat(new byte[] {9}, text(3, "Grouped"))),
                frame24("COMM", 0, comment(3, "", "utf8 comment")),
                new byte[100]);
        byte[] tag = id3v2(4, 0x40 | 0x10, body);
        byte[] footer = java.util.Arrays.copyOf(tag, 10);
        footer[0] = '3';
        footer[1] = 'D';
        footer[2] = 'I';
        Mp3Index index = index(concat(tag, footer));
        assertThat(index.id3()).isEqualTo(new Id3Tags("ÿété", "BOM artist", "Grouped", "2019", "Jazz", "utf8 comment"));
    }

    @Test
    void version24PlainFrameSizesAndMultipleValues() throws Exception {
        String longTitle = "x".repeat(127);
        byte[] title = text(0, longTitle); // 128 bytes: a plain size 0x00000080 is not syncsafe
        byte[] titleFrame = concat("TIT2".getBytes(StandardCharsets.US_ASCII), be32(title.length), new byte[2], title);
        byte[] artists = text(3, "First\0Second");
        Mp3Index index = index(id3v2(4, 0, concat(titleFrame, frame24("TPE1", 0, artists))));
        assertThat(index.id3().title()).isEqualTo(longTitle);
        assertThat(index.id3().artist()).isEqualTo("First");
    }

    @Test
    void bigPictureBeforeTheTitle() throws Exception {
        byte[] picture = new byte[300_000];
        java.util.Arrays.fill(picture, (byte) 0xFF);
        byte[] body = concat(frame23("APIC", 0, picture), frame23("TIT2", 0, text(1, "After the picture")));
        assertThat(index(id3v2(3, 0, body)).id3().title()).isEqualTo("After the picture");
    }

    @Test
    void utf16WithoutBom() throws Exception {
        byte[] le = concat(new byte[] {1}, "no bom".getBytes(StandardCharsets.UTF_16LE));
        byte[] be = concat(new byte[] {1}, "big".getBytes(StandardCharsets.UTF_16BE));
        Mp3Index index = index(id3v2(3, 0, concat(frame23("TIT2", 0, le), frame23("TPE1", 0, be))));
        assertThat(index.id3().title()).isEqualTo("no bom");
        assertThat(index.id3().artist()).isEqualTo("big");
    }

    @Test
    void twoTagsInARowAndUnknownVersions() throws Exception {
        byte[] first = id3v2(3, 0, frame23("TIT2", 0, text(0, "First title")));
        byte[] second = id3v2(4, 0, concat(frame24("TIT2", 0, text(0, "Second title")), frame24("TPE1", 0, text(0, "Second artist"))));
        byte[] future = id3v2(5, 0, frame24("TIT2", 0, text(0, "unknown")));
        Mp3Index index = index(concat(first, second, future));
        assertThat(index.id3().title()).isEqualTo("First title");
        assertThat(index.id3().artist()).isEqualTo("Second artist");
    }

    @Test
    void brokenBodiesKeepWhatWasRead() throws Exception {
        // a frame whose size runs past the tag ends the frame list; an encoding byte out of range is ignored
        byte[] body = concat(frame23("TIT2", 0, text(0, "Kept")), frame23("TALB", 0, new byte[] {9, 'a'}),
                "TPE1".getBytes(StandardCharsets.US_ASCII), be32(10_000), new byte[2], text(0, "lost"));
        Mp3Index index = index(id3v2(3, 0, body));
        assertThat(index.id3()).isEqualTo(new Id3Tags("Kept", null, null, null, null, null));
        assertThat(index.metadata()).containsKey("title").doesNotContainKeys("artist", "album");
        // an empty tag, and one with only padding
        assertThat(index(id3v2(3, 0, new byte[0])).id3().isEmpty()).isTrue();
        assertThat(index(id3v2(4, 0, new byte[500])).id3()).isEqualTo(Id3Tags.EMPTY);
        // an extended header larger than the tag
        assertThat(index(id3v2(3, 0x40, concat(be32(1000), new byte[20]))).id3().isEmpty()).isTrue();
    }

    @Test
    void genresAndYears() {
        assertThat(Id3.resolveGenre("(17)")).isEqualTo("Rock");
        assertThat(Id3.resolveGenre("17")).isEqualTo("Rock");
        assertThat(Id3.resolveGenre("(0)")).isEqualTo("Blues");
        assertThat(Id3.resolveGenre("(79)")).isEqualTo("Hard Rock");
        assertThat(Id3.resolveGenre("(147)")).isEqualTo("Synthpop");
        assertThat(Id3.resolveGenre("(4)Eurodisco")).isEqualTo("Eurodisco");
        assertThat(Id3.resolveGenre("(RX)")).isEqualTo("Remix");
        assertThat(Id3.resolveGenre("(CR)")).isEqualTo("Cover");
        assertThat(Id3.resolveGenre("((Something)")).isEqualTo("(Something)");
        assertThat(Id3.resolveGenre("(31)(17)")).isEqualTo("Trance");
        assertThat(Id3.resolveGenre("(255)")).isNull();
        assertThat(Id3.resolveGenre("Drum'n'Bass")).isEqualTo("Drum'n'Bass");
        assertThat(Id3.yearOf("2019-03-04")).isEqualTo("2019");
        assertThat(Id3.yearOf("1999")).isEqualTo("1999");
        assertThat(Id3.yearOf("circa 1900")).isEqualTo("circa 1900");
        assertThat(Id3.syncsafe(0x00000201)).isEqualTo(257);
        assertThat(Id3.syncsafe(0x7F7F7F7F)).isEqualTo((1L << 28) - 1);
        assertThat(Id3.syncsafe(0x00000080)).isEqualTo(-1);
    }

    @Test
    void id3TagsMergeAndTrim() {
        Id3Tags a = new Id3Tags(" a ", null, "", "y\0", null, null);
        assertThat(a).isEqualTo(new Id3Tags("a", null, null, "y", null, null));
        Id3Tags b = new Id3Tags("b", "B", "C", "D", "E", "F");
        assertThat(a.orElse(b)).isEqualTo(new Id3Tags("a", "B", "C", "y", "E", "F"));
        assertThat(Id3Tags.EMPTY.isEmpty()).isTrue();
        assertThat(a.orElse(null)).isSameAs(a);
    }
}
