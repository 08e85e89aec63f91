package io.millrace.rtmp.handshake;

import java.util.HexFormat;
import java.util.Random;

/** Packets shared by the handshake tests. */
final class HandshakeTestData {

    static final HexFormat HEX = HexFormat.of();

    private HandshakeTestData() {
    }

    static byte[] hex(String s) {
        return HEX.parseHex(s.replace(" ", ""));
    }

    /**
     * The deterministic C1 of handshake.md §7, before any digest is written: time 0, version
     * {@code 80 00 07 02}, {@code C1[i] = (i*7 + 3) & 0xFF} for i = 8..1535.
     */
    static byte[] noteC1() {
        byte[] c1 = new byte[1536];
        c1[4] = (byte) 0x80;
        c1[5] = 0x00;
        c1[6] = 0x07;
        c1[7] = 0x02;
        for (int i = 8; i < 1536; i++) {
            c1[i] = (byte) ((i * 7 + 3) & 0xFF);
        }
        return c1;
    }

    /** The S2 filler of handshake.md §7: {@code S2[i] = (i*13 + 5) & 0xFF} for i = 0..1503, rest zero. */
    static byte[] noteS2() {
        byte[] s2 = new byte[1536];
        for (int i = 0; i < 1504; i++) {
            s2[i] = (byte) ((i * 13 + 5) & 0xFF);
        }
        return s2;
    }

    /**
     * A C1 shaped like ffmpeg's rtmp_handshake: time 0, version {@code 09 00 7C 02} (LNX 9,0,124,2),
     * pseudo-random filler from a fixed seed, client digest at scheme 1 (offset base 8, digest base 12).
     */
    static byte[] ffmpegC1() {
        byte[] c1 = new byte[1536];
        c1[4] = 0x09;
        c1[5] = 0x00;
        c1[6] = 0x7C;
        c1[7] = 0x02;
        Random rnd = new Random(0xDEADC0DEL);
        for (int i = 8; i < 1536; i++) {
            c1[i] = (byte) rnd.nextInt(256);
        }
        HandshakeCrypto.writeDigest(c1, HandshakeCrypto.SCHEME_1, HandshakeCrypto.clientDigestKey());
        return c1;
    }

    /** A C1 shaped like librtmp's plain handshake: its uptime as time, version zero, random filler. */
    static byte[] librtmpPlainC1() {
        byte[] c1 = new byte[1536];
        c1[0] = 0x00;
        c1[1] = 0x1E;
        c1[2] = (byte) 0x84;
        c1[3] = (byte) 0x80; // 2,000,000 ms
        Random rnd = new Random(42);
        for (int i = 8; i < 1536; i++) {
            c1[i] = (byte) rnd.nextInt(256);
        }
        return c1;
    }

    /** C0 = 3 followed by {@code c1}. */
    static byte[] withC0(byte[] c1) {
        return prefix((byte) 3, c1);
    }

    static byte[] prefix(byte first, byte[] rest) {
        byte[] out = new byte[rest.length + 1];
        out[0] = first;
        System.arraycopy(rest, 0, out, 1, rest.length);
        return out;
    }

    static byte[] concat(byte[]... parts) {
        int n = 0;
        for (byte[] p : parts) {
            n += p.length;
        }
        byte[] out = new byte[n];
        int at = 0;
        for (byte[] p : parts) {
            System.arraycopy(p, 0, out, at, p.length);
            at += p.length;
        }
        return out;
    }

    static byte[] slice(byte[] b, int from, int to) {
        return java.util.Arrays.copyOfRange(b, from, to);
    }
}
