package io.millrace.rtmp.command;

/** The level of an info object. */
public enum StatusLevel {
    STATUS("status"), WARNING("warning"), ERROR("error");

    private final String wire;

    StatusLevel(String wire) {
        this.wire = wire;
    }

    public String wire() {
        return wire;
    }
}
