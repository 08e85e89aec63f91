package io.millrace.rtmp.chunk;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.util.AbstractReferenceCounted;
import io.netty.util.ReferenceCounted;

import java.util.Objects;

/**
 * A message laid out in chunks once, to be written to many connections (live fan-out): the payload's
 * chunk bodies for one chunk size with the fmt-3 basic header of {@link #chunkStreamId()} between them.
 * Each connection adds only its own first-chunk header ({@link ChunkWriter#writeShared}), so the same
 * bytes go to every viewer and no viewer costs a copy of the payload.
 *
 * <p>What differs per connection, message stream id and timestamp, travels in an {@link Outbound} made by
 * {@link #forStream}. A connection whose chunk size differs, or whose timestamp needs the extended field on
 * continuation chunks, is written from {@link #payload()} instead: the bytes on the wire are the same as
 * for an ordinary message.
 *
 * <p>Reference counted: {@link #of} takes over the payload; releasing the last reference releases it and
 * the body. Each {@link Outbound} holds one reference until it is released.
 */
public final class SharedMessage extends AbstractReferenceCounted {
    private final int typeId;
    private final int csid;
    private final int chunkSize;
    private final ByteBuf payload;
    private final ByteBuf body;
    /** The first-chunk header most connections write, or null; {@link #prefixed} starts with it. */
    private final byte[] predictedHeader;
    /** {@link #predictedHeader} followed by the body, or null. */
    private final ByteBuf prefixed;

    private SharedMessage(int typeId, int csid, int chunkSize, ByteBuf payload, ByteBuf body, byte[] predictedHeader,
                          ByteBuf prefixed) {
        this.typeId = typeId;
        this.csid = csid;
        this.chunkSize = chunkSize;
        this.payload = payload;
        this.body = body;
        this.predictedHeader = predictedHeader;
        this.prefixed = prefixed;
    }

    /**
     * Lays out {@code payload} for {@code chunkSize}. A payload that fits in one chunk and is one direct
     * buffer is the body itself; otherwise the body is one direct buffer from {@code alloc}.
     *
     * @param payload taken over (released on failure too)
     * @param chunkSize the effective outbound chunk size of the connections it is meant for (1..0xFFFFFF)
     * @throws IllegalArgumentException for a csid outside 2..65599, a payload longer than 0xFFFFFF bytes or a
     *         chunk size outside 1..0xFFFFFF
     */
    public static SharedMessage of(int typeId, int csid, ByteBuf payload, int chunkSize, ByteBufAllocator alloc) {
        return of(typeId, csid, payload, chunkSize, alloc, null);
    }

    /**
     * As {@link #of(int, int, ByteBuf, int, ByteBufAllocator)}, with the first-chunk header that most
     * connections will write for this message: a connection that had the same previous message on this chunk
     * stream (a live viewer that receives every frame) computes the same fmt 1, 2 or 3 header, since those
     * carry only the timestamp delta. The message then also holds that header and the body as one buffer, and
     * such a connection writes it as one buffer with no header of its own
     * ({@link ChunkEncoder}). The header must not carry an extended timestamp.
     *
     * @param predictedHeader a fmt 1..3 header from {@link ChunkWriter#writeHeader}, or null
     */
    public static SharedMessage of(int typeId, int csid, ByteBuf payload, int chunkSize, ByteBufAllocator alloc,
                                   byte[] predictedHeader) {
        Objects.requireNonNull(payload, "payload");
        ByteBuf body = null;
        ByteBuf prefixed = null;
        try {
            if (csid < 2 || csid > ChunkReader.MAX_CSID) {
                throw new IllegalArgumentException("chunk stream id must be 2.." + ChunkReader.MAX_CSID + ": " + csid);
            }
            if (chunkSize < 1 || chunkSize > ChunkReader.MAX_EFFECTIVE_CHUNK_SIZE) {
                throw new IllegalArgumentException("chunk size must be 1..0xFFFFFF: " + chunkSize);
            }
            int length = payload.readableBytes();
            if (length > 0xFFFFFF) {
                throw new IllegalArgumentException("message of " + length + " bytes is longer than RTMP allows");
            }
            if (length <= chunkSize && payload.isDirect() && payload.nioBufferCount() == 1) {
                body = payload.retainedDuplicate();
            } else {
                body = alloc.directBuffer(ChunkWriter.bodySize(length, csid, chunkSize));
                ChunkWriter.writeBody(payload, csid, chunkSize, body);
            }
            if (predictedHeader != null) {
                prefixed = alloc.directBuffer(predictedHeader.length + body.readableBytes());
                prefixed.writeBytes(predictedHeader).writeBytes(body, body.readerIndex(), body.readableBytes());
            }
            SharedMessage m = new SharedMessage(typeId, csid, chunkSize, payload, body, predictedHeader, prefixed);
            body = null;
            prefixed = null;
            return m;
        } catch (RuntimeException | Error e) {
            payload.release();
            throw e;
        } finally {
            if (body != null) {
                body.release();
            }
            if (prefixed != null) {
                prefixed.release();
            }
        }
    }

