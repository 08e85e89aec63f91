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
 * Handshake stage of a client connection: writes C0+C1 as soon as the channel is active (or when
 * added to an already active channel), reads S0+S1+S2, writes C2, then fires a
 * {@link HandshakeCompleteEvent} and removes itself; bytes that followed S2 go on to the next
 * handler after the event.
 *
 * <p>A bad S0, a wrong S1 digest or a wrong S2 signature is propagated unwrapped as
 * {@link RtmpProtocolException} through {@code exceptionCaught} and the channel is closed.
 * One instance per channel.
 */
public final class ClientHandshakeHandler extends ByteToMessageDecoder {

    private static final Logger LOG = LoggerFactory.getLogger(ClientHandshakeHandler.class);

    private final ClientHandshake handshake;
    private boolean c0c1Sent;
    private boolean failed;

    /** Flash-like digest handshake at scheme 1. */
    public ClientHandshakeHandler() {
        this(ClientHandshake.digest());
    }

    /** @param digest true for a Flash-like digest C1 at scheme 1, false for a plain C1 */
    public ClientHandshakeHandler(boolean digest) {
        this(digest ? ClientHandshake.digest() : ClientHandshake.plain());
    }

    /**
     * @param digest true for a Flash-like digest C1, false for a plain C1
     * @param scheme scheme of the C1 digest (0 or 1); ignored for a plain C1
     */
    public ClientHandshakeHandler(boolean digest, int scheme) {
        this(digest ? ClientHandshake.digest(scheme) : ClientHandshake.plain());
    }

    /** @param handshake a fresh handshake, used by this handler only */
    public ClientHandshakeHandler(ClientHandshake handshake) {
        this.handshake = Objects.requireNonNull(handshake, "handshake");
        if (handshake.isComplete()) {
            throw new IllegalArgumentException("handshake already used");
        }
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) throws Exception {
        super.handlerAdded(ctx);
        if (ctx.channel().isActive()) {
            sendC0C1(ctx);
        }
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) throws Exception {
        sendC0C1(ctx);
        super.channelActive(ctx);
    }

    private void sendC0C1(ChannelHandlerContext ctx) {
        if (c0c1Sent) {
            return;
        }
        c0c1Sent = true;
        byte[] c0c1 = handshake.c0c1();
        ctx.writeAndFlush(ctx.alloc().buffer(c0c1.length).writeBytes(c0c1))
                .addListener(ChannelFutureListener.FIRE_EXCEPTION_ON_FAILURE);
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        if (failed) {
            in.skipBytes(in.readableBytes());
            return;
        }
        try {
            if (!in.isReadable()) {
                return;
            }
            ClientHandshake.checkS0(in.getUnsignedByte(in.readerIndex()));
            if (!c0c1Sent || in.readableBytes() < ClientHandshake.S0S1S2_LENGTH) {
                return;
            }
            byte[] s0s1s2 = new byte[ClientHandshake.S0S1S2_LENGTH];
            in.readBytes(s0s1s2);
            byte[] c2 = handshake.handleS0S1S2(s0s1s2);
            ctx.writeAndFlush(ctx.alloc().buffer(c2.length).writeBytes(c2))
                    .addListener(ChannelFutureListener.FIRE_EXCEPTION_ON_FAILURE);
            HandshakeCompleteEvent event = handshake.completeEvent();
            if (LOG.isDebugEnabled()) {
                LOG.debug("{} handshake complete: {}, server version {}{}", ctx.channel(), event,
                        HandshakeBytes.versionString(handshake.serverVersion()),
                        !event.digest() && !handshake.serverEchoedC1() ? " (S2 is not an echo of C1)" : "");
            }
            HandshakeStages.complete(ctx, this, event);
        } catch (RtmpProtocolException e) {
            failed = true;
            HandshakeStages.fail(ctx, in, e, LOG);
        }
    }
}
