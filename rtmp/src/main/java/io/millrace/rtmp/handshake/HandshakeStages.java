package io.millrace.rtmp.handshake;

import io.millrace.rtmp.RtmpProtocolException;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import org.slf4j.Logger;

/** The two endings that the server and client handshake handlers share. */
final class HandshakeStages {

    private HandshakeStages() {
    }

    /**
     * Announces the finished handshake and takes {@code handler} out of the pipeline. ByteToMessageDecoder
     * passes what is left in its buffer (bytes that followed the handshake) to the next handler once
     * decode() returns, so nothing is lost.
     */
    static void complete(ChannelHandlerContext ctx, ChannelHandler handler, HandshakeCompleteEvent event) {
        ctx.fireUserEventTriggered(event);
        if (!ctx.isRemoved()) {
            ctx.pipeline().remove(handler);
        }
    }

    /** Drops the rest of the input, reports the error to the pipeline and closes the connection. */
    static void fail(ChannelHandlerContext ctx, ByteBuf in, RtmpProtocolException e, Logger log) {
        in.skipBytes(in.readableBytes());
        log.debug("{} handshake failed: {}", ctx.channel(), e.getMessage());
        ctx.fireExceptionCaught(e);
        ctx.close();
    }
}
