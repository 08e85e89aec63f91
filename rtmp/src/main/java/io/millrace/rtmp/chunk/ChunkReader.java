package io.millrace.rtmp.chunk;

import io.millrace.rtmp.RtmpProtocolException;
import io.millrace.rtmp.control.SetChunkSize;
import io.millrace.rtmp.message.RtmpMessage;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.util.collection.IntObjectHashMap;
import io.netty.util.collection.IntObjectMap;

import java.util.Objects;

/**
 * Reassembles RTMP messages from the inbound chunk stream (RTMP 2012 §5.3). A plain object with no
 * Netty channel types, so the server's {@link ChunkDecoder}, the client and fuzzers share it. Not
 * thread-safe: one reader per connection, used from one thread.
 *
 * <h2>Behaviour</h2>
 * <ul>
 *   <li>Basic headers of 1, 2 and 3 bytes; csid 2..65599; the 3-byte form is accepted for 64..319 too.</li>
 *   <li>Per-csid header state for fmt 1/2/3 compression. A fmt-3 chunk that starts a new message
 *       reuses the previous delta; after a fmt-0 header that "delta" is the fmt-0 absolute timestamp
 *       (RTMP 2012 §5.3.1.2.4), so the new message has twice that timestamp.</li>
 *   <li>fmt 1 on a csid never seen before is accepted (librtmp does this) with msid 0 and previous
 *       timestamp 0; fmt 2 or 3 on a fresh csid is a protocol error.</li>
 *   <li>A fmt 0, 1 or 2 header while a message is still incomplete on that csid is a protocol error
 *       (the peer must send fmt 3 continuation chunks, or Abort first).</li>
 *   <li>Extended timestamps: a 3-byte field of FF FF FF is followed by a 4-byte value. While the last
 *       fmt 0/1/2 header of a csid was extended, every fmt-3 chunk of it carries the 4-byte field as well
 *       (RTMP 2012 §5.3.1.3). For continuation chunks, encoders that omit it are tolerated (the SRS
 *       heuristic): if the next 4 bytes differ from the stored extended value they are payload. A fmt-3
 *       chunk that starts a new message always has it, and its value becomes the new delta.</li>
 *   <li>Timestamps are unsigned 32-bit; deltas are added modulo 2^32.</li>
 *   <li>Only whole chunks are consumed: if a chunk is incomplete, {@link #read} returns null with the
 *       reader index at the start of that chunk and no state changed.</li>
 *   <li>Bounds: a message longer than the maximum message size is rejected as soon as its header is
 *       read, before anything is allocated; a csid beyond the maximum number of chunk streams in use is
 *       rejected. A payload buffer starts at the first chunk's length (at least {@value #INITIAL_CAPACITY}
 *       bytes, at most the message length) and grows as chunks arrive, ending at exactly the message
 *       length: what the reader holds follows what the peer really sent, not what its headers announce
 *       (64 chunk streams each announcing 8 MiB cost a few kilobytes, not 512 MiB). The bytes held in
 *       incomplete messages, all chunk streams together, are bounded by twice the maximum message size
 *       (one message of the maximum size interleaved with others always fits).</li>
 * </ul>
 *
 * <p>After a {@link RtmpProtocolException} the reader's state is undefined; the connection must be
 * dropped. Call {@link #release()} when done to free partially assembled messages.
 */
public final class ChunkReader {
    /** Default bound on one message's length: 8 MiB. */
    public static final int DEFAULT_MAX_MESSAGE_SIZE = 8 * 1024 * 1024;
    /** Default bound on the number of distinct chunk stream ids a peer may use. */
    public static final int DEFAULT_MAX_CHUNK_STREAMS = 64;
    /** The initial chunk size of every RTMP connection, both directions. */
    public static final int DEFAULT_CHUNK_SIZE = 128;
    /** Largest chunk stream id (3-byte basic header). */
    public static final int MAX_CSID = 65599;
    /** Chunk sizes above this behave like it: no message is longer. */
    static final int MAX_EFFECTIVE_CHUNK_SIZE = 0xFFFFFF;
    /** What a message's payload buffer starts with, unless the message or its first chunk says otherwise. */
    static final int INITIAL_CAPACITY = 4096;

    private static final int EXTENDED = 0xFFFFFF;
    private static final int[] HEADER_LENGTH = {11, 7, 3, 0};

    private final ByteBufAllocator alloc;
    private int maxMessageSize;
    private final int maxChunkStreams;
    private final IntObjectMap<Stream> streams = new IntObjectHashMap<>();
    private int chunkSize = DEFAULT_CHUNK_SIZE;
    private int effectiveChunkSize = DEFAULT_CHUNK_SIZE;
    /** Payload bytes received in messages not yet complete, all chunk streams together. */
    private long heldBytes;

