package io.millrace.rtmp.handshake;

import io.millrace.rtmp.RtmpProtocolException;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.List;
import java.util.Objects;

/**
 * Pipeline stage {@link io.millrace.rtmp.PipelineNames#HANDSHAKE} of a server connection: reads
 * C0+C1, writes S0+S1+S2 in one flush, reads C2, then fires a {@link HandshakeCompleteEvent} and
 * removes itself. Bytes that arrived after C2 (the first chunks, often in the same TCP segment) are
 * handed on unchanged to the next handler, after the event.
 *
 * <p>A bad C0 (HTTP, TLS, RTMPE, unknown version) is refused as soon as the first byte arrives:
 * the {@link RtmpProtocolException} itself (not wrapped) goes down the pipeline through
 * {@code exceptionCaught}, so that the connection's last handler can log it, the channel is
 * closed and any further input is dropped.
 *
 * <p>Inbound buffers are consumed as usual for a {@link ByteToMessageDecoder}; it owns and releases
 * them. One instance per channel.
 */
public final class ServerHandshakeHandler extends ByteToMessageDecoder {

    private static final Logger LOG = LoggerFactory.getLogger(ServerHandshakeHandler.class);

    private final ServerHandshake handshake;
    private boolean failed;

    /** A handshake with the default server time (0) and version. */
    public ServerHandshakeHandler() {
        this(new ServerHandshake());
    }

    /** @param handshake a fresh handshake, used by this handler only */
    public ServerHandshakeHandler(ServerHandshake handshake) {
        this.handshake = Objects.requireNonNull(handshake, "handshake");
        if (handshake.isAnswered()) {
            throw new IllegalArgumentException("handshake already used");
        }
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        if (failed) {
            in.skipBytes(in.readableBytes());
            return;
        }
        try {
            if (!handshake.isAnswered() && !readC0C1(ctx, in)) {
                return;
            }
            if (in.readableBytes() < ServerHandshake.C2_LENGTH) {
                return;
            }
            byte[] c2 = new byte[ServerHandshake.C2_LENGTH];
            in.readBytes(c2);
            ServerHandshake.C2Form form = handshake.handleC2(c2);
            HandshakeCompleteEvent event = handshake.completeEvent();
            if (LOG.isDebugEnabled()) {
                LOG.debug("{} handshake complete: {}, C2 {}", ctx.channel(), event, form);
            }
            HandshakeStages.complete(ctx, this, event);
        } catch (RtmpProtocolException e) {
            failed = true;
            HandshakeStages.fail(ctx, in, e, LOG);
        }
    }

    /** Answers C0+C1 once all 1537 bytes are there; false while waiting. */
    private boolean readC0C1(ChannelHandlerContext ctx, ByteBuf in) {
        if (!in.isReadable()) {
            return false;
        }
        ServerHandshake.checkC0(in.getUnsignedByte(in.readerIndex()));
        if (in.readableBytes() < ServerHandshake.C0C1_LENGTH) {
            return false;
        }
        byte[] c0c1 = new byte[ServerHandshake.C0C1_LENGTH];
        in.readBytes(c0c1);
        byte[] answer = handshake.handleC0C1(c0c1);
        if (LOG.isDebugEnabled()) {
            LOG.debug("{} C1 version {} -> {} handshake", ctx.channel(),
                    HandshakeBytes.versionString(handshake.clientVersion()),
                    handshake.isDigest() ? "digest (scheme " + handshake.scheme() + ")" : "simple");
        }
        ctx.writeAndFlush(ctx.alloc().buffer(answer.length).writeBytes(answer))
                .addListener(ChannelFutureListener.FIRE_EXCEPTION_ON_FAILURE);
        return true;
    }
}
