package io.millrace.rtmp.chunk;

import io.millrace.rtmp.control.SetChunkSize;
import io.millrace.rtmp.message.ChunkStreams;
import io.millrace.rtmp.message.RtmpMessage;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.util.collection.IntObjectHashMap;
import io.netty.util.collection.IntObjectMap;

import java.util.List;

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

    /** What continuation chunks of the message being written repeat: set by {@link #writeFirstHeader}. */
    private int lastCsid;
    /** The fmt of the last first-chunk header written. */
    private int lastFmt;
    private boolean lastExtended;
    private long lastField;

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

    /**
     * The payload bytes in each chunk but the last: the chunk size, or 0xFFFFFF for larger chunk sizes
     * (no message is longer).
     */
    public int effectiveChunkSize() {
        return effectiveChunkSize;
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
        writeFirstHeader(msg, out);
        writeBodies(msg.content(), out);
    }

    /**
     * Writes, as chunks to {@code out}, a message on {@code csid} whose payload is the {@code prefixLength}
     * low bytes of {@code prefix} (most significant first) followed by {@code length} bytes of {@code data}
     * from {@code index}: for frames whose FLV tag header is not stored in front of their bytes (MP4 and
     * MP3 samples). The same bytes as {@link #write(RtmpMessage, ByteBuf)} for that payload; {@code data}
     * is only read.
     *
     * @throws IllegalArgumentException as {@link #write(RtmpMessage, ByteBuf)}, or for a prefix of more
     *         than 8 bytes (nothing is written then)
     */
    public void write(int csid, int typeId, long timestamp, int streamId, long prefix, int prefixLength,
                      ByteBuf data, int index, int length, ByteBuf out) {
        if (prefixLength < 0 || prefixLength > 8 || length < 0) {
            throw new IllegalArgumentException("prefix of " + prefixLength + " bytes, data of " + length);
        }
        int total = prefixLength + length;
        writeFirstHeader(csid, typeId, timestamp, streamId, total, out);
        int done = 0;
        while (true) {
            int end = done + Math.min(effectiveChunkSize, total - done);
            for (; done < end && done < prefixLength; done++) {
                out.writeByte((int) (prefix >>> (8 * (prefixLength - 1 - done))));
            }
            if (done < end) {
                out.writeBytes(data, index + done - prefixLength, end - done);
                done = end;
            }
            if (done >= total) {
                return;
            }
            writeBasicHeader(out, 3, lastCsid);
            if (lastExtended) {
                out.writeInt((int) lastField);
            }
        }
    }

    /** The chunk bodies of a payload whose first header was just written, with the continuation headers. */
    private void writeBodies(ByteBuf payload, ByteBuf out) {
        int length = payload.readableBytes();
        int csid = lastCsid;
        boolean extended = lastExtended;
        int field = (int) lastField;
        int at = payload.readerIndex();
        int n = Math.min(effectiveChunkSize, length);
        out.writeBytes(payload, at, n);
        for (int done = n; done < length; done += n) {
            writeBasicHeader(out, 3, csid);
            if (extended) {
                out.writeInt(field);
            }
            n = Math.min(effectiveChunkSize, length - done);
            out.writeBytes(payload, at + done, n);
        }
    }

    /**
     * Writes {@code msg} as chunks without copying its payload, for a gathering write: appends to
     * {@code out} one or more read-only buffers that, in order, hold exactly the bytes {@link #write} would
     * produce (and updates the header compression state the same way). Their bytes are not copied: the
     * chunk headers are in one small direct buffer from {@code alloc} (the first chunk's header and, once,
     * the header every later chunk repeats), the chunk bodies are the payload's own bytes, and
     * {@link ByteBuf#nioBuffers()} gives one buffer per header and per body. Each buffer has at most
     * {@code maxParts} of those (a gathering write copies a buffer of more parts than the system's IOV_MAX);
     * a message of more chunks is split between buffers at chunk boundaries.
     *
     * <p>Borrows the message as {@link #write} does; the caller owns (and must release, or write) the
     * buffers appended to {@code out}. Each holds its own reference to the payload, so the message may be
     * released at once.
     *
     * @param maxParts at least 2: the most NIO buffers one appended buffer may have
     * @return the number of bytes appended to {@code out}
     * @throws IllegalArgumentException as {@link #write} (nothing is appended then)
     */
    public int writeZeroCopy(RtmpMessage msg, ByteBufAllocator alloc, int maxParts, List<ByteBuf> out) {
        if (maxParts < 2) {
            throw new IllegalArgumentException("maxParts must be at least 2: " + maxParts);
        }
        ByteBuf payload = msg.content();
        int length = payload.readableBytes();
        int at = payload.readerIndex();
        ByteBuf headers = alloc.directBuffer(MAX_FIRST_HEADER + MAX_CONTINUATION_HEADER);
        int added = out.size();
        try {
            writeFirstHeader(msg, headers);
            int first = headers.writerIndex();
            int chunks = length == 0 ? 1 : (int) ((length + (long) effectiveChunkSize - 1) / effectiveChunkSize);
            if (chunks > 1) {
                writeBasicHeader(headers, 3, lastCsid);
                if (lastExtended) {
                    headers.writeInt((int) lastField);
                }
            }
            int next = headers.writerIndex() - first;
            int perBuffer = maxParts / 2;
            for (int from = 0; from < chunks; from += perBuffer) {
                int to = Math.min(chunks, from + perBuffer);
                int bodyStart = from * effectiveChunkSize;
                int bodyEnd = (int) Math.min(length, (long) to * effectiveChunkSize);
                ByteBuf part = new ChunkSequenceBuf(alloc, headers, from == 0 ? 0 : first, from == 0 ? first : next,
                        first, next, payload, at + bodyStart, bodyEnd - bodyStart, effectiveChunkSize);
                // The part releases one reference to each when it is released.
                headers.retain();
                payload.retain();
                try {
                    out.add(part);
                } catch (RuntimeException | Error e) {
                    part.release();
                    throw e;
                }
            }
            return first + (chunks - 1) * next + length;
        } catch (RuntimeException | Error e) {
            for (int i = out.size() - 1; i >= added; i--) {
                out.remove(i).release();
            }
            throw e;
        } finally {
            headers.release();
        }
    }

    /**
     * Validates {@code msg}, writes the header of its first chunk and records it as the last header on its
     * chunk stream; leaves in {@link #lastCsid}, {@link #lastExtended} and {@link #lastField} what the
     * continuation chunk headers need.
     */
    private void writeFirstHeader(RtmpMessage msg, ByteBuf out) {
        writeFirstHeader(chunkStreamIdFor(msg), msg.typeId(), msg.timestamp(), msg.streamId(),
                msg.content().readableBytes(), out);
    }

    private void writeFirstHeader(int csid, int typeId, long timestamp, int streamId, int length, ByteBuf out) {
        if (csid < 2 || csid > ChunkReader.MAX_CSID) {
            throw new IllegalArgumentException("chunk stream id must be 2.." + ChunkReader.MAX_CSID + ": " + csid);
        }
        if (length > 0xFFFFFF) {
            throw new IllegalArgumentException("message of " + length + " bytes is longer than RTMP allows (0xFFFFFF)");
        }
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

        lastCsid = csid;
        lastFmt = fmt;
        lastExtended = extended;
        lastField = field;
    }

    /**
     * Writes one connection's copy of a {@link SharedMessage}: the header of its first chunk, with this
     * connection's header compression. Returns true when the shared {@link SharedMessage#body()} can follow
     * as it is, which holds when it was laid out for this writer's chunk size and the message needs no
     * extended timestamp on its continuation chunks. Otherwise writes the whole message to {@code out}
     * (copying the payload) and returns false. Borrows {@code m}.
     *
     * @throws IllegalArgumentException as {@link #write} (nothing is written then)
     */
    public boolean writeShared(SharedMessage.Outbound m, ByteBuf out) {
        SharedMessage shared = m.shared();
        ByteBuf payload = shared.payload();
        int length = payload.readableBytes();
        writeFirstHeader(shared.chunkStreamId(), shared.typeId(), m.timestamp(), m.streamId(), length, out);
        if (length <= Math.min(effectiveChunkSize, shared.chunkSize())) {
            // One chunk either way: the body is the payload.
            return true;
        }
        if (shared.chunkSize() == effectiveChunkSize && !lastExtended) {
            return true;
        }
        writeBodies(payload, out);
        return false;
    }

    /**
     * Writes the header of a message's first chunk to {@code out} exactly as {@link #write} would (updating
     * the header compression state), and returns its fmt (0..3). For a publisher's model of what a viewer
     * that receives every message gets ({@link SharedMessage#of(int, int, ByteBuf, int, ByteBufAllocator, byte[])}).
     */
    public int writeHeader(int csid, int typeId, long timestamp, int streamId, int length, ByteBuf out) {
        writeFirstHeader(csid, typeId, timestamp, streamId, length, out);
        return lastFmt;
    }

    /**
     * Lays out {@code payload} as the chunk bodies of a message on {@code csid} at {@code chunkSize},
     * with the one-byte-or-longer fmt-3 basic header between them (no extended timestamp), into {@code out}.
     */
    static void writeBody(ByteBuf payload, int csid, int chunkSize, ByteBuf out) {
        int length = payload.readableBytes();
        int at = payload.readerIndex();
        int n = Math.min(chunkSize, length);
        out.writeBytes(payload, at, n);
        for (int done = n; done < length; done += n) {
            writeBasicHeader(out, 3, csid);
            n = Math.min(chunkSize, length - done);
            out.writeBytes(payload, at + done, n);
        }
    }

    /** Bytes {@link #writeBody} produces. */
    static int bodySize(int length, int csid, int chunkSize) {
        int chunks = length == 0 ? 1 : (int) ((length + (long) chunkSize - 1) / chunkSize);
        return length + (chunks - 1) * (csid < 64 ? 1 : csid < 320 ? 2 : 3);
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