    /** Per-csid state: the last header seen and the message being assembled. */
    private static final class Stream {
        /** Timestamp of the current (or last) message, unsigned 32-bit. */
        long timestamp;
        /** The timestamp field of the last fmt 0/1/2 header (or fmt-3 extended value): absolute for fmt 0, else a delta. */
        long delta;
        int length;
        int typeId;
        int streamId;
        /** The last fmt 0/1/2 header had FF FF FF, so fmt-3 chunks carry the 4-byte field. */
        boolean extended;
        /** The value of the last 4-byte extended field. */
        long extendedValue;
        /** The message being assembled, or null between messages. */
        ByteBuf partial;
    }

    /** A reader with the default bounds (8 MiB messages, 64 chunk streams). */
    public ChunkReader(ByteBufAllocator alloc) {
        this(alloc, DEFAULT_MAX_MESSAGE_SIZE, DEFAULT_MAX_CHUNK_STREAMS);
    }

    /**
     * @param alloc allocates message payload buffers
     * @param maxMessageSize longest accepted message in bytes (at least 1)
     * @param maxChunkStreams most distinct chunk stream ids the peer may use (at least 1)
     */
    public ChunkReader(ByteBufAllocator alloc, int maxMessageSize, int maxChunkStreams) {
        this.alloc = Objects.requireNonNull(alloc, "alloc");
        if (maxMessageSize < 1) {
            throw new IllegalArgumentException("maxMessageSize must be positive: " + maxMessageSize);
        }
        if (maxChunkStreams < 1) {
            throw new IllegalArgumentException("maxChunkStreams must be positive: " + maxChunkStreams);
        }
        this.maxMessageSize = maxMessageSize;
        this.maxChunkStreams = maxChunkStreams;
    }

    /** Applies the peer's Set Chunk Size to all following chunks. */
    public void setChunkSize(int size) {
        if (size < SetChunkSize.MIN) {
            throw new IllegalArgumentException("chunk size must be 1..0x7FFFFFFF, got " + Integer.toUnsignedString(size));
        }
        chunkSize = size;
        effectiveChunkSize = Math.min(size, MAX_EFFECTIVE_CHUNK_SIZE);
    }

    /** The inbound chunk size last set (initially 128). */
    public int chunkSize() {
        return chunkSize;
    }

    public int maxMessageSize() {
        return maxMessageSize;
    }

    /**
     * Changes the longest accepted message from the next message on (a server keeps it small until the
     * client has connected, then raises it). Messages under way keep the length they announced.
     */
    public void maxMessageSize(int bytes) {
        if (bytes < 1) {
            throw new IllegalArgumentException("maxMessageSize must be positive: " + bytes);
        }
        this.maxMessageSize = bytes;
    }

    public int maxChunkStreams() {
        return maxChunkStreams;
    }

    /** Number of distinct chunk stream ids seen so far. */
    public int chunkStreamsInUse() {
        return streams.size();
    }

    /**
     * Discards the partially received message on {@code csid} (Abort Message). The csid's header state is
     * kept. Unknown csids are ignored.
     */
    public void abort(int csid) {
        Stream s = streams.get(csid);
        if (s != null && s.partial != null) {
            heldBytes -= s.partial.writerIndex();
            s.partial.release();
            s.partial = null;
        }
    }

    /** Payload bytes received in messages that are not complete yet (all chunk streams together). */
    public long heldBytes() {
        return heldBytes;
    }

    /** Releases every partially assembled message. The reader may still be used afterwards. */
    public void release() {
        for (Stream s : streams.values()) {
            if (s.partial != null) {
                s.partial.release();
                s.partial = null;
            }
        }
        heldBytes = 0;
    }

