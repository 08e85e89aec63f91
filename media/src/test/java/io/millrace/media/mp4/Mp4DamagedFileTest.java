package io.millrace.media.mp4;

import io.millrace.media.MediaFormatException;
import io.millrace.media.MediaFrame;
import io.millrace.media.MediaReader;
import org.assertj.core.api.AbstractThrowableAssert;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;

import static io.millrace.media.mp4.BoxWriter.box;
import static io.millrace.media.mp4.BoxWriter.concat;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Broken files fail to index with a one-line {@link MediaFormatException}, never another exception. */
class Mp4DamagedFileTest {
    @TempDir
    Path dir;

    private AbstractThrowableAssert<?, ? extends Throwable> refused(byte[] bytes) throws Exception {
        Path f = dir.resolve("bad.mp4");
        Files.write(f, bytes);
        return refused(f);
    }

    private static AbstractThrowableAssert<?, ? extends Throwable> refused(Path f) {
        return assertThatThrownBy(() -> Mp4Index.build(f)).isInstanceOf(MediaFormatException.class)
                .hasMessageStartingWith(f.getFileName() + ": ")
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain("\n"));
    }

    private AbstractThrowableAssert<?, ? extends Throwable> refused(SmallMovie movie) throws Exception {
        return refused(movie.bytes());
    }

    @Test
    void emptyFile() throws Exception {
        refused(new byte[0]).hasMessageContaining("the file is empty");
    }

    @Test
    void garbage() throws Exception {
        byte[] random = new byte[4096];
        new Random(7).nextBytes(random);
        random[4] = 1; // a non-printable box type
        refused(random).hasMessageContaining("not an MP4");
        refused("This is not a video file at all, only text.".repeat(50).getBytes(StandardCharsets.US_ASCII))
                .hasMessageContaining("no moov box");
        refused(new byte[] {0, 0, 0}).hasMessageContaining("not an MP4");
    }

    @Test
    void noMoov() throws Exception {
        refused(concat(BoxWriter.ftyp(), box("mdat", new byte[1000]))).hasMessageContaining("no moov box in the file");
        // mdat that claims more bytes than the file has (a recording cut off before its moov was written)
        byte[] cut = Arrays.copyOf(concat(BoxWriter.ftyp(), box("mdat", new byte[1000])), 500);
        refused(cut).hasMessageContaining("no moov box").hasMessageContaining("'mdat' box at offset 24 runs past the end");
    }

    @Test
    void truncatedMoov() throws Exception {
        byte[] whole = new SmallMovie().bytes();
        refused(Arrays.copyOf(whole, whole.length - 40)).hasMessageContaining("moov box at offset 1232 is truncated");
    }

    @Test
    void absurdBoxSizes() throws Exception {
        refused(concat(new BoxWriter().u32(4).fourcc("ftyp").toBytes(), new byte[20])).hasMessageContaining("invalid size 4");
        SmallMovie movie = new SmallMovie();
        movie.moovExtra = new BoxWriter().u32(0x7FFFFFF0L).fourcc("udta").zeros(8).toBytes();
        refused(movie).hasMessageContaining("'udta' at offset").hasMessageContaining("invalid size");
        movie = new SmallMovie();
        movie.videoStsz = new BoxWriter().u32(0xFFFFFF00L).fourcc("stsz").zeros(12).toBytes();
        refused(movie).hasMessageContaining("'stsz'");
    }

    @Test
    void largeSizeHeaderCutOffAtTheEnd() throws Exception {
        refused(concat(BoxWriter.ftyp(), new BoxWriter().u32(1).fourcc("mdat").u32(0).toBytes()))
                .hasMessageContaining("'mdat' box at offset 24 runs past the end");
        refused(concat(BoxWriter.ftyp(), new BoxWriter().u32(1).fourcc("free").u64(-5).toBytes()))
                .hasMessageContaining("'free' box at offset 24 runs past the end");
    }

    @Test
    void compressedMoov() throws Exception {
        refused(concat(BoxWriter.ftyp(), box("moov", box("cmov", new byte[20])))).hasMessageContaining("compressed (cmov)");
    }

    @Test
    void moovOverTheLimit() throws Exception {
        Path f = dir.resolve("huge-moov.mp4");
        try (RandomAccessFile raf = new RandomAccessFile(f.toFile(), "rw")) {
            raf.write(BoxWriter.ftyp());
            raf.writeInt(8);
            raf.writeBytes("free");
            raf.writeInt(300 << 20);
            raf.writeBytes("moov");
            raf.setLength(32 + (300L << 20)); // sparse
        }
        refused(f).hasMessageContaining("over the 256 MiB limit");
    }

    @Test
    void countsBeyondTheirBox() throws Exception {
        SmallMovie movie = new SmallMovie();
        movie.videoStsz = BoxWriter.full("stsz", 0, 0, new BoxWriter().u32(0).u32(1_000_000_000).u32(100).toBytes());
        refused(movie).hasMessageContaining("declares 1000000000 sample sizes");
        movie = new SmallMovie();
        movie.videoStsz = BoxWriter.full("stsz", 0, 0, new BoxWriter().u32(100).u32(2_000_000_000).toBytes());
        refused(movie).hasMessageContaining("more than the file holds");
        movie = new SmallMovie();
        movie.videoStts = BoxWriter.full("stts", 0, 0, new BoxWriter().u32(0x7FFFFFFF).u32(10).u32(40).toBytes());
        refused(movie).hasMessageContaining("'stts'").hasMessageContaining("declares 2147483647 entries");
        movie = new SmallMovie();
        movie.videoStco = BoxWriter.full("stco", 0, 0, new BoxWriter().u32(0xFFFFFFFFL).u32(32).toBytes());
        refused(movie).hasMessageContaining("declares 4294967295 chunk offsets");
        movie = new SmallMovie();
        movie.videoStsz = BoxWriter.stsz(new int[] {100, 100, 100, 100, 100, 100, 100, 100, 100, 20_000_000});
        refused(movie).hasMessageContaining("sample 10 is 20000000 bytes");
    }

    @Test
    void tablesThatDisagree() throws Exception {
        SmallMovie movie = new SmallMovie();
        movie.videoStts = BoxWriter.stts(new long[] {9, 40});
        refused(movie).hasMessageContaining("gives times for 9 samples, the track has 10");
        movie = new SmallMovie();
        movie.videoStco = BoxWriter.stco(new long[] {32});
        refused(movie).hasMessageContaining("place 5 samples, the track has 10");
        movie = new SmallMovie();
        movie.videoStss = BoxWriter.stss(1, 11);
        refused(movie).hasMessageContaining("names sample 11 of a track with 10 samples");
        movie = new SmallMovie();
        movie.videoCtts = BoxWriter.ctts(0, new int[] {0, 0, 0});
        refused(movie).hasMessageContaining("composition offsets for 3 samples");
        movie = new SmallMovie();
        movie.videoStsc = BoxWriter.stsc(new long[] {1, 3}, new long[] {3, 3}, new long[] {2, 4});
        movie.videoStco = BoxWriter.stco(new long[] {32, 332, 632});
        refused(movie).hasMessageContaining("out of order");
        movie = new SmallMovie();
        movie.videoStts = BoxWriter.stts(new long[] {10, 0xFFFFFFFFL}, new long[] {1, 1});
        movie.videoStsz = BoxWriter.stsz(SmallMovie.fill(10, 100));
        assertThat(Mp4Index.build(movie.write(dir.resolve("long.mp4"))).videoSampleCount()).isEqualTo(10);
    }

    @Test
    void missingOrBrokenHeaders() throws Exception {
        SmallMovie movie = new SmallMovie();
        movie.mvhd = new byte[0];
        refused(movie).hasMessageContaining("has no mvhd box");
        movie = new SmallMovie();
        movie.videoEntry = BoxWriter.visualEntry("avc1", 640, 360);
        refused(movie).hasMessageContaining("has no avcC box");
        movie = new SmallMovie();
        movie.videoEntry = BoxWriter.visualEntry("avc1", 640, 360, box("avcC", new byte[] {2, 100, 0, 31, 0, 0, 0}));
        refused(movie).hasMessageContaining("avcC").hasMessageContaining("version 2");
        movie = new SmallMovie();
        movie.audioEntry = BoxWriter.audioEntry("mp4a", 2, 48000);
        refused(movie).hasMessageContaining("has no esds box");
        movie = new SmallMovie();
        movie.audioEntry = BoxWriter.audioEntry("mp4a", 2, 48000, BoxWriter.esds(0x40, null));
        refused(movie).hasMessageContaining("no AAC AudioSpecificConfig");
        movie = new SmallMovie();
        movie.audioEntry = BoxWriter.audioEntry("mp4a", 2, 48000,
                BoxWriter.full("esds", 0, 0, new byte[] {3, 0x7F, 0, 1, 0}));
        refused(movie).hasMessageContaining("exceeds the box");
    }

    @Test
    void noCompleteSample() throws Exception {
        SmallMovie movie = new SmallMovie();
        movie.videoStco = BoxWriter.stco(new long[] {5_000_000, 5_000_500});
        movie.audioStco = BoxWriter.stco(new long[] {5_001_000, 5_001_100});
        refused(movie).hasMessageContaining("no complete audio or video sample");
    }

    @Test
    void largeSizeAndSizeZeroTopLevelBoxes() throws Exception {
        SmallMovie movie = new SmallMovie();
        byte[] payload = movie.payload();
        // ftyp, moov, then mdat with a 64-bit size; offsets move by moov's size + 8
        byte[] moovGuess = movie.moov();
        long payloadAt = 24 + moovGuess.length + 16;
        movie.videoStco = BoxWriter.stco(new long[] {payloadAt, payloadAt + 500});
        movie.audioStco = BoxWriter.stco(new long[] {payloadAt + 1000, payloadAt + 1100});
        byte[] moov = movie.moov();
        assertThat(moov.length).isEqualTo(moovGuess.length);
        byte[] large = concat(BoxWriter.ftyp(), moov, new BoxWriter().u32(1).fourcc("mdat").u64(16 + payload.length)
                .bytes(payload).toBytes());
        Path f = dir.resolve("large.mp4");
        Files.write(f, large);
        assertThat(Mp4Index.build(f).videoSampleCount()).isEqualTo(10);

        movie.videoStco = BoxWriter.stco(new long[] {payloadAt - 8, payloadAt + 492});
        movie.audioStco = BoxWriter.stco(new long[] {payloadAt + 992, payloadAt + 1092});
        byte[] zero = concat(BoxWriter.ftyp(), movie.moov(), new BoxWriter().u32(0).fourcc("mdat").bytes(payload).toBytes());
        Files.write(f, zero);
        Mp4Index index = Mp4Index.build(f);
        try (MediaReader reader = index.openReader()) {
            assertThat(Played.drain(reader)).hasSize(30);
        }
    }

    @Test
    void randomlyDamagedSyntheticMoovs() throws Exception {
        byte[] original = new SmallMovie().bytes();
        Random random = new Random(1234);
        Path f = dir.resolve("fuzz.mp4");
        int built = 0;
        for (int round = 0; round < 2000; round++) {
            byte[] bytes = original.clone();
            for (int k = 0; k < 1 + random.nextInt(3); k++) {
                int at = 1232 + random.nextInt(bytes.length - 1232);
                bytes[at] = (byte) (random.nextBoolean() ? random.nextInt(256) : 0xFF);
            }
            Files.write(f, bytes);
            try {
                Mp4Index index = Mp4Index.build(f);
                built++;
                index.metadata();
                index.seekPointAtOrBefore(200);
                if (index.unsupportedReason() == null) {
                    try (MediaReader reader = index.openReader()) {
                        reader.configFrames(Played.ALLOC).forEach(MediaFrame::release);
                        Played.drain(reader);
                        reader.seek(300);
                        Played.drain(reader);
                    }
                }
            } catch (MediaFormatException e) {
                assertThat(e.getMessage()).startsWith("fuzz.mp4: ").doesNotContain("\n");
            }
        }
        System.out.println("randomly damaged synthetic moov: " + built + " of 2000 still indexed");
    }
}
