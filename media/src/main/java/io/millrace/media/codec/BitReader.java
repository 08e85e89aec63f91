package io.millrace.media.codec;

import io.millrace.media.MediaFormatException;

/**
 * Reads a big-endian bit string MSB first, with the Exp-Golomb codes of H.264/H.265 (ue(v), se(v)).
 *
 * <p>Works on a byte array that already is an RBSP: call {@link #unescapeRbsp} first when reading a
 * NAL unit. Reading past the end throws {@link MediaFormatException}. Not thread-safe.
 */
public final class BitReader {
    private final byte[] data;
    private final int end;
    private long bitPos;

    public BitReader(byte[] data) {
        this(data, 0, data.length);
    }

    public BitReader(byte[] data, int offset, int length) {
        if (offset < 0 || length < 0 || offset + length > data.length) {
            throw new IndexOutOfBoundsException("offset " + offset + ", length " + length + ", array " + data.length);
        }
        this.data = data;
        this.end = offset + length;
        this.bitPos = (long) offset * 8;
    }

    /** Bits left to read. */
    public long bitsLeft() {
        return (long) end * 8 - bitPos;
    }

    public int readBit() throws MediaFormatException {
        if (bitPos >= (long) end * 8) {
            throw new MediaFormatException("bit string ends early");
        }
        int b = data[(int) (bitPos >>> 3)] >> (7 - (int) (bitPos & 7)) & 1;
        bitPos++;
        return b;
    }

    public boolean readFlag() throws MediaFormatException {
        return readBit() != 0;
    }

    /** Reads {@code n} bits (0..32) as an unsigned value (returned in a long so 32 bits fit). */
    public long readBitsLong(int n) throws MediaFormatException {
        if (n < 0 || n > 32) {
            throw new IllegalArgumentException("bit count " + n);
        }
        if (n > bitsLeft()) {
            throw new MediaFormatException("bit string ends early: " + n + " bits wanted, " + bitsLeft() + " left");
        }
        long v = 0;
        for (int i = 0; i < n; i++) {
            v = v << 1 | (data[(int) (bitPos >>> 3)] >> (7 - (int) (bitPos & 7)) & 1);
            bitPos++;
        }
        return v;
    }

    /** Reads {@code n} bits (0..31) as an unsigned int. */
    public int readBits(int n) throws MediaFormatException {
        if (n > 31) {
            throw new IllegalArgumentException("use readBitsLong for " + n + " bits");
        }
        return (int) readBitsLong(n);
    }

    public void skipBits(long n) throws MediaFormatException {
        if (n > bitsLeft()) {
            throw new MediaFormatException("bit string ends early: cannot skip " + n + " bits");
        }
        bitPos += n;
    }

    /** Unsigned Exp-Golomb code ue(v); values up to 2^32 - 2. */
    public long readUE() throws MediaFormatException {
        int leadingZeros = 0;
        while (readBit() == 0) {
            leadingZeros++;
            if (leadingZeros > 31) {
                throw new MediaFormatException("Exp-Golomb code longer than 32 bits");
            }
        }
        return (1L << leadingZeros) - 1 + readBitsLong(leadingZeros);
    }

    /** {@link #readUE()} checked against an upper bound, as an int. */
    public int readUE(String field, int max) throws MediaFormatException {
        long v = readUE();
        if (v > max) {
            throw new MediaFormatException(field + " = " + v + " is out of range (max " + max + ")");
        }
        return (int) v;
    }

    /** Signed Exp-Golomb code se(v). */
    public long readSE() throws MediaFormatException {
        long k = readUE();
        return (k & 1) != 0 ? (k + 1) / 2 : -(k / 2);
    }

    /**
     * Removes the emulation prevention bytes (the {@code 03} of every {@code 00 00 03}) from a NAL
     * unit, giving the raw byte sequence payload.
     */
    public static byte[] unescapeRbsp(byte[] nal, int offset, int length) {
        byte[] out = new byte[length];
        int n = 0;
        int zeros = 0;
        for (int i = offset; i < offset + length; i++) {
            int b = nal[i] & 0xFF;
            if (zeros >= 2 && b == 3) {
                zeros = 0;
                continue;
            }
            out[n++] = (byte) b;
            zeros = b == 0 ? zeros + 1 : 0;
        }
        return n == length ? out : java.util.Arrays.copyOf(out, n);
    }
}
