package io.millrace.media.mp3;

import io.millrace.media.MediaFormatException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

import static io.millrace.media.mp3.Mp3TestFiles.H_128K_STEREO;
import static io.millrace.media.mp3.Mp3TestFiles.apeTag;
import static io.millrace.media.mp3.Mp3TestFiles.concat;
import static io.millrace.media.mp3.Mp3TestFiles.frame;
import static io.millrace.media.mp3.Mp3TestFiles.frames;
import static io.millrace.media.mp3.Mp3TestFiles.id3v1;
import static io.millrace.media.mp3.Mp3TestFiles.id3v2;
import static io.millrace.media.mp3.Mp3TestFiles.readAll;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Broken, truncated and padded files, built byte by byte (no ffmpeg needed). */
class Mp3DamagedTest {
    @TempDir
    Path dir;

    static void assertFormatError(Path file, String messagePart) {
        assertThatThrownBy(() -> Mp3Index.build(file))
                .isExactlyInstanceOf(MediaFormatException.class)
                .hasMessageContaining(messagePart)
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain("\n"));
    }

    private Path write(String name, byte[] bytes) throws IOException {
        Path p = dir.resolve(name);
        Files.write(p, bytes);
        return p;
    }

    /** Offsets of the frames in a stream built from {@code frames(n)} starting at {@code base}. */
    private static List<Long> offsets(long base, int n) {
        List<Long> out = new ArrayList<>();
        long at = base;
        for (int i = 0; i < n; i++) {
            out.add(at);
            at += i % 3 == 2 ? 418 : 417;
        }
        return out;
    }

    private static List<Long> offsetsOf(Mp3Index index) {
        List<Long> out = new ArrayList<>();
        for (int i = 0; i < index.frameCount(); i++) {
            out.add(index.frameOffset(i));
        }
        return out;
    }

    @Test
    void zeroLength() throws Exception {
        assertFormatError(write("empty.mp3", new byte[0]), "is empty");
    }

    @Test
    void randomGarbage() throws Exception {
        byte[] garbage = new byte[256 * 1024];
        new Random(42).nextBytes(garbage);
        assertFormatError(write("garbage.mp3", garbage), "no MPEG audio frames");
    }

    @Test
    void garbageWithLoneHeaders() throws Exception {
        byte[] garbage = new byte[64 * 1024];
        new Random(7).nextBytes(garbage);
        for (int at = 100; at + 4 < garbage.length; at += 1000) {
            // valid headers, but never another one where they say the next frame starts
            System.arraycopy(frame(H_128K_STEREO), 0, garbage, at, 4);
        }
        assertFormatError(write("lone.mp3", garbage), "no MPEG audio frames");
        assertFormatError(write("text.mp3", "just some text, not audio\n".repeat(40).getBytes()), "no MPEG audio frames");
    }

    @Test
    void onlyAnId3Tag() throws Exception {
        byte[] tag = id3v2(3, 0, Mp3TestFiles.frame23("TIT2", 0, Mp3TestFiles.text(0, "x")));
        assertFormatError(write("tagonly.mp3", tag), "no MPEG audio frames");
    }

    @Test
    void onlyAXingFrame() throws Exception {
        byte[] xing = frame(0xFFFB90C0); // mono: the Xing header is at 4 + 17
        System.arraycopy("Xing".getBytes(), 0, xing, 21, 4);
        xing[28] = 1;
        assertFormatError(write("xingonly.mp3", xing), "after its Xing header");
        Mp3Index index = Mp3Index.build(write("xingone.mp3", concat(xing, frame(0xFFFB90C0))));
        assertThat(index.frameCount()).isEqualTo(1);
        assertThat(index.vbrHeaderType()).isEqualTo("Xing");
        assertThat(index.frameOffset(0)).isEqualTo(417);
    }

    @Test
    void truncatedId3() throws Exception {
        assertFormatError(write("id3header.mp3", new byte[] {'I', 'D', '3', 3, 0}), "truncated ID3v2 header");
        byte[] tag = id3v2(4, 0, new byte[5000]);
        assertFormatError(write("id3body.mp3", Arrays.copyOf(tag, 3000)), "truncated ID3v2 tag");
        // a footer flag makes the tag 10 bytes longer than its size says
        byte[] footer = id3v2(4, 0x10, new byte[100]);
        assertFormatError(write("id3footer.mp3", footer), "truncated ID3v2 tag");
    }

    @Test
    void cleanSyntheticStream() throws Exception {
        Mp3Index index = Mp3Index.build(write("clean.mp3", frames(30)));
        assertThat(offsetsOf(index)).isEqualTo(offsets(0, 30));
        assertThat(index.skippedBytes()).isZero();
        assertThat(index.truncated()).isFalse();
        assertThat(index.durationMs()).isEqualTo(Math.round(30 * 1152 * 1000 / 44100.0));
        assertThat(index.channels()).isEqualTo(2);
        assertThat(index.soundByte()).isEqualTo(0x2F);
    }

    @Test
    void singleFrameFile() throws Exception {
        Mp3Index index = Mp3Index.build(write("one.mp3", frames(1)));
        assertThat(index.frameCount()).isEqualTo(1);
        assertThat(index.durationMs()).isEqualTo(26);
    }

    @Test
    void resynchronisesOverGarbageInTheMiddle() throws Exception {
        byte[] junk = new byte[1000];
        Arrays.fill(junk, (byte) 0x42);
        byte[] falseSync = concat(Arrays.copyOf(frame(H_128K_STEREO), 4), new byte[50]);
        byte[] file = concat(frames(20), junk, frames(20), falseSync, frames(20));
        Mp3Index index = Mp3Index.build(write("middle.mp3", file));
        // the frame right before the junk has no header after it to vouch for it: dropped with the junk;
        // the one before the false sync is vouched for by that header; the false one is not
        List<Long> expected = new ArrayList<>(offsets(0, 19));
        long second = frames(20).length + junk.length;
        expected.addAll(offsets(second, 20));
        expected.addAll(offsets(second + frames(20).length + falseSync.length, 20));
        assertThat(offsetsOf(index)).isEqualTo(expected);
        assertThat(index.skippedBytes()).isEqualTo(417 + junk.length + falseSync.length);
        assertThat(readAll(index, -1, f -> assertThat(f.content().readableBytes()).isIn(418, 419))).isEqualTo(59);
    }

    @Test
    void skipsId3TagsBetweenFrames() throws Exception {
        // a tag whose picture is full of sync words, between two songs
        byte[] picture = new byte[3000];
        for (int i = 0; i < picture.length; i += 417) {
            System.arraycopy(frames(1), 0, picture, i, Math.min(417, picture.length - i));
        }
        byte[] tag = id3v2(3, 0, concat(Mp3TestFiles.frame23("TIT2", 0, Mp3TestFiles.text(0, "Song 2")),
                Mp3TestFiles.frame23("APIC", 0, picture)));
        Mp3Index index = Mp3Index.build(write("joined.mp3", concat(frames(10), tag, frames(10))));
        List<Long> expected = new ArrayList<>(offsets(0, 10));
        expected.addAll(offsets(frames(10).length + tag.length, 10));
        assertThat(offsetsOf(index)).isEqualTo(expected);
        assertThat(index.skippedBytes()).isEqualTo(tag.length);
        assertThat(index.id3().title()).isNull(); // the second song's tag is not this file's
    }

    @Test
    void resynchronisesOverLeadingJunkAndTagPadding() throws Exception {
        byte[] junk = new byte[333];
        new Random(1).nextBytes(junk);
        byte[] tag = id3v2(3, 0, concat(Mp3TestFiles.frame23("TIT2", 0, Mp3TestFiles.text(0, "Padded")), new byte[200]));
        byte[] zeros = new byte[77]; // padding some writers leave after the tag, outside its size
        Mp3Index index = Mp3Index.build(write("lead.mp3", concat(tag, zeros, junk, frames(10))));
        assertThat(index.audioStart()).isEqualTo(tag.length);
        assertThat(index.frameOffset(0)).isEqualTo(tag.length + zeros.length + junk.length);
        assertThat(index.frameCount()).isEqualTo(10);
        assertThat(index.id3().title()).isEqualTo("Padded");
    }

    @Test
    void otherStreamParametersAreGarbage() throws Exception {
        // a run of 48 kHz frames in a 44.1 kHz file would break the timestamps: skipped
        byte[] other = concat(frame(0xFFFB9400), frame(0xFFFB9400), frame(0xFFFB9400));
        Mp3Index index = Mp3Index.build(write("mixed.mp3", concat(frames(10), other, frames(10))));
        assertThat(index.frameCount()).isEqualTo(19); // the 10th frame is followed by no header of its stream
        assertThat(index.skippedBytes()).isEqualTo(417 + other.length);
    }

    @Test
    void truncatedMidFrame() throws Exception {
        byte[] all = frames(10);
        for (int cut : new int[] {all.length - 1, all.length - 400, all.length - 417, all.length - 415}) {
            Mp3Index index = Mp3Index.build(write("cut" + cut + ".mp3", Arrays.copyOf(all, cut)));
            assertThat(index.frameCount()).as("cut at %d", cut).isEqualTo(9);
            assertThat(readAll(index, -1, f -> { })).isEqualTo(9);
        }
        Mp3Index index = Mp3Index.build(write("cut-mid.mp3", Arrays.copyOf(all, all.length - 1)));
        assertThat(index.truncated()).isTrue();
    }

    @Test
    void trailingTagsAreNotFrames() throws Exception {
        byte[] v1 = id3v1("V1 title", "V1 artist", "V1 album", "1999", "a comment", 17);
        byte[] audio = frames(12);
        Path file = write("tails.mp3", concat(audio, Mp3TestFiles.lyrics3v2(), apeTag(), v1));
        Mp3Index index = Mp3Index.build(file);
        assertThat(index.audioEnd()).isEqualTo(audio.length);
        assertThat(offsetsOf(index)).isEqualTo(offsets(0, 12));
        assertThat(index.skippedBytes()).isZero();
        assertThat(index.id3()).isEqualTo(new Id3Tags("V1 title", "V1 artist", "V1 album", "1999", "Rock", "a comment"));
        assertThat(index.metadata().getString("comment")).isEqualTo("a comment");

        // an APE tag without header, and an extended ID3v1 block
        byte[] ape = apeTag();
        byte[] apeNoHeader = Arrays.copyOfRange(ape, 32, ape.length);
        apeNoHeader[apeNoHeader.length - 12] = 0; // flags: no header
        apeNoHeader[apeNoHeader.length - 9] = 0;
        byte[] tagPlus = new byte[227];
        System.arraycopy("TAG+".getBytes(), 0, tagPlus, 0, 4);
        Mp3Index other = Mp3Index.build(write("tails2.mp3", concat(audio, apeNoHeader, tagPlus, v1)));
        assertThat(other.audioEnd()).isEqualTo(audio.length);
        assertThat(other.frameCount()).isEqualTo(12);
    }

    @Test
    void appendedId3v24WithFooter() throws Exception {
        byte[] body = Mp3TestFiles.frame24("TIT2", 0, Mp3TestFiles.text(3, "At the end"));
        byte[] tag = id3v2(4, 0x10, body);
        byte[] footer = tag.clone();
        byte[] foot = Arrays.copyOf(footer, 10);
        foot[0] = '3';
        foot[1] = 'D';
        foot[2] = 'I';
        byte[] audio = frames(8);
        Mp3Index index = Mp3Index.build(write("appended.mp3", concat(audio, tag, foot)));
        assertThat(index.audioEnd()).isEqualTo(audio.length);
        assertThat(index.frameCount()).isEqualTo(8);
        assertThat(index.id3().title()).isEqualTo("At the end");
    }

    @Test
    void malformedId3HeaderIsScannedOver() throws Exception {
        byte[] bad = {'I', 'D', '3', 3, 0, 0, (byte) 0x80, 0, 0, 0}; // size byte not syncsafe
        Mp3Index index = Mp3Index.build(write("badid3.mp3", concat(bad, new byte[20], frames(5))));
        assertThat(index.frameCount()).isEqualTo(5);
        assertThat(index.frameOffset(0)).isEqualTo(30);
    }

    @Test
    void readerStopsWhenTheFileShrinksAfterIndexing() throws Exception {
        Path file = write("shrinks.mp3", frames(10));
        Mp3Index index = Mp3Index.build(file);
        Files.write(file, Arrays.copyOf(frames(10), 417 * 5 + 100));
        assertThat(readAll(index, -1, f -> { })).isEqualTo(5);
        Files.write(file, concat(frames(3), new byte[5000]));
        assertThat(readAll(index, -1, f -> { })).isEqualTo(3);
    }
}
