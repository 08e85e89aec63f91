package io.millrace.server.live;

/**
 * Whoever publishes a {@link LiveStream}: an encoder on a connection ({@link LivePublisher}) or a server-side
 * stream playing files ({@link PlaylistStream}). The stream knows its publisher only by this identity (frames
 * from a publisher that no longer holds the stream are dropped); monitoring reads the figures.
 */
interface LiveSource {

    /** What came in: frames, bytes, codecs, rates (monitoring; any thread). */
    LiveIngest ingest();

    /** The client id of the publishing connection, or {@link PlaylistStream#CLIENT_ID} for a server-side stream. */
    String clientId();

    /** "live", "record" or "append" (an encoder's publish type), "server" for a server-side stream. */
    String publishType();

    long publishTimeMillis();

    /** Ends the publication as the admin API asks ({@code stopStream}); viewers get UnpublishNotify. Any thread. */
    void stopByAdmin();
}
