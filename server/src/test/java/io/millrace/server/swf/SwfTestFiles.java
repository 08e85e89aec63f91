package io.millrace.server.swf;

import org.tukaani.xz.LZMA2Options;
import org.tukaani.xz.LZMAOutputStream;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.Arrays;
import java.util.zip.Deflater;
import java.util.zip.DeflaterOutputStream;

/** Builds SWF files for tests: an uncompressed one and its CWS (zlib) and ZWS (LZMA) forms. */
public final class SwfTestFiles {
    private SwfTestFiles() {
    }

    /**
     * A small but well-formed FWS file: header, a frame RECT of 550x400 px, 24 fps, one frame, a
     * SetBackgroundColor tag, {@code filler} bytes in an unknown tag (so that sizes differ), ShowFrame, End.
     */
    public static byte[] fws(int version, int filler, int seed) {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        b.writeBytes(new byte[] {'F', 'W', 'S', (byte) version, 0, 0, 0, 0});
        // RECT: Nbits = 15, xmin 0, xmax 11000 twips, ymin 0, ymax 8000 twips: 5 + 4 * 15 = 65 bits -> 9 bytes.
        b.writeBytes(new byte[] {0x78, 0x00, 0x05, 0x5F, 0x00, 0x00, 0x0F, (byte) 0xA0, 0x00});
        b.writeBytes(new byte[] {0x00, 0x18, 0x01, 0x00}); // frame rate 24.0 (8.8 LE), frame count 1
        b.writeBytes(new byte[] {0x43, 0x02, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF}); // SetBackgroundColor white
        // Tag 255 (not defined): long form, then filler bytes.
        b.writeBytes(new byte[] {0x3F, 0x3F});
        b.writeBytes(new byte[] {(byte) filler, (byte) (filler >> 8), (byte) (filler >> 16), (byte) (filler >> 24)});
        for (int i = 0; i < filler; i++) {
            b.write((i * 31 + seed) & 0xFF);
        }
        b.writeBytes(new byte[] {0x40, 0x00, 0x00, 0x00}); // ShowFrame, End
        byte[] swf = b.toByteArray();
        int len = swf.length;
        swf[4] = (byte) len;
        swf[5] = (byte) (len >> 8);
        swf[6] = (byte) (len >> 16);
        swf[7] = (byte) (len >> 24);
        return swf;
    }

    /** The CWS form of an FWS file: 'C', the same version and length, then bytes 8.. deflated with zlib. */
    public static byte[] cws(byte[] fws) throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        b.write('C');
        b.write(fws, 1, 7);
        try (DeflaterOutputStream z = new DeflaterOutputStream(b, new Deflater(9))) {
            z.write(fws, 8, fws.length - 8);
        }
        return b.toByteArray();
    }

    /**
     * The ZWS form: "ZWS", version, uncompressed length (LE), compressed length (LE), the 5 LZMA property
     * bytes, then the LZMA data (a .lzma file without its 13-byte header's 8-byte size).
     */
    public static byte[] zws(byte[] fws) throws IOException {
        ByteArrayOutputStream lzma = new ByteArrayOutputStream();
        try (LZMAOutputStream out = new LZMAOutputStream(lzma, new LZMA2Options(6), fws.length - 8)) {
            out.write(fws, 8, fws.length - 8);
        }
        byte[] dotLzma = lzma.toByteArray(); // props (1), dict size (4 LE), uncompressed size (8 LE), data
        byte[] data = Arrays.copyOfRange(dotLzma, 13, dotLzma.length);
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        b.writeBytes(new byte[] {'Z', 'W', 'S'});
        b.write(fws, 3, 5);
        int n = data.length;
        b.writeBytes(new byte[] {(byte) n, (byte) (n >> 8), (byte) (n >> 16), (byte) (n >> 24)});
        b.write(dotLzma, 0, 5);
        b.writeBytes(data);
        return b.toByteArray();
    }
}
