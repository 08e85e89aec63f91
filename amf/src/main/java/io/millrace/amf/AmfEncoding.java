package io.millrace.amf;

/**
 * The {@code objectEncoding} a client announces in {@code connect}: 0 = AMF0 only, 3 = AMF0 plus AMF3
 * (message types 15/16/17 and the AVM+ switch).
 */
public enum AmfEncoding {
    AMF0(0),
    AMF3(3);

    private final int objectEncoding;

    AmfEncoding(int objectEncoding) {
        this.objectEncoding = objectEncoding;
    }

    /** The wire value (0 or 3) as sent in the {@code objectEncoding} property. */
    public int objectEncoding() {
        return objectEncoding;
    }

    /**
     * The encoding for an {@code objectEncoding} value read from the wire. Exactly 3 means AMF3; every
     * other value (0, absent-turned-default, garbage, NaN) falls back to AMF0, the encoding every
     * client understands. Never throws.
     */
    public static AmfEncoding fromObjectEncoding(double v) {
        return v == 3.0 ? AMF3 : AMF0;
    }
}
