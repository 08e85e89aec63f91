package io.millrace.rtmp.control;

/** Range checks for unsigned wire fields. */
final class Unsigned {
    static final long MAX_32 = 0xFFFFFFFFL;

    private Unsigned() {
    }

    static void check32(String what, long value) {
        if (value < 0 || value > MAX_32) {
            throw new IllegalArgumentException(what + " must be an unsigned 32-bit value, got " + value);
        }
    }
}
