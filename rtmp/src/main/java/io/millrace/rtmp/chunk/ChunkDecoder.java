package io.millrace.rtmp.chunk;

import io.millrace.rtmp.RtmpProtocolException;
import io.millrace.rtmp.control.Abort;
import io.millrace.rtmp.control.Acknowledgement;
import io.millrace.rtmp.control.ControlMessage;
import io.millrace.rtmp.control.ControlMessages;
import io.millrace.rtmp.control.PingRequest;
import io.millrace.rtmp.control.PingResponse;
import io.millrace.rtmp.control.SetChunkSize;
import io.millrace.rtmp.control.SetPeerBandwidth;
import io.millrace.rtmp.control.UserControlEvent;
import io.millrace.rtmp.control.WindowAckSize;
import io.millrace.rtmp.message.MessageType;
import io.millrace.rtmp.message.RtmpMessage;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;

import java.util.List;
import java.util.Objects;

/**
 * Inbound chunk stream handler, used by server and client alike: turns bytes (after the handshake) into
 * messages with a {@link ChunkReader} and handles the chunk stream's own protocol.
 *
 * <ul>
 *   <li>Protocol control messages are handled here and <b>not</b> passed on: Set Chunk Size goes to the
 *       reader, Abort discards the partial message, Window Acknowledgement Size sets our ack window,
 *       Acknowledgement is recorded ({@link ChunkStreamState#peerAcknowledged()}), Set Peer Bandwidth is
 *       applied ({@link ChunkStreamState#applyPeerBandwidth}) and, if the resulting limit differs from the
 *       last Window Acknowledgement Size we sent, answered with a Window Acknowledgement Size of that value.</li>
 *   <li>User control messages are decoded and passed on as {@link UserControlEvent}s; a
 *       {@link PingRequest} is also answered at once with a {@link PingResponse} carrying the same
 *       timestamp.</li>
 *   <li>Everything else (commands, data, audio, video, aggregate, shared objects, unknown types) is passed
 *       on as {@link RtmpMessage}; the next handler owns and releases it.</li>
 *   <li>Every byte received is counted; when the bytes received since our last Acknowledgement reach the
 *       window the peer set, an {@link Acknowledgement} with the 32-bit sequence number is sent.</li>
 * </ul>
 *
 * <p>Replies are written with {@code ctx.writeAndFlush}, which starts at this handler and travels toward
 * the head of the pipeline: the {@link ChunkEncoder} must therefore sit <b>before</b> this decoder
 * (closer to the head), e.g. {@code addLast(CHUNK_ENCODER, encoder).addLast(CHUNK_DECODER, decoder)}.
 * Both must share one {@link ChunkStreamState}.
 *
 * <p>A protocol error ({@link io.millrace.rtmp.RtmpProtocolException}, delivered by Netty wrapped in a
 * {@link io.netty.handler.codec.DecoderException}) leaves the chunk stream unusable: later input is
 * discarded, and the handler of {@code exceptionCaught} should close the connection.
 */
public class ChunkDecoder extends ByteToMessageDecoder {
    private int maxMessageSize;
    private final int maxChunkStreams;
    private final int maxChunkSize;
    private final ChunkStreamState state;
    private ChunkReader reader;
    private boolean failed;

    /** A decoder with its own state and the default chunk stream bound; for a pair, share state with the encoder. */
    public ChunkDecoder(int maxMessageSize) {
        this(maxMessageSize, ChunkReader.DEFAULT_MAX_CHUNK_STREAMS, new ChunkStreamState());
    }

    /**
     * @param maxMessageSize longest accepted message in bytes
     * @param maxChunkStreams most distinct chunk stream ids the peer may use
     * @param state shared with this connection's {@link ChunkEncoder}
     */
    public ChunkDecoder(int maxMessageSize, int maxChunkStreams, ChunkStreamState state) {
        this(maxMessageSize, maxChunkStreams, SetChunkSize.MAX, state);
    }

