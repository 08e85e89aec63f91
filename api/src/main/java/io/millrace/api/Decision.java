package io.millrace.api;

import java.time.Duration;

/**
 * The one decision a hook takes about a request. Deciding twice throws {@link IllegalStateException}.
 */
public interface Decision {

    /** Lets the request proceed. */
    void accept();

    /**
     * Refuses the request. The client gets the description (for a stream, in {@code NetStream.Publish.Denied}
     * or {@code NetStream.Play.Failed}).
     */
    void reject(String description);

    /**
     * Decides later: returns a handle to complete from any thread. If it is not completed within
     * {@code timeout}, {@code fallback} applies and the server logs one line.
     */
    Pending async(Duration timeout, Fallback fallback);

    /** What happens to a decision taken asynchronously that did not come in time. */
    enum Fallback {
        ACCEPT,
        REJECT
    }

    /** A decision to be completed later, once: later completions (and those after the timeout) are ignored. */
    interface Pending {
        /** @return false when the decision was already taken (timeout, or an earlier completion) */
        boolean accept();

        /** @return false when the decision was already taken */
        boolean reject(String description);
    }
}
