package io.millrace.rtmp.chunk;

import io.millrace.rtmp.control.SetChunkSize;
import io.millrace.rtmp.message.ChunkStreams;
import io.millrace.rtmp.message.RtmpMessage;
import io.netty.buffer.ByteBuf;
import io.netty.util.collection.IntObjectHashMap;
import io.netty.util.collection.IntObjectMap;

/**
 * Splits outbound RTMP messages into chunks (RTMP 2012 §5.3). A plain object with no Netty channel
 * types; not thread-safe (one writer per connection).
 *
 * <p>Header compression per chunk stream, against the last header written on it:
 * <ul>
 *   <li>fmt 0 for the first message on a csid, a new message stream id, or a timestamp that goes
 *       backwards (serial-number arithmetic: a delta of 2^31 or more counts as backwards, so a
 *       timestamp wrapping past 2^32 is still a small forward delta);</li>
 *   <li>fmt 1 for a new length or type id;</li>
 *   <li>fmt 2 for a new delta;</li>
 *   <li>fmt 3 when length, type, msid and delta are all the same as last time (after a fmt-0 header the
 *       "delta" a receiver reuses is the fmt-0 timestamp, RTMP 2012 §5.3.1.2.4).</li>
 * </ul>
 * Timestamps or deltas of 0xFFFFFF and more use the extended timestamp; the 4-byte field is then written
 * on every fmt-3 chunk too (continuations and new messages), as Flash, FMS, ffmpeg, librtmp, nginx-rtmp
 * and SRS do.
 *
 * <p>Basic headers use the shortest form. The csid is the message's chunkStreamId, or
 * {@link ChunkStreams#forMessage} when that is 0.
 */
public final class ChunkWriter {
    private static final int EXTENDED = 0xFFFFFF;
    /** Largest header of a first chunk: 3-byte basic header, 11-byte message header, 4-byte extended timestamp. */
    static final int MAX_FIRST_HEADER = 18;
    /** Largest header of a continuation chunk: 3-byte basic header, 4-byte extended timestamp. */
    static final int MAX_CONTINUATION_HEADER = 7;

    private final IntObjectMap<Stream> streams = new IntObjectHashMap<>();
    private int chunkSize = ChunkReader.DEFAULT_CHUNK_SIZE;
    private int effectiveChunkSize = ChunkReader.DEFAULT_CHUNK_SIZE;

    /** The last header written on one csid, as the receiver sees it. */
    private static final class Stream {
        long timestamp;
        /** What a fmt-3 new message adds: the last fmt 0/1/2 timestamp field. */
        long delta;
        int length;
        int typeId;
        int streamId;
        boolean extended;
    }

    /**
     * Sets the outbound chunk size. Call it only after the Set Chunk Size message announcing it has been
     * written (with the old size).
     */
    public void setChunkSize(int size) {
        if (size < SetChunkSize.MIN) {
            throw new IllegalArgumentException("chunk size must be 1..0x7FFFFFFF, got " + Integer.toUnsignedString(size));
        }
        chunkSize = size;
        effectiveChunkSize = Math.min(size, ChunkReader.MAX_EFFECTIVE_CHUNK_SIZE);
    }

    /** The outbound chunk size (initially 128). */
    public int chunkSize() {
        return chunkSize;
    }

    /** An upper bound on the bytes {@link #write} produces for a message of {@code length} bytes. */
    public int maxEncodedSize(int length) {
        int chunks = length == 0 ? 1 : (int) ((length + (long) effectiveChunkSize - 1) / effectiveChunkSize);
        long size = (long) MAX_FIRST_HEADER + (long) (chunks - 1) * MAX_CONTINUATION_HEADER + length;
        return (int) Math.min(size, Integer.MAX_VALUE - 8);
    }

    /** The chunk stream {@code msg} goes out on. */
    public static int chunkStreamIdFor(RtmpMessage msg) {
        int csid = msg.chunkStreamId();
        return csid != 0 ? csid : ChunkStreams.forMessage(msg.typeId(), msg.streamId());
    }

    /**
     * Writes {@code msg} as chunks to {@code out}. Borrows the message: it is neither released nor is its
     * reader index moved, so one message can be written to many connections.
     *
     * @throws IllegalArgumentException if the csid is outside 2..65599 or the payload is longer than
     *         0xFFFFFF bytes (nothing is written then)
     */
    public void write(RtmpMessage msg, ByteBuf out) {
        ByteBuf payload = msg.content();
        int length = payload.readableBytes();
        int csid = chunkStreamIdFor(msg);
        if (csid < 2 || csid > ChunkReader.MAX_CSID) {
            throw new IllegalArgumentException("chunk stream id must be 2.." + ChunkReader.MAX_CSID + ": " + csid);
        }
        if (length > 0xFFFFFF) {
            throw new IllegalArgumentException("message of " + length + " bytes is longer than RTMP allows (0xFFFFFF)");
        }
        long timestamp = msg.timestamp();
        int typeId = msg.typeId();
        int streamId = msg.streamId();

        Stream s = streams.get(csid);
        int fmt;
        long field;
        if (s == null) {
            s = new Stream();
            streams.put(csid, s);
            fmt = 0;
            field = timestamp;
        } else {
            long delta = (timestamp - s.timestamp) & 0xFFFFFFFFL;
            if (streamId != s.streamId || delta > 0x7FFFFFFFL) {
                fmt = 0;
                field = timestamp;
            } else if (length != s.length || typeId != s.typeId) {
                fmt = 1;
                field = delta;
            } else if (delta != s.delta) {
                fmt = 2;
                field = delta;
            } else {
                fmt = 3;
                field = delta;
            }
        }

        writeBasicHeader(out, fmt, csid);
        boolean extended;
        if (fmt == 3) {
            extended = s.extended;
        } else {
            extended = field >= EXTENDED;
            out.writeMedium(extended ? EXTENDED : (int) field);
            if (fmt <= 1) {
                out.writeMedium(length);
                out.writeByte(typeId);
                if (fmt == 0) {
                    out.writeIntLE(streamId);
                }
            }
        }
        if (extended) {
            out.writeInt((int) field);
        }

        s.timestamp = timestamp;
        s.delta = field;
        s.length = length;
        s.typeId = typeId;
        s.streamId = streamId;
        s.extended = extended;

        int at = payload.readerIndex();
        int n = Math.min(effectiveChunkSize, length);
        out.writeBytes(payload, at, n);
        for (int done = n; done < length; done += n) {
            writeBasicHeader(out, 3, csid);
            if (extended) {
                out.writeInt((int) field);
            }
            n = Math.min(effectiveChunkSize, length - done);
            out.writeBytes(payload, at + done, n);
        }
    }

    private static void writeBasicHeader(ByteBuf out, int fmt, int csid) {
        if (csid < 64) {
            out.writeByte(fmt << 6 | csid);
        } else if (csid < 320) {
            out.writeByte(fmt << 6);
            out.writeByte(csid - 64);
        } else {
            out.writeByte(fmt << 6 | 1);
            out.writeShortLE(csid - 64);
        }
    }
}
