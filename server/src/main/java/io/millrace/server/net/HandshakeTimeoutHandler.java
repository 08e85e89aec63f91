package io.millrace.server.net;

import io.millrace.rtmp.handshake.HandshakeCompleteEvent;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.concurrent.ScheduledFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.concurrent.TimeUnit;

/**
 * Closes a connection that has not completed its RTMP handshake in time, then removes itself once
 * the handshake completes. It must sit after (tailwards of) the handshake handler, whose
 * {@link HandshakeCompleteEvent} only travels towards the tail.
 */
public final class HandshakeTimeoutHandler extends ChannelInboundHandlerAdapter {
    private static final Logger LOG = LoggerFactory.getLogger(HandshakeTimeoutHandler.class);

    private final long timeoutMillis;
    private final FloodLog log;
    private final boolean tls;
    private ScheduledFuture<?> timeout;

    public HandshakeTimeoutHandler(long timeoutMillis) {
        this(timeoutMillis, FloodLog.UNLIMITED, false);
    }

    /**
     * @param tls the connection is RTMPS: the time counts from the TCP connection, so it covers the TLS
     *            handshake as well as the RTMP one
     */
    public HandshakeTimeoutHandler(long timeoutMillis, FloodLog log, boolean tls) {
        this.timeoutMillis = timeoutMillis;
        this.log = log;
        this.tls = tls;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        timeout = ctx.executor().schedule(() -> {
            if (ctx.channel().isActive()) {
                log.info(LOG, "handshake timeout", "closing client {}: {}handshake not completed within {} ms",
                        Addresses.describe(ctx.channel().remoteAddress()), tls ? "TLS or RTMP " : "", timeoutMillis);
                ctx.close();
            }
        }, timeoutMillis, TimeUnit.MILLISECONDS);
        ctx.fireChannelActive();
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt instanceof HandshakeCompleteEvent) {
            cancel();
            ctx.pipeline().remove(this);
        }
        ctx.fireUserEventTriggered(evt);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        cancel();
        ctx.fireChannelInactive();
    }

    private void cancel() {
        if (timeout != null) {
            timeout.cancel(false);
            timeout = null;
        }
    }
}
