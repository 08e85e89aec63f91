package io.millrace.media.mp4;

import io.millrace.media.MediaFormatException;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;

/** Big-endian field access and child-box listing over an in-memory box buffer. */
final class Boxes {
    private static final VarHandle INT = MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.BIG_ENDIAN);
    private static final VarHandle LONG = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.BIG_ENDIAN);

    static final int MOOV = fourcc("moov");
    static final int MOOF = fourcc("moof");
    static final int MDAT = fourcc("mdat");

    private Boxes() {
    }

    static int fourcc(String s) {
        if (s.length() != 4) {
            throw new IllegalArgumentException(s);
        }
        return (s.charAt(0) & 0xFF) << 24 | (s.charAt(1) & 0xFF) << 16 | (s.charAt(2) & 0xFF) << 8 | s.charAt(3) & 0xFF;
    }

    /** The code as text: bytes as ISO-8859-1 characters (so {@code ©nam} reads as such). */
    static String name(int type) {
        char[] c = new char[4];
        for (int i = 0; i < 4; i++) {
            int b = type >>> (24 - 8 * i) & 0xFF;
            c[i] = b >= 0x20 && b != 0x7F ? (char) b : '?';
        }
        return new String(c);
    }

    /** Whether all four bytes are printable ASCII (or the copyright sign that starts QuickTime tags). */
    static boolean printable(int type) {
        for (int i = 0; i < 4; i++) {
            int b = type >>> (24 - 8 * i) & 0xFF;
            if ((b < 0x20 || b > 0x7E) && b != 0xA9) {
                return false;
            }
        }
        return true;
    }

    static int u8(byte[] d, int p) {
        return d[p] & 0xFF;
    }

    static int u16(byte[] d, int p) {
        return (d[p] & 0xFF) << 8 | d[p + 1] & 0xFF;
    }

    static int i32(byte[] d, int p) {
        return (int) INT.get(d, p);
    }

    static long u32(byte[] d, int p) {
        return (int) INT.get(d, p) & 0xFFFFFFFFL;
    }

    static long i64(byte[] d, int p) {
        return (long) LONG.get(d, p);
    }

    /**
     * The boxes that fill {@code [from, to)} of {@code d}. Strict: a header that does not fit, a size
     * below the header length or past {@code to} throws; up to 7 trailing bytes (QuickTime's 4-byte
     * terminators) are ignored.
     *
     * @param base file offset of {@code d[0]}
     */
    static List<Box> children(byte[] d, int from, int to, long base, Box parent) throws MediaFormatException {
        List<Box> out = new ArrayList<>();
        int p = from;
        while (to - p >= 8) {
            Box b = header(d, p, to, base);
            if (b == null) {
                throw new MediaFormatException("box '" + name(i32(d, p + 4)) + "' at offset " + (base + p)
                        + " has an invalid size " + u32(d, p) + " (" + (to - p) + " bytes left in "
                        + (parent == null ? "the buffer" : parent) + ")");
            }
            out.add(b);
            p = b.end();
        }
        return out;
    }

    /** Like {@link #children} but stops quietly at the first box that does not fit (sample entry extensions). */
    static List<Box> childrenLenient(byte[] d, int from, int to, long base) {
        List<Box> out = new ArrayList<>();
        int p = from;
        while (to - p >= 8) {
            Box b = header(d, p, to, base);
            if (b == null) {
                break;
            }
            out.add(b);
            p = b.end();
        }
        return out;
    }

    /** The box whose header starts at {@code p}, or null when its size is invalid within {@code to}. */
    private static Box header(byte[] d, int p, int to, long base) {
        long size = u32(d, p);
        int type = i32(d, p + 4);
        int header = 8;
        if (size == 1) {
            if (to - p < 16) {
                return null;
            }
            size = i64(d, p + 8);
            header = 16;
        } else if (size == 0) {
            size = to - p;
        }
        if (size < header || size > to - p) {
            return null;
        }
        return new Box(type, p, p + header, (int) (p + size), base + p);
    }

    static Box first(List<Box> boxes, int type) {
        for (Box b : boxes) {
            if (b.type() == type) {
                return b;
            }
        }
        return null;
    }

    static Box first(List<Box> boxes, String type) {
        return first(boxes, fourcc(type));
    }
}
