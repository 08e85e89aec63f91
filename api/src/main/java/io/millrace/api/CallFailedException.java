package io.millrace.api;

/** A call to a client failed: it answered {@code _error}, or it left before answering. */
public class CallFailedException extends RuntimeException {
    private final transient Object info;

    public CallFailedException(String message, Object info) {
        super(message);
        this.info = info;
    }

    /** What the client sent with {@code _error} (usually a Map with code and description), or null. */
    public Object info() {
        return info;
    }
}
