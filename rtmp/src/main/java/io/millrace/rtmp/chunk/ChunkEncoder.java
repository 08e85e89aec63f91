package io.millrace.rtmp.chunk;

import io.millrace.rtmp.control.ControlMessage;
import io.millrace.rtmp.control.SetChunkSize;
import io.millrace.rtmp.control.WindowAckSize;
import io.millrace.rtmp.message.MessageType;
import io.millrace.rtmp.message.RtmpMessage;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.EncoderException;
import io.netty.util.concurrent.PromiseCombiner;

import java.util.ArrayList;
import java.util.Objects;

/**
 * Outbound chunk stream handler: writes {@link RtmpMessage}s and {@link ControlMessage}s as chunks with
 * a {@link ChunkWriter}. Other outbound objects pass through untouched.
 *
 * <p>Each message becomes one buffer written on with the message's promise. A message whose chunks
 * carry at least {@link #zeroCopyThreshold()} payload bytes each (all but the last), and whose payload is
 * one contiguous direct buffer, is not copied: its buffer is a read-only view of chunk headers and the
 * payload's own bytes ({@link ChunkWriter#writeZeroCopy}), which the epoll and NIO transports hand to the
 * kernel with one gathering write. Other messages (control messages, small ones, small chunk sizes, heap or
 * composite payloads) are copied into one direct buffer, which costs less there. The bytes on the wire are
 * the same either way. A message of more than {@value #MAX_PARTS} parts (headers and bodies) is written as
 * several buffers, its promise completing when all of them are written.
 *
 * <p>The message is released once written (or on failure); a zero-copy buffer holds its own reference to
 * the payload until the transport has sent (and released) it. An encoding failure fails the write's promise with an
 * {@link EncoderException}.
 *
 * <p>When a Set Chunk Size goes out (as a {@link SetChunkSize} or as a raw type-1 {@link RtmpMessage}),
 * it is written with the old chunk size and every later message uses the new one. Window
 * Acknowledgement Size messages sent are recorded in the shared {@link ChunkStreamState} (the decoder
 * compares Set Peer Bandwidth against it), as is the number of bytes produced.
 *
 * <p>Place it before the {@link ChunkDecoder} (closer to the pipeline head) so the decoder's automatic
 * replies pass through it.
 */
public class ChunkEncoder extends ChannelOutboundHandlerAdapter {
    /**
     * The default {@link #zeroCopyThreshold()}: 4 KB chunk bodies. Measured over loopback (epoll, 30 KB
     * frames not in cache): from 4 KB chunks up, not copying saves event-loop CPU (roughly 5% at 4 KB and 12%
     * at 16 KB, the user-space copy); at 2 KB it is about even, and at 1 KB and less the kernel's cost of the
     * extra iovecs makes it dearer than copying.
     */
    public static final int DEFAULT_ZERO_COPY_THRESHOLD = 4096;
    /** NIO buffers of one outbound buffer at most: Linux's IOV_MAX, above which epoll copies a buffer before writing it. */
    static final int MAX_PARTS = 1024;

    /** Bytes of batched messages gathered before they are written on as one buffer. */
    static final int BATCH_BYTES = 64 * 1024;

    private final ChunkWriter writer = new ChunkWriter();
    private final ChunkStreamState state;
    private final int zeroCopyThreshold;
    /** Buffers of the message being written zero-copy; empty between writes. */
    private final ArrayList<ByteBuf> parts = new ArrayList<>(1);
    /** Where a shared message's header is computed before it is known whether the shared prefix fits (unpooled heap: not leak-tracked, never written). */
    private ByteBuf scratch = Unpooled.buffer(ChunkWriter.MAX_FIRST_HEADER);
    private ChannelHandlerContext ctx;
    /** Messages encoded by {@link #writeBatched} and not yet written on; null when there are none. */
    private ByteBuf batch;

    /** An encoder with its own state; for a pair, share the state with the decoder. */
    public ChunkEncoder() {
        this(new ChunkStreamState());
    }

    /** @param state shared with this connection's {@link ChunkDecoder} */
    public ChunkEncoder(ChunkStreamState state) {
        this(state, DEFAULT_ZERO_COPY_THRESHOLD);
    }

    /**
     * @param state shared with this connection's {@link ChunkDecoder}
     * @param zeroCopyThreshold the fewest payload bytes per chunk for which a message's payload is sent
     *        without copying (0: every message with a direct contiguous payload; {@link Integer#MAX_VALUE}:
     *        never)
     */
    public ChunkEncoder(ChunkStreamState state, int zeroCopyThreshold) {
        this.state = Objects.requireNonNull(state, "state");
        if (zeroCopyThreshold < 0) {
            throw new IllegalArgumentException("zeroCopyThreshold must not be negative: " + zeroCopyThreshold);
        }
        this.zeroCopyThreshold = zeroCopyThreshold;
    }

