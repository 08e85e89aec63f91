package io.millrace.amf;

/** The AMF {@code undefined} value (AMF0 marker 06, AMF3 marker 00). {@code null} stands for AMF null. */
public enum AmfUndefined {
    INSTANCE;

    @Override
    public String toString() {
        return "undefined";
    }
}
