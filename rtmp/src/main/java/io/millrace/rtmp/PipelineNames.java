package io.millrace.rtmp;

/** Names of the pipeline stages, so that stages can be found, replaced and removed by name. */
public final class PipelineNames {
    public static final String HANDSHAKE_TIMEOUT = "handshakeTimeout";
    public static final String HANDSHAKE = "handshake";
    public static final String CHUNK_DECODER = "chunkDecoder";
    public static final String CHUNK_ENCODER = "chunkEncoder";
    public static final String COMMAND_DECODER = "commandDecoder";
    public static final String COMMAND_ENCODER = "commandEncoder";
    public static final String SESSION = "session";
    public static final String CLIENT = "client";

    private PipelineNames() {
    }
}