    public ChunkStreamState state() {
        return state;
    }

    /** The current outbound chunk size. */
    public int chunkSize() {
        return writer.chunkSize();
    }

    /** The fewest payload bytes per chunk for which a message goes out without copying its payload. */
    public int zeroCopyThreshold() {
        return zeroCopyThreshold;
    }

    /**
     * Encodes a message straight into this connection's outbound stream, without a message object or a
     * buffer of its own: its chunks are appended to a batch buffer that many such messages share, which is
     * written on (one buffer, one entry in the channel's outbound queue) when it holds
     * {@value #BATCH_BYTES} bytes, when anything else is written, and on flush. The payload is
     * {@code prefixLength} bytes of {@code prefix} then {@code length} bytes of {@code data} from
     * {@code index} ({@link ChunkWriter#write(int, int, long, int, long, int, ByteBuf, int, int, ByteBuf)}),
     * copied: {@code data} is only read, and may be reused as soon as this returns. Messages keep their
     * order with everything else written on the channel.
     *
     * <p>For senders of many messages per event-loop turn (on-demand playback). Call it on the channel's
     * event loop only, and flush the channel when done (the batch is written then).
     *
     * @throws IllegalStateException off the event loop, or before the handler is in a pipeline
     * @throws IllegalArgumentException as {@link ChunkWriter#write(RtmpMessage, ByteBuf)} (nothing is written)
     */
    public void writeBatched(int csid, int typeId, long timestamp, int streamId, long prefix, int prefixLength,
                             ByteBuf data, int index, int length) {
        ChannelHandlerContext c = ctx;
        if (c == null || !c.executor().inEventLoop()) {
            throw new IllegalStateException(c == null ? "not in a pipeline" : "writeBatched off the event loop");
        }
        int max = writer.maxEncodedSize(prefixLength + length);
        if (batch != null && batch.writableBytes() < max) {
            writeBatch();
        }
        if (batch == null) {
            batch = c.alloc().ioBuffer(Math.max(BATCH_BYTES, max));
        }
        int before = batch.writerIndex();
        writer.write(csid, typeId, timestamp, streamId, prefix, prefixLength, data, index, length, batch);
        state.addBytesSent(batch.writerIndex() - before);
        if (batch.readableBytes() >= BATCH_BYTES) {
            writeBatch();
        }
    }

    /** Writes on the batched messages, if any. */
    private void writeBatch() {
        ByteBuf b = batch;
        if (b != null) {
            batch = null;
            ctx.write(b);
        }
    }

    private void releaseBatch() {
        ByteBuf b = batch;
        if (b != null) {
            batch = null;
            b.release();
        }
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        releaseBatch();
    }

    @Override
    public void flush(ChannelHandlerContext ctx) {
        writeBatch();
        ctx.flush();
    }

    @Override
    public void close(ChannelHandlerContext ctx, ChannelPromise promise) {
        releaseBatch(); // not flushed: a close drops unflushed writes
        ctx.close(promise);
    }