    /**
     * @param maxMessageSize longest accepted message in bytes
     * @param maxChunkStreams most distinct chunk stream ids the peer may use
     * @param maxChunkSize largest Set Chunk Size the peer may send; a larger one is a protocol error. The
     *                     decoder buffers a whole chunk before it consumes it, so this bounds what one
     *                     connection makes it hold (together with the message size)
     * @param state shared with this connection's {@link ChunkEncoder}
     */
    public ChunkDecoder(int maxMessageSize, int maxChunkStreams, int maxChunkSize, ChunkStreamState state) {
        if (maxMessageSize < 1) {
            throw new IllegalArgumentException("maxMessageSize must be positive: " + maxMessageSize);
        }
        if (maxChunkStreams < 1) {
            throw new IllegalArgumentException("maxChunkStreams must be positive: " + maxChunkStreams);
        }
        if (maxChunkSize < SetChunkSize.MIN) {
            throw new IllegalArgumentException("maxChunkSize must be positive: " + maxChunkSize);
        }
        this.maxMessageSize = maxMessageSize;
        this.maxChunkStreams = maxChunkStreams;
        this.maxChunkSize = maxChunkSize;
        this.state = Objects.requireNonNull(state, "state");
    }

    public ChunkStreamState state() {
        return state;
    }

    /** Changes the longest accepted message (see {@link ChunkReader#maxMessageSize(int)}). Event loop only. */
    public void maxMessageSize(int bytes) {
        if (bytes < 1) {
            throw new IllegalArgumentException("maxMessageSize must be positive: " + bytes);
        }
        maxMessageSize = bytes;
        if (reader != null) {
            reader.maxMessageSize(bytes);
        }
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) throws Exception {
        reader = new ChunkReader(ctx.alloc(), maxMessageSize, maxChunkStreams);
        super.handlerAdded(ctx);
    }

    @Override
    protected void handlerRemoved0(ChannelHandlerContext ctx) throws Exception {
        if (reader != null) {
            reader.release();
        }
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) throws Exception {
        if (msg instanceof ByteBuf buf) {
            state.addBytesReceived(buf.readableBytes());
        }
        try {
            super.channelRead(ctx, msg);
        } finally {
            if (!failed) {
                long sequence = state.takeAckDue();
                if (sequence != ChunkStreamState.NONE) {
                    ctx.writeAndFlush(new Acknowledgement(sequence));
                }
            }
        }
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        if (failed) {
            in.skipBytes(in.readableBytes());
            return;
        }
        try {
            RtmpMessage msg;
            while ((msg = reader.read(in)) != null) {
                handle(ctx, msg, out);
            }
        } catch (RuntimeException e) {
            failed = true;
            in.skipBytes(in.readableBytes());
            reader.release();
            throw e;
        }
    }

    private void handle(ChannelHandlerContext ctx, RtmpMessage msg, List<Object> out) {
        int type = msg.typeId();
        if (!ControlMessages.isControl(type)) {
            out.add(msg);
            return;
        }
        ControlMessage control;
        try {
            control = ControlMessages.decode(msg);
        } finally {
            msg.release();
        }
        if (type == MessageType.USER_CONTROL) {
            if (control instanceof PingRequest ping) {
                ctx.writeAndFlush(new PingResponse(ping.timestamp()));
            }
            out.add(control);
            return;
        }
        if (control instanceof SetChunkSize c) {
            if (c.size() > maxChunkSize) {
                throw new RtmpProtocolException("Set Chunk Size " + c.size() + " exceeds the maximum chunk size of "
                        + maxChunkSize + " bytes");
            }
            reader.setChunkSize(c.size());
            state.inboundChunkSize(c.size());
        } else if (control instanceof Abort a) {
            reader.abort(a.chunkStreamId());
        } else if (control instanceof WindowAckSize w) {
            state.peerWindowAckSize(w.size());
        } else if (control instanceof Acknowledgement a) {
            state.peerAcknowledged(a.sequenceNumber());
        } else if (control instanceof SetPeerBandwidth b) {
            long limit = state.applyPeerBandwidth(b.size(), b.limitType());
            if (limit != ChunkStreamState.NONE && limit != state.windowAckSizeSent()) {
                ctx.writeAndFlush(new WindowAckSize(limit));
            }
        }
    }
}
