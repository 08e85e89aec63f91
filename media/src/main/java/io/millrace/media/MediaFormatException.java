package io.millrace.media;

import java.io.IOException;

/**
 * A media file or codec configuration is malformed or unsupported. The message says what was wrong
 * and, where it applies, at which file offset.
 *
 * <p>It is an {@link IOException} so that callers that already handle I/O failures of a file also
 * handle a file that turns out not to be what its name says.
 */
public class MediaFormatException extends IOException {
    private static final long serialVersionUID = 1L;

    public MediaFormatException(String message) {
        super(message);
    }

    public MediaFormatException(String message, Throwable cause) {
        super(message, cause);
    }
}
