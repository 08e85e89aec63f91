package io.millrace.rtmp.chunk;

import io.millrace.rtmp.control.LimitType;

/**
 * Connection-level chunk stream state shared by the {@link ChunkDecoder} and {@link ChunkEncoder} of one
 * connection: create one per connection and pass it to both constructors.
 *
 * <p>The encoder records what we sent (our Window Acknowledgement Size, our chunk size, bytes sent); the
 * decoder records what the peer sent (its window, its chunk size, its acknowledgements and Set Peer
 * Bandwidth) and counts bytes received. Both handlers run on the connection's event loop, which is the
 * only writer; the fields are volatile so other threads (statistics, admin) can read them.
 *
 * <p>Byte counters are 64-bit totals that do not wrap in practice; the 32-bit RTMP sequence number is
 * their low 32 bits ({@link #sequenceNumber()}), which wraps at 2^32 as RTMP expects.
 */
public final class ChunkStreamState {
    /** Value of the "last sent / last received" fields before anything was sent or received. */
    public static final long NONE = -1;

    private volatile long bytesReceived;
    private volatile long bytesReceivedAtLastAck;
    private volatile long bytesSent;
    private volatile long messagesSent;
    private volatile long windowAckSizeSent = NONE;
    private volatile long peerWindowAckSize = NONE;
    private volatile long peerAcknowledged = NONE;
    private volatile long peerBandwidth = NONE;
    private volatile LimitType peerBandwidthLimitType;
    private volatile int inboundChunkSize = ChunkReader.DEFAULT_CHUNK_SIZE;
    private volatile int outboundChunkSize = ChunkReader.DEFAULT_CHUNK_SIZE;

    /** Total bytes the decoder has received on this connection (64-bit, after the handshake). */
    public long bytesReceived() {
        return bytesReceived;
    }

    /** {@link #bytesReceived()} as the RTMP 32-bit sequence number (wraps at 2^32). */
    public long sequenceNumber() {
        return bytesReceived & 0xFFFFFFFFL;
    }

    /** Total bytes the encoder has produced on this connection (64-bit). */
    public long bytesSent() {
        return bytesSent;
    }

    /** The last Window Acknowledgement Size we sent, or {@link #NONE}. */
    public long windowAckSizeSent() {
        return windowAckSizeSent;
    }

    /** The window the peer set with Window Acknowledgement Size (we ack every that many bytes), or {@link #NONE}. */
    public long peerWindowAckSize() {
        return peerWindowAckSize;
    }

    /** The sequence number of the peer's last Acknowledgement, or {@link #NONE}. */
    public long peerAcknowledged() {
        return peerAcknowledged;
    }

    /** Our output limit as set by the peer's Set Peer Bandwidth messages, or {@link #NONE}. */
    public long peerBandwidth() {
        return peerBandwidth;
    }

    /** The limit type in effect for {@link #peerBandwidth()} (HARD or SOFT), or null. */
    public LimitType peerBandwidthLimitType() {
        return peerBandwidthLimitType;
    }

    /** The peer's chunk size (what we read with). */
    public int inboundChunkSize() {
        return inboundChunkSize;
    }

    /** Our chunk size (what we write with). */
    public int outboundChunkSize() {
        return outboundChunkSize;
    }

    void addBytesReceived(int n) {
        bytesReceived += n;
    }

    /**
     * If the peer set a window and at least that many bytes arrived since our last acknowledgement, marks an
     * acknowledgement as sent now and returns its sequence number; otherwise returns {@link #NONE}. A window
     * of 0 means no acknowledgements.
     */
    long takeAckDue() {
        long window = peerWindowAckSize;
        long received = bytesReceived;
        if (window <= 0 || received - bytesReceivedAtLastAck < window) {
            return NONE;
        }
        bytesReceivedAtLastAck = received;
        return received & 0xFFFFFFFFL;
    }

    /** One message of {@code n} bytes (chunk headers included) was encoded. */
    void addBytesSent(int n) {
        bytesSent += n;
        messagesSent++;
    }

    /** Messages encoded for sending (protocol control messages included). */
    public long messagesSent() {
        return messagesSent;
    }

    void windowAckSizeSent(long size) {
        windowAckSizeSent = size;
    }

    void peerWindowAckSize(long size) {
        peerWindowAckSize = size;
    }

    void peerAcknowledged(long sequenceNumber) {
        peerAcknowledged = sequenceNumber;
    }

    /**
     * Applies Set Peer Bandwidth per RTMP 2012 §5.4.5 and returns the resulting limit, or {@link #NONE} if
     * the message was ignored. HARD sets the limit; SOFT takes the smaller of it and the current limit;
     * DYNAMIC acts as HARD if the limit in effect came from a HARD message, else it is ignored, except that
     * a DYNAMIC message when no limit has been set yet acts as HARD (ffmpeg, SRS and nginx-rtmp only ever
     * send DYNAMIC, so the first one must count).
     */
    long applyPeerBandwidth(long size, LimitType type) {
        long current = peerBandwidth;
        LimitType currentType = peerBandwidthLimitType;
        switch (type) {
            case HARD -> {
                peerBandwidth = size;
                peerBandwidthLimitType = LimitType.HARD;
            }
            case SOFT -> {
                peerBandwidth = current == NONE ? size : Math.min(size, current);
                peerBandwidthLimitType = LimitType.SOFT;
            }
            case DYNAMIC -> {
                if (currentType != null && currentType != LimitType.HARD) {
                    return NONE;
                }
                peerBandwidth = size;
                peerBandwidthLimitType = LimitType.HARD;
            }
        }
        return peerBandwidth;
    }

    void inboundChunkSize(int size) {
        inboundChunkSize = size;
    }

    void outboundChunkSize(int size) {
        outboundChunkSize = size;
    }

    @Override
    public String toString() {
        return "ChunkStreamState{received=" + bytesReceived + ", sent=" + bytesSent + ", windowAckSizeSent="
                + windowAckSizeSent + ", peerWindowAckSize=" + peerWindowAckSize + ", peerAcknowledged="
                + peerAcknowledged + ", peerBandwidth=" + peerBandwidth + "/" + peerBandwidthLimitType
                + ", chunkSize in/out=" + inboundChunkSize + "/" + outboundChunkSize + "}";
    }
}
