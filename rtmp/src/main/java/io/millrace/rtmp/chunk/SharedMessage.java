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

    private SharedMessage(int typeId, int csid, int chunkSize, ByteBuf payload, ByteBuf body) {
        this.typeId = typeId;
        this.csid = csid;
        this.chunkSize = chunkSize;
        this.payload = payload;
        this.body = body;
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
        Objects.requireNonNull(payload, "payload");
        ByteBuf body = null;
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
            SharedMessage m = new SharedMessage(typeId, csid, chunkSize, payload, body);
            body = null;
            return m;
        } catch (RuntimeException | Error e) {
            payload.release();
            throw e;
        } finally {
            if (body != null) {
                body.release();
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

    /** This message on one connection's message stream at one timestamp; retains this message once. */
    public Outbound forStream(int streamId, long timestamp) {
        retain();
        return new Outbound(this, streamId, timestamp & 0xFFFFFFFFL);
    }

    @Override
    protected void deallocate() {
        payload.release();
        body.release();
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

        private Outbound(SharedMessage shared, int streamId, long timestamp) {
            this.shared = shared;
            this.streamId = streamId;
            this.timestamp = timestamp;
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
            shared.release();
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