    /** Whether {@code msg} is encoded here (other objects pass through). */
    public boolean acceptOutboundMessage(Object msg) {
        return msg instanceof RtmpMessage || msg instanceof ControlMessage || msg instanceof SharedMessage.Outbound;
    }

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
        writeBatch(); // batched messages came first
        if (msg instanceof RtmpMessage m) {
            writeMessage(ctx, m, promise);
        } else if (msg instanceof SharedMessage.Outbound o) {
            writeShared(ctx, o, promise);
        } else if (msg instanceof ControlMessage c) {
            writeControl(ctx, c, promise);
        } else {
            ctx.write(msg, promise);
        }
    }

    /**
     * A shared message: this connection's first-chunk header, then the shared chunk bodies as they are (two
     * buffers, one gathering write), or the whole message copied when the layout does not fit this
     * connection ({@link ChunkWriter#writeShared}).
     */
    private void writeShared(ChannelHandlerContext ctx, SharedMessage.Outbound m, ChannelPromise promise) {
        ByteBuf header = null;
        ByteBuf body = null;
        try {
            try {
                SharedMessage shared = m.shared();
                scratch.clear();
                boolean asIs = writer.writeShared(m, scratch);
                byte[] predicted = shared.predictedHeader();
                if (asIs && predicted != null && sameBytes(scratch, predicted)) {
                    // The header every viewer that got the previous frame writes: one shared buffer, no copy.
                    body = shared.prefixed().retainedDuplicate();
                    state.addBytesSent(body.readableBytes());
                } else {
                    header = ctx.alloc().directBuffer(scratch.readableBytes());
                    header.writeBytes(scratch);
                    if (asIs) {
                        body = shared.body().retainedDuplicate();
                        state.addBytesSent(header.readableBytes() + body.readableBytes());
                    } else {
                        state.addBytesSent(header.readableBytes());
                    }
                }
            } finally {
                m.release();
                if (scratch.capacity() > 256) {
                    // A fallback wrote a whole message here: do not keep a large buffer.
                    scratch = Unpooled.buffer(ChunkWriter.MAX_FIRST_HEADER);
                }
            }
        } catch (Throwable t) {
            if (header != null) {
                header.release();
            }
            if (body != null) {
                body.release();
            }
            throw t instanceof EncoderException e ? e : new EncoderException(t);
        }
        if (header == null) {
            ctx.write(body, promise);
        } else if (body == null) {
            ctx.write(header, promise);
        } else {
            parts.add(header);
            parts.add(body);
            writeParts(ctx, promise);
        }
    }

    private static boolean sameBytes(ByteBuf b, byte[] expected) {
        int n = b.readableBytes();
        if (n != expected.length) {
            return false;
        }
        int at = b.readerIndex();
        for (int i = 0; i < n; i++) {
            if (b.getByte(at + i) != expected[i]) {
                return false;
            }
        }
        return true;
    }

    private void writeControl(ChannelHandlerContext ctx, ControlMessage control, ChannelPromise promise) {
        ByteBuf out = null;
        try {
            RtmpMessage m = control.toMessage(ctx.alloc());
            try {
                out = ctx.alloc().ioBuffer(writer.maxEncodedSize(control.payloadLength()));
                writer.write(m, out);
            } finally {
                m.release();
            }
            if (control instanceof SetChunkSize c) {
                chunkSizeSent(c.size());
            } else if (control instanceof WindowAckSize w) {
                state.windowAckSizeSent(w.size());
            }
            state.addBytesSent(out.readableBytes());
            ByteBuf written = out;
            out = null;
            ctx.write(written, promise);
        } catch (EncoderException e) {
            throw e;
        } catch (Throwable t) {
            throw new EncoderException(t);
        } finally {
            if (out != null) {
                out.release();
            }
        }
    }

    private void writeMessage(ChannelHandlerContext ctx, RtmpMessage m, ChannelPromise promise) {
        ByteBuf out = null;
        try {
            try {
                ByteBuf p = m.content();
                int length = p.readableBytes();
                // Validate a raw Set Chunk Size before anything is written.
                int newChunkSize = 0;
                if (m.typeId() == MessageType.SET_CHUNK_SIZE) {
                    if (length != 4 || p.getInt(p.readerIndex()) <= 0) {
                        throw new IllegalArgumentException("malformed outbound Set Chunk Size message: " + m);
                    }
                    newChunkSize = p.getInt(p.readerIndex());
                }
                if (zeroCopy(p, length)) {
                    state.addBytesSent(writer.writeZeroCopy(m, ctx.alloc(), MAX_PARTS, parts));
                } else {
                    out = ctx.alloc().ioBuffer(writer.maxEncodedSize(length));
                    writer.write(m, out);
                    state.addBytesSent(out.readableBytes());
                }
                if (newChunkSize > 0) {
                    chunkSizeSent(newChunkSize);
                } else if (m.typeId() == MessageType.WINDOW_ACK_SIZE && length == 4) {
                    state.windowAckSizeSent(p.getUnsignedInt(p.readerIndex()));
                }
            } finally {
                m.release();
            }
        } catch (Throwable t) {
            if (out != null) {
                out.release();
            }
            releaseParts();
            throw t instanceof EncoderException e ? e : new EncoderException(t);
        }
        if (out != null) {
            ctx.write(out, promise);
        } else {
            writeParts(ctx, promise);
        }
    }

    /** Whether a message of {@code length} bytes in {@code payload} is worth sending without copying. */
    private boolean zeroCopy(ByteBuf payload, int length) {
        return Math.min(length, writer.effectiveChunkSize()) >= zeroCopyThreshold
                && payload.isDirect() && payload.nioBufferCount() == 1;
    }

    private void writeParts(ChannelHandlerContext ctx, ChannelPromise promise) {
        // Taken out of the field first: a write further on could come back to this handler.
        if (parts.size() == 1) {
            ByteBuf only = parts.get(0);
            parts.clear();
            ctx.write(only, promise);
            return;
        }
        ByteBuf[] all = parts.toArray(new ByteBuf[0]);
        parts.clear();
        if (promise.isVoid()) {
            for (ByteBuf b : all) {
                ctx.write(b, promise);
            }
            return;
        }
        PromiseCombiner combiner = new PromiseCombiner(ctx.executor());
        for (ByteBuf b : all) {
            combiner.add(ctx.write(b));
        }
        combiner.finish(promise);
    }

    private void releaseParts() {
        for (ByteBuf b : parts) {
            b.release();
        }
        parts.clear();
    }

    private void chunkSizeSent(int size) {
        writer.setChunkSize(size);
        state.outboundChunkSize(size);
    }
}
