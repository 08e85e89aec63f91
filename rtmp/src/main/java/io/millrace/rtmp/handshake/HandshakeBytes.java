package io.millrace.rtmp.handshake;

import java.util.Random;
import java.util.concurrent.ThreadLocalRandom;

/** Small byte helpers shared by the handshake classes. */
final class HandshakeBytes {

    /** The only RTMP version this package speaks (C0/S0). */
    static final int RTMP_VERSION = 3;

    private static final char[] HEX = "0123456789abcdef".toCharArray();

    private HandshakeBytes() {
    }

    /** Big-endian unsigned 32-bit value at {@code offset}. */
    static long readUint32(byte[] b, int offset) {
        return ((b[offset] & 0xFFL) << 24) | ((b[offset + 1] & 0xFFL) << 16)
                | ((b[offset + 2] & 0xFFL) << 8) | (b[offset + 3] & 0xFFL);
    }

    /** Writes the low 32 bits of {@code value} big-endian at {@code offset}. */
    static void writeUint32(byte[] b, int offset, long value) {
        b[offset] = (byte) (value >>> 24);
        b[offset + 1] = (byte) (value >>> 16);
        b[offset + 2] = (byte) (value >>> 8);
        b[offset + 3] = (byte) value;
    }

    /**
     * Fills {@code b[offset, offset + length)} with random bytes from {@code random}, or from the
     * calling thread's {@link ThreadLocalRandom} when {@code random} is null. The filler only has to
     * look random; it is not a secret.
     */
    static void fillRandom(Random random, byte[] b, int offset, int length) {
        Random source = random != null ? random : ThreadLocalRandom.current();
        byte[] tmp = new byte[length];
        source.nextBytes(tmp);
        System.arraycopy(tmp, 0, b, offset, length);
    }

    /** Checks that a version array has 4 bytes; returns a copy. */
    static byte[] checkVersion(byte[] version, String what) {
        if (version == null || version.length != 4) {
            throw new IllegalArgumentException(what + " must be 4 bytes");
        }
        return version.clone();
    }

    /** Lower-case hex of all of {@code b}; "null" for null. */
    static String hex(byte[] b) {
        if (b == null) {
            return "null";
        }
        char[] out = new char[b.length * 2];
        for (int i = 0; i < b.length; i++) {
            out[2 * i] = HEX[(b[i] >> 4) & 0xF];
            out[2 * i + 1] = HEX[b[i] & 0xF];
        }
        return new String(out);
    }

    /** Dotted form of 4 version bytes, e.g. "9.0.124.2". */
    static String versionString(byte[] v) {
        return (v[0] & 0xFF) + "." + (v[1] & 0xFF) + "." + (v[2] & 0xFF) + "." + (v[3] & 0xFF);
    }

    /**
     * Why a C0/S0 byte is unacceptable, or null when it is 3. The message is meant for one log line.
     */
    static String versionProblem(int version) {
        if (version == RTMP_VERSION) {
            return null;
        }
        if (version == 6 || version == 8 || version == 9) {
            return "unsupported RTMP version " + version + " (RTMPE is not supported)";
        }
        if (version == 0x16) {
            return "not RTMP (first byte 0x16: looks like a TLS ClientHello; RTMPS sent to a plain RTMP port?)";
        }
        if (version >= 32) {
            String hint = looksLikeHttp(version) ? ": looks like HTTP" : ": a text protocol?";
            return String.format("not RTMP (first byte 0x%02X%s)", version, hint);
        }
        return "unsupported RTMP version " + version + " (only version 3 is supported)";
    }

    private static boolean looksLikeHttp(int b) {
        // First letters of the HTTP methods: GET, POST, PUT, PATCH, HEAD, OPTIONS, CONNECT, DELETE, TRACE.
        return b == 'G' || b == 'P' || b == 'H' || b == 'O' || b == 'C' || b == 'D' || b == 'T';
    }
}