    public int typeId() {
        return typeId;
    }

    public int chunkStreamId() {
        return csid;
    }

    /** The chunk size the body is laid out for. */
    public int chunkSize() {
        return chunkSize;
    }

    /** The message payload; borrowed, do not change its indexes. */
    public ByteBuf payload() {
        return payload;
    }

    /** The payload's chunk bodies with fmt-3 headers between them; borrowed, do not change its indexes. */
    public ByteBuf body() {
        return body;
    }

    public int length() {
        return payload.readableBytes();
    }

    /** The header {@link #prefixed()} starts with, or null; borrowed, do not change it. */
    byte[] predictedHeader() {
        return predictedHeader;
    }

    /** The predicted header followed by the body, or null; borrowed. */
    ByteBuf prefixed() {
        return prefixed;
    }

    /** This message on one connection's message stream at one timestamp; retains this message once. */
    public Outbound forStream(int streamId, long timestamp) {
        retain();
        return new Outbound(this, streamId, timestamp & 0xFFFFFFFFL, true);
    }

    /**
     * As {@link #forStream}, without a reference of its own to this message: for a write made on the channel's
     * event loop while the caller holds this message, which the encoder handles before {@code write} returns
     * (it keeps only retained buffers). Saves two atomic operations on a count that every viewer's loop
     * touches.
     */
    public Outbound borrowedForStream(int streamId, long timestamp) {
        return new Outbound(this, streamId, timestamp & 0xFFFFFFFFL, false);
    }

    @Override
    protected void deallocate() {
        payload.release();
        body.release();
        if (prefixed != null) {
            prefixed.release();
        }
    }

    @Override
    public SharedMessage touch(Object hint) {
        payload.touch(hint);
        body.touch(hint);
        return this;
    }

    @Override
    public SharedMessage retain() {
        super.retain();
        return this;
    }

    @Override
    public String toString() {
        return "SharedMessage{type=" + typeId + ", csid=" + csid + ", len=" + (refCnt() > 0 ? length() : -1)
                + ", chunkSize=" + chunkSize + "}";
    }

    /**
     * One connection's write of a {@link SharedMessage}: written by the {@link ChunkEncoder}, which releases
     * it. Releasing it releases its reference to the shared message.
     */
    public static final class Outbound extends AbstractReferenceCounted {
        private final SharedMessage shared;
        private final int streamId;
        private final long timestamp;
        private final boolean owns;

        private Outbound(SharedMessage shared, int streamId, long timestamp, boolean owns) {
            this.shared = shared;
            this.streamId = streamId;
            this.timestamp = timestamp;
            this.owns = owns;
        }

        public SharedMessage shared() {
            return shared;
        }

        public int streamId() {
            return streamId;
        }

        /** Unsigned 32-bit timestamp in milliseconds. */
        public long timestamp() {
            return timestamp;
        }

        @Override
        protected void deallocate() {
            if (owns) {
                shared.release();
            }
        }

        @Override
        public ReferenceCounted touch(Object hint) {
            shared.touch(hint);
            return this;
        }

        @Override
        public String toString() {
            return "SharedMessage.Outbound{msid=" + streamId + ", ts=" + timestamp + ", " + shared + "}";
        }
    }
}
