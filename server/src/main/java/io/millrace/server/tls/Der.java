package io.millrace.server.tls;

import java.io.ByteArrayOutputStream;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;

/**
 * Just enough DER (ITU-T X.690) to write an X.509 certificate and wrap a PKCS#1 key in PKCS#8: each method
 * returns one complete element (tag, length, content).
 */
final class Der {
    private static final DateTimeFormatter UTC_TIME = DateTimeFormatter.ofPattern("yyMMddHHmmss'Z'").withZone(ZoneOffset.UTC);
    private static final DateTimeFormatter GENERALIZED_TIME =
            DateTimeFormatter.ofPattern("yyyyMMddHHmmss'Z'").withZone(ZoneOffset.UTC);

    private Der() {
    }

    static byte[] element(int tag, byte[] content) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(content.length + 6);
        out.write(tag);
        int n = content.length;
        if (n < 0x80) {
            out.write(n);
        } else {
            int bytes = (32 - Integer.numberOfLeadingZeros(n) + 7) / 8;
            out.write(0x80 | bytes);
            for (int i = bytes - 1; i >= 0; i--) {
                out.write(n >>> (8 * i));
            }
        }
        out.writeBytes(content);
        return out.toByteArray();
    }

    static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] p : parts) {
            out.writeBytes(p);
        }
        return out.toByteArray();
    }

    static byte[] sequence(byte[]... parts) {
        return element(0x30, concat(parts));
    }

    static byte[] set(byte[]... parts) {
        return element(0x31, concat(parts));
    }

    static byte[] integer(BigInteger value) {
        return element(0x02, value.toByteArray());
    }

    static byte[] integer(long value) {
        return integer(BigInteger.valueOf(value));
    }

    static byte[] bool(boolean value) {
        return element(0x01, new byte[] {(byte) (value ? 0xFF : 0)});
    }

    static byte[] nul() {
        return new byte[] {0x05, 0x00};
    }

    static byte[] octetString(byte[] content) {
        return element(0x04, content);
    }

    /** A BIT STRING of whole bytes (no unused bits). */
    static byte[] bitString(byte[] content) {
        return element(0x03, concat(new byte[] {0}, content));
    }

    static byte[] utf8String(String s) {
        return element(0x0C, s.getBytes(StandardCharsets.UTF_8));
    }

    /** UTCTime before 2050, GeneralizedTime from then on (RFC 5280 §4.1.2.5). */
    static byte[] time(Instant t) {
        boolean utc = t.atZone(ZoneOffset.UTC).getYear() < 2050;
        return utc ? element(0x17, UTC_TIME.format(t).getBytes(StandardCharsets.US_ASCII))
                : element(0x18, GENERALIZED_TIME.format(t).getBytes(StandardCharsets.US_ASCII));
    }

    static byte[] oid(String dotted) {
        String[] parts = dotted.split("\\.");
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(Integer.parseInt(parts[0]) * 40 + Integer.parseInt(parts[1]));
        for (int i = 2; i < parts.length; i++) {
            long v = Long.parseLong(parts[i]);
            int groups = Math.max(1, (64 - Long.numberOfLeadingZeros(v) + 6) / 7);
            for (int g = groups - 1; g >= 0; g--) {
                int b = (int) ((v >>> (7 * g)) & 0x7F);
                out.write(g > 0 ? b | 0x80 : b);
            }
        }
        return element(0x06, out.toByteArray());
    }

    /** A context-specific constructed tag [n] around complete elements (EXPLICIT tagging). */
    static byte[] explicit(int n, byte[]... parts) {
        return element(0xA0 | n, concat(parts));
    }

    /** A context-specific primitive tag [n] holding raw content (IMPLICIT tagging of a primitive type). */
    static byte[] implicitPrimitive(int n, byte[] content) {
        return element(0x80 | n, content);
    }
}
