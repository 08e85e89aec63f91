package io.millrace.rtmp.chunk;

import io.millrace.rtmp.control.ControlMessage;
import io.millrace.rtmp.control.SetChunkSize;
import io.millrace.rtmp.control.WindowAckSize;
import io.millrace.rtmp.message.MessageType;
import io.millrace.rtmp.message.RtmpMessage;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.MessageToByteEncoder;

import java.util.Objects;

/**
 * Outbound chunk stream handler: writes {@link RtmpMessage}s and {@link ControlMessage}s as chunks with
 * a {@link ChunkWriter}. Other outbound objects pass through untouched.
 *
 * <p>When a Set Chunk Size goes out (as a {@link SetChunkSize} or as a raw type-1 {@link RtmpMessage}),
 * it is written with the old chunk size and every later message uses the new one. Window
 * Acknowledgement Size messages sent are recorded in the shared {@link ChunkStreamState} (the decoder
 * compares Set Peer Bandwidth against it), as is the number of bytes produced.
 *
 * <p>Place it before the {@link ChunkDecoder} (closer to the pipeline head) so the decoder's automatic
 * replies pass through it.
 */
public class ChunkEncoder extends MessageToByteEncoder<Object> {
    /** Longest control message payload: the 44-byte SWF verification response (unknown events may be longer). */
    private static final int TYPICAL_CONTROL_PAYLOAD = 44;

    private final ChunkWriter writer = new ChunkWriter();
    private final ChunkStreamState state;

    /** An encoder with its own state; for a pair, share the state with the decoder. */
    public ChunkEncoder() {
        this(new ChunkStreamState());
    }

    /** @param state shared with this connection's {@link ChunkDecoder} */
    public ChunkEncoder(ChunkStreamState state) {
        super(Object.class);
        this.state = Objects.requireNonNull(state, "state");
    }

    public ChunkStreamState state() {
        return state;
    }

    /** The current outbound chunk size. */
    public int chunkSize() {
        return writer.chunkSize();
    }

    @Override
    public boolean acceptOutboundMessage(Object msg) {
        return msg instanceof RtmpMessage || msg instanceof ControlMessage;
    }

    @Override
    protected ByteBuf allocateBuffer(ChannelHandlerContext ctx, Object msg, boolean preferDirect) {
        int payloadLength;
        if (msg instanceof RtmpMessage m) {
            payloadLength = m.content().readableBytes();
        } else if (msg instanceof ControlMessage c) {
            payloadLength = c.payloadLength();
        } else {
            payloadLength = TYPICAL_CONTROL_PAYLOAD;
        }
        int size = writer.maxEncodedSize(payloadLength);
        return preferDirect ? ctx.alloc().ioBuffer(size) : ctx.alloc().heapBuffer(size);
    }

    @Override
    protected void encode(ChannelHandlerContext ctx, Object msg, ByteBuf out) {
        int before = out.writerIndex();
        if (msg instanceof ControlMessage control) {
            RtmpMessage m = control.toMessage(ctx.alloc());
            try {
                writer.write(m, out);
            } finally {
                m.release();
            }
            if (control instanceof SetChunkSize c) {
                chunkSizeSent(c.size());
            } else if (control instanceof WindowAckSize w) {
                state.windowAckSizeSent(w.size());
            }
        } else {
            RtmpMessage m = (RtmpMessage) msg;
            ByteBuf p = m.content();
            // Validate a raw Set Chunk Size before anything is written.
            int newChunkSize = 0;
            if (m.typeId() == MessageType.SET_CHUNK_SIZE) {
                if (p.readableBytes() != 4 || p.getInt(p.readerIndex()) <= 0) {
                    throw new IllegalArgumentException("malformed outbound Set Chunk Size message: " + m);
                }
                newChunkSize = p.getInt(p.readerIndex());
            }
            writer.write(m, out);
            if (newChunkSize > 0) {
                chunkSizeSent(newChunkSize);
            } else if (m.typeId() == MessageType.WINDOW_ACK_SIZE && p.readableBytes() == 4) {
                state.windowAckSizeSent(p.getUnsignedInt(p.readerIndex()));
            }
        }
        state.addBytesSent(out.writerIndex() - before);
    }

    private void chunkSizeSent(int size) {
        writer.setChunkSize(size);
        state.outboundChunkSize(size);
    }
}
