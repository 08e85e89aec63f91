package io.millrace.amf;

/** Malformed or unsupported AMF data. The message says what was wrong and where. */
public class AmfException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public AmfException(String message) {
        super(message);
    }

    public AmfException(String message, Throwable cause) {
        super(message, cause);
    }
}
