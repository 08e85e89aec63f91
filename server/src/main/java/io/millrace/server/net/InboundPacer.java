package io.millrace.server.net;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.concurrent.ScheduledFuture;

import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * Holds what a connection may send the server to a rate, in bytes per second, by pausing reads: each read
 * moves a "paid until" time on by its size over the rate, and while that lies ahead, the socket is not read
 * (TCP's flow control then slows the sender). Reads are cut to about 1/20 s of the rate so that the pauses
 * stay short (through the channel's {@link PacedRecvByteBufAllocator}, installed when it was built). The first handler of the pipeline, so it counts the bytes on the wire. Rate 0: no limit.
 *
 * <p>What the kernel buffers ahead of the pace (the receive buffer, about 128 KB at first) is read at once
 * when the sender closes, as the epoll transport reads a closing socket to its end. A smaller SO_RCVBUF
 * was tried against that: on loopback it stalled the sender on zero windows, at half the limit.
 *
 * <p>Netty's ChannelTrafficShapingHandler was measured letting a publisher through at about twice a 40 KB/s
 * read limit; this holds it to within a few percent (BandwidthLimitIT).
 */
public final class InboundPacer extends ChannelInboundHandlerAdapter {
    /** How far ahead the paid time may run before reads pause: a little slack saves needless timers. */
    private static final long SLACK_NANOS = 5_000_000;
    private static final int MIN_READ = 1024;
    private static final int MAX_READ = 64 * 1024;

    private final LongSupplier nanoClock;
    private long bytesPerSecond;
    private long paidUntilNanos;
    private ChannelHandlerContext ctx;
    private PacedRecvByteBufAllocator reads;
    private ScheduledFuture<?> resume;

    public InboundPacer(long bytesPerSecond) {
        this(bytesPerSecond, System::nanoTime);
    }

    InboundPacer(long bytesPerSecond, LongSupplier nanoClock) {
        this.bytesPerSecond = bytesPerSecond;
        this.nanoClock = nanoClock;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
        reads = ctx.channel().config().getRecvByteBufAllocator() instanceof PacedRecvByteBufAllocator p ? p : null;
        setRate(bytesPerSecond);
    }

    /** Changes the rate (0: none). Event loop only. */
    public void setRate(long newBytesPerSecond) {
        bytesPerSecond = newBytesPerSecond;
        if (ctx == null) {
            return;
        }
        if (newBytesPerSecond <= 0) {
            if (reads != null) {
                reads.cap(0);
            }
            paidUntilNanos = 0;
            resumeNow();
            return;
        }
        int slice = (int) Math.max(MIN_READ, Math.min(MAX_READ, newBytesPerSecond / 20));
        if (reads != null) {
            reads.cap(slice);
        }
        long now = nanoClock.getAsLong();
        if (paidUntilNanos > now) {
            // What is owed is repaid at the new rate from now on.
            paidUntilNanos = now;
            resumeNow();
        }
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (bytesPerSecond > 0 && msg instanceof ByteBuf b) {
            long now = nanoClock.getAsLong();
            paidUntilNanos = Math.max(paidUntilNanos, now) + b.readableBytes() * 1_000_000_000L / bytesPerSecond;
            long ahead = paidUntilNanos - now;
            if (ahead > SLACK_NANOS && resume == null) {
                ctx.channel().config().setAutoRead(false);
                resume = ctx.executor().schedule(this::resumeNow, ahead, TimeUnit.NANOSECONDS);
            }
        }
        ctx.fireChannelRead(msg);
    }

    private void resumeNow() {
        if (resume != null) {
            resume.cancel(false);
            resume = null;
        }
        if (ctx.channel().isActive() && !ctx.channel().config().isAutoRead()) {
            ctx.channel().config().setAutoRead(true);
        }
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        if (resume != null) {
            resume.cancel(false);
            resume = null;
        }
    }
}
