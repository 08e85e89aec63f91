package io.millrace.server.config;

/** A configuration error. The message names the key, the file and the line. */
public class ConfigException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public ConfigException(String message) {
        super(message);
    }
}