    /**
     * Reads chunks from {@code in} until a message is complete.
     *
     * @return the next complete message (the caller owns it; its chunkStreamId is the csid it arrived on),
     *         or null if more bytes are needed; whole chunks only are consumed
     * @throws RtmpProtocolException if the peer broke the chunk stream protocol or a bound
     */
    public RtmpMessage read(ByteBuf in) {
        for (;;) {
            final int start = in.readerIndex();
            final int end = in.writerIndex();
            if (start >= end) {
                return null;
            }

            // Basic header.
            int pos = start;
            int b0 = in.getUnsignedByte(pos++);
            int fmt = b0 >>> 6;
            int csid = b0 & 0x3F;
            if (csid == 0) {
                if (end - pos < 1) {
                    return null;
                }
                csid = 64 + in.getUnsignedByte(pos++);
            } else if (csid == 1) {
                if (end - pos < 2) {
                    return null;
                }
                csid = 64 + in.getUnsignedShortLE(pos);
                pos += 2;
            }

            // Message header.
            if (end - pos < HEADER_LENGTH[fmt]) {
                return null;
            }
            Stream s = streams.get(csid);
            boolean inProgress = s != null && s.partial != null;
            if (s == null && fmt >= 2) {
                throw new RtmpProtocolException("chunk stream " + csid + " starts with a fmt " + fmt
                        + " header, which needs a previous header on that chunk stream");
            }
            if (inProgress && fmt != 3) {
                throw new RtmpProtocolException("fmt " + fmt + " header on chunk stream " + csid + " while a "
                        + s.length + "-byte message is incomplete (" + s.partial.writerIndex() + " bytes received)");
            }

            long timestamp;
            long delta;
            int length;
            int typeId;
            int streamId;
            boolean extended;
            long extendedValue;
            boolean newMessage;
            if (fmt == 3) {
                length = s.length;
                typeId = s.typeId;
                streamId = s.streamId;
                extended = s.extended;
                extendedValue = s.extendedValue;
                if (inProgress) {
                    newMessage = false;
                    timestamp = s.timestamp;
                    delta = s.delta;
                    if (extended) {
                        if (end - pos < 4) {
                            return null;
                        }
                        // Continuation: the field is expected, but old encoders omit it (SRS heuristic).
                        if (in.getUnsignedInt(pos) == extendedValue) {
                            pos += 4;
                        }
                    }
                } else {
                    newMessage = true;
                    delta = s.delta;
                    if (extended) {
                        if (end - pos < 4) {
                            return null;
                        }
                        delta = in.getUnsignedInt(pos);
                        extendedValue = delta;
                        pos += 4;
                    }
                    timestamp = (s.timestamp + delta) & 0xFFFFFFFFL;
                }
            } else {
                newMessage = true;
                long field = in.getUnsignedMedium(pos);
                if (fmt <= 1) {
                    length = in.getUnsignedMedium(pos + 3);
                    typeId = in.getUnsignedByte(pos + 6);
                    if (fmt == 0) {
                        streamId = in.getIntLE(pos + 7);
                    } else {
                        streamId = s == null ? 0 : s.streamId;
                    }
                } else {
                    length = s.length;
                    typeId = s.typeId;
                    streamId = s.streamId;
                }
                pos += HEADER_LENGTH[fmt];
                extended = field == EXTENDED;
                if (extended) {
                    if (end - pos < 4) {
                        return null;
                    }
                    field = in.getUnsignedInt(pos);
                    pos += 4;
                }
                extendedValue = extended ? field : 0;
                delta = field;
                if (fmt == 0) {
                    timestamp = field;
                } else {
                    timestamp = ((s == null ? 0 : s.timestamp) + field) & 0xFFFFFFFFL;
                }
            }

            if (newMessage && length > maxMessageSize) {
                throw new RtmpProtocolException("message of " + length + " bytes on chunk stream " + csid
                        + " exceeds the maximum message size of " + maxMessageSize + " bytes");
            }
            if (s == null && streams.size() >= maxChunkStreams) {
                throw new RtmpProtocolException("chunk stream " + csid + " would exceed the maximum of "
                        + maxChunkStreams + " chunk streams in use");
            }

            // Chunk data.
            int received = newMessage ? 0 : s.partial.writerIndex();
            int chunkLength = Math.min(effectiveChunkSize, length - received);
            if (end - pos < chunkLength) {
                return null;
            }
            boolean completes = received + chunkLength == length;
            if (!completes && heldBytes + chunkLength > 2L * maxMessageSize) {
                throw new RtmpProtocolException("incomplete messages would hold " + (heldBytes + chunkLength)
                        + " bytes, more than twice the maximum message size of " + maxMessageSize + " bytes");
            }

            // The whole chunk is here: commit.
            if (s == null) {
                s = new Stream();
                streams.put(csid, s);
            }
            s.timestamp = timestamp;
            s.delta = delta;
            s.length = length;
            s.typeId = typeId;
            s.streamId = streamId;
            s.extended = extended;
            s.extendedValue = extendedValue;
            if (newMessage) {
                s.partial = alloc.buffer(Math.min(length, Math.max(chunkLength, INITIAL_CAPACITY)), length);
            } else if (s.partial.writableBytes() < chunkLength) {
                // Grow by doubling, never past the message length: the last step lands on it exactly.
                long wanted = Math.max(2L * s.partial.capacity(), (long) received + chunkLength);
                s.partial.capacity((int) Math.min(length, wanted));
            }
            s.partial.writeBytes(in, pos, chunkLength);
            in.readerIndex(pos + chunkLength);
            if (completes) {
                heldBytes -= received;
                ByteBuf payload = s.partial;
                s.partial = null;
                return new RtmpMessage(typeId, timestamp, streamId, csid, payload);
            }
            heldBytes += chunkLength;
        }
    }
}
