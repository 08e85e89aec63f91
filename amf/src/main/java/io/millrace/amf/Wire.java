package io.millrace.amf;

import io.netty.buffer.ByteBuf;

import java.nio.charset.StandardCharsets;

/** Bounds checks and small helpers shared by the readers and writers. */
final class Wire {

    /** Deepest nesting of values (AMF0 and AMF3 together) that is read or written. */
    static final int MAX_DEPTH = 256;

    private Wire() {
    }

    /** Fails unless {@code n} bytes are readable; {@code offset} is where the item being read began. */
    static void need(ByteBuf in, long n, String what, int offset) {
        if (n > in.readableBytes()) {
            throw new AmfException(what + " at offset " + offset + " needs " + n + " byte(s) but only "
                    + in.readableBytes() + " remain (truncated or bad length)");
        }
    }

    /**
     * Fails unless a count of values, each at least {@code minBytesEach} long, can fit in the readable
     * bytes. Checked before allocating anything sized by the count.
     */
    static void needCount(ByteBuf in, long count, int minBytesEach, String what, int offset) {
        if (count * minBytesEach > in.readableBytes()) {
            throw new AmfException(what + " at offset " + offset + " announces " + count
                    + " entries but only " + in.readableBytes() + " byte(s) remain");
        }
    }

    /** Reads {@code len} bytes of UTF-8 after checking they are there. */
    static String utf8(ByteBuf in, long len, String what, int offset) {
        need(in, len, what, offset);
        if (len == 0) {
            return "";
        }
        int n = (int) len;
        String s = in.toString(in.readerIndex(), n, StandardCharsets.UTF_8);
        in.skipBytes(n);
        return s;
    }

    static String hex(int b) {
        return String.format("0x%02X", b);
    }

    static AmfException depthExceeded(String codec, int offset) {
        return new AmfException(codec + " value at offset " + offset + " is nested deeper than "
                + MAX_DEPTH + " levels");
    }

    /** Wraps an unexpected runtime failure so callers only ever see {@link AmfException}. */
    static AmfException wrap(String codec, RuntimeException e, int offset) {
        return new AmfException(codec + ": malformed data near offset " + offset + " (" + e + ")", e);
    }
}
