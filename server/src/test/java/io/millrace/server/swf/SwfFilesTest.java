package io.millrace.server.swf;

import io.millrace.rtmp.handshake.SwfVerification;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.zip.DeflaterOutputStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class SwfFilesTest {
    private static final long MAX = SwfFiles.DEFAULT_MAX_SIZE;

    @TempDir
    Path tmp;

    private static SwfFiles.SwfDigest digest(byte[] file) throws IOException {
        return SwfFiles.digest(new ByteArrayInputStream(file), MAX);
    }

    @Test
    void theNoteVector() throws Exception {
        byte[] swf = HexFormat.ofDelimiter(" ").parseHex("46 57 53 0A 10 00 00 00 00 01 02 03 04 05 06 07");
        Path f = Files.write(tmp.resolve("v.swf"), swf);
        SwfFiles.SwfDigest d = SwfFiles.digest(f, MAX);
        assertThat(d.size()).isEqualTo(16);
        assertThat(d.hex()).isEqualTo("536e57d6f85e90115c11f3624239d5d2f1fb2ff290bc0bf4717383341f09297e");
    }

    @Test
    void cwsAndZwsHashAsTheirFwsForm() throws Exception {
        byte[] fws = SwfTestFiles.fws(11, 5000, 7);
        byte[] cws = SwfTestFiles.cws(fws);
        byte[] zws = SwfTestFiles.zws(fws);
        assertThat(cws.length).isLessThan(fws.length);
        assertThat(zws.length).isLessThan(fws.length);
        assertThat(new String(zws, 0, 3, java.nio.charset.StandardCharsets.US_ASCII)).isEqualTo("ZWS");

        SwfFiles.SwfDigest plain = digest(fws);
        assertThat(plain.size()).isEqualTo(fws.length);
        assertThat(plain.hash()).isEqualTo(SwfVerification.swfHash(fws));
        for (byte[] compressed : new byte[][] {cws, zws}) {
            Path f = Files.write(tmp.resolve("c" + compressed[0] + ".swf"), compressed);
            SwfFiles.SwfDigest d = SwfFiles.digest(f, MAX);
            assertThat(d.size()).as("%c", compressed[0]).isEqualTo(fws.length);
            assertThat(d.hash()).as("%c", compressed[0]).isEqualTo(plain.hash());
        }
        // A different SWF hashes differently.
        assertThat(digest(SwfTestFiles.fws(11, 5000, 8)).hash()).isNotEqualTo(plain.hash());
    }

    @Test
    void notASwfOrDamaged() throws Exception {
        assertThatThrownBy(() -> digest("GIF89a....".getBytes())).isInstanceOf(SwfFiles.InvalidSwfException.class)
                .hasMessageContaining("not a SWF");
        assertThatThrownBy(() -> digest(new byte[] {'F', 'W', 'S'})).isInstanceOf(SwfFiles.InvalidSwfException.class);
        byte[] cws = SwfTestFiles.cws(SwfTestFiles.fws(10, 3000, 1));
        assertThatThrownBy(() -> digest(java.util.Arrays.copyOf(cws, cws.length / 2)))
                .isInstanceOf(SwfFiles.InvalidSwfException.class).hasMessageContaining("zlib");
        byte[] zws = SwfTestFiles.zws(SwfTestFiles.fws(10, 3000, 1));
        assertThatThrownBy(() -> digest(java.util.Arrays.copyOf(zws, zws.length / 2)))
                .isInstanceOf(SwfFiles.InvalidSwfException.class).hasMessageContaining("LZMA");
        byte[] badProps = zws.clone();
        badProps[12] = (byte) 0xFF; // lc/lp/pb out of range
        assertThatThrownBy(() -> digest(badProps)).isInstanceOf(SwfFiles.InvalidSwfException.class);
    }

    /** A compressed SWF is never inflated beyond its header's length, nor beyond the limit. */
    @Test
    void compressionBombsStopEarly() throws Exception {
        // 100 MB of zeros deflate to about 100 KB; the header claims 1000 bytes.
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        b.writeBytes(new byte[] {'C', 'W', 'S', 10, (byte) 0xE8, 0x03, 0, 0});
        try (DeflaterOutputStream z = new DeflaterOutputStream(b)) {
            byte[] zeros = new byte[1 << 20];
            for (int i = 0; i < 100; i++) {
                z.write(zeros);
            }
        }
        byte[] bomb = b.toByteArray();
        assertThat(bomb.length).isLessThan(1 << 20);
        assertThatThrownBy(() -> digest(bomb)).isInstanceOf(SwfFiles.InvalidSwfException.class)
                .hasMessageContaining("more than the 1000 bytes");
        // A header that claims more than the limit is refused before anything is inflated.
        bomb[7] = 0x7F;
        assertThatThrownBy(() -> digest(bomb)).isInstanceOf(SwfFiles.InvalidSwfException.class)
                .hasMessageContaining("limit");
        // An FWS file larger than the limit.
        byte[] big = SwfTestFiles.fws(10, 2000, 1);
        assertThatThrownBy(() -> SwfFiles.digest(new ByteArrayInputStream(big), 1000))
                .isInstanceOf(SwfFiles.InvalidSwfException.class).hasMessageContaining("limit");
        // A ZWS whose header claims a huge dictionary still decodes with one no larger than the SWF.
        byte[] fws = SwfTestFiles.fws(11, 100, 3);
        byte[] zws = SwfTestFiles.zws(fws);
        zws[13] = (byte) 0xFF;
        zws[14] = (byte) 0xFF;
        zws[15] = (byte) 0xFF;
        zws[16] = (byte) 0x7F;
        assertThat(digest(zws).hash()).isEqualTo(SwfVerification.swfHash(fws));
    }
}
