package io.millrace.bench.live;

import io.millrace.amf.AmfObject;
import io.millrace.rtmp.command.Command;
import io.millrace.rtmp.command.DataMessage;
import io.millrace.rtmp.control.SetChunkSize;
import io.millrace.rtmp.handshake.HandshakeCompleteEvent;
import io.millrace.rtmp.message.MessageType;
import io.millrace.rtmp.message.RtmpMessage;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.EventLoop;
import io.netty.util.ReferenceCountUtil;

import java.io.IOException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * One publisher, in the sequence FMLE and ffmpeg use: handshake, Set Chunk Size 4096, {@code connect} (1);
 * on success {@code releaseStream(name)} (2), {@code FCPublish(name)} (3) and {@code createStream} (4), whose
 * answers to the first two are not awaited (servers differ: nginx-rtmp does not answer them); then
 * {@code publish(name, "live")} (5) on the new stream. On {@code NetStream.Publish.Start}:
 * {@code @setDataFrame onMetaData {...}} (AMF0 data, type 18), the AVC and AAC sequence headers, all at
 * timestamp 0, and then the {@link MediaSource}'s frames, each written when it is due (the source's time
 * after the start) by a timer on the publisher's event loop, and flushed per wake-up.
 *
 * <p>A stamped video frame ({@link FrameStamp}) gets {@link System#nanoTime()} written into it just before it
 * is written to the socket; the publisher counts those stamped inside the measured window, which is what
 * every viewer should receive. It also records how late its timer ran (the frame's write time minus its due
 * time) and how many frames it wrote while its socket was not writable (the server not reading fast
 * enough): both show a publisher that could not keep real time.
 */
final class Publisher extends ChannelInboundHandlerAdapter {
    enum Stage { TCP, HANDSHAKE, CONNECT, CREATE_STREAM, PUBLISH, PUBLISHING, FAILED, STOPPED }

    final int index;
    final String stream;
    final EventLoop loop;
    private final RunContext run;
    private final MediaSource source;
    private final CountDownLatch ready = new CountDownLatch(1);

    private Channel channel;
    private ChannelHandlerContext ctx;
    volatile Stage stage = Stage.TCP;
    volatile String failure;
    private int streamId;
    private long t0;
    private MediaSource.Frame pending;
    private ScheduledFuture<?> timer;

    // Figures, touched on the loop only (read through a task on the loop).
    long framesSent;
    long videoFramesSent;
    long bytesSent;
    long framesInWindow;
    long bytesInWindow;
    long sentWhileUnwritable;
    long maxLateNanos;
    long lateOver20ms;

    Publisher(int index, String stream, EventLoop loop, RunContext run, MediaSource source) {
        this.index = index;
        this.stream = stream;
        this.loop = loop;
        this.run = run;
        this.source = source;
    }

    /** Starts connecting; {@link #awaitReady} tells how it went. */
    void start(io.netty.bootstrap.Bootstrap b) {
        ChannelFuture f = ClientChannels.connect(b, run.host, run.port, this);
        f.addListener(done -> {
            channel = f.channel();
            if (!done.isSuccess()) {
                fail("TCP connect: " + ClientChannels.describe(done.cause()));
            } else if (stage == Stage.TCP) {
                stage = Stage.HANDSHAKE;
            }
        });
    }

    /** Waits until publishing started (true) or failed or timed out (false, {@link #failure} says why). */
    boolean awaitReady(long nanos) throws InterruptedException {
        if (!ready.await(nanos, TimeUnit.NANOSECONDS)) {
            loop.execute(() -> fail("no NetStream.Publish.Start within " + TimeUnit.NANOSECONDS.toSeconds(nanos) + " s (stage "
                    + stage.name().toLowerCase() + ")"));
            ready.await(2, TimeUnit.SECONDS);
            return false;
        }
        return stage == Stage.PUBLISHING;
    }

    void fail(String reason) {
        if (stage == Stage.FAILED || stage == Stage.STOPPED) {
            return;
        }
        failure = reason;
        stage = Stage.FAILED;
        stopTimer();
        ready.countDown();
        if (channel != null) {
            channel.close();
        }
    }

    /** Stops publishing and closes the connection; call on the loop. */
    void stop() {
        if (stage != Stage.FAILED) {
            stage = Stage.STOPPED;
        }
        stopTimer();
        if (channel != null) {
            channel.close();
        }
        try {
            source.close();
        } catch (IOException ignored) {
            // a file source: nothing to do about it now
        }
    }

    private void stopTimer() {
        if (timer != null) {
            timer.cancel(false);
            timer = null;
        }
        if (pending != null) {
            pending.payload().release();
            pending = null;
        }
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
        this.channel = ctx.channel();
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
        if (evt instanceof HandshakeCompleteEvent) {
            stage = Stage.CONNECT;
            ctx.write(new SetChunkSize(4096));
            ctx.writeAndFlush(ClientChannels.connect(run.app, run.tcUrl));
        }
        super.userEventTriggered(ctx, evt);
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        try {
            if (msg instanceof Command c) {
                command(ctx, c);
            }
        } finally {
            ReferenceCountUtil.release(msg);
        }
    }

    private void command(ChannelHandlerContext ctx, Command c) {
        String name = c.name();
        double tid = c.transactionId();
        if (name.equals("_result") || name.equals("_error")) {
            if (tid == 1 && stage == Stage.CONNECT) {
                String code = ClientChannels.code(c);
                if (name.equals("_result") && (code == null || code.equals("NetConnection.Connect.Success"))) {
                    stage = Stage.CREATE_STREAM;
                    ctx.write(Command.of("releaseStream", 2, null, stream));
                    ctx.write(Command.of("FCPublish", 3, null, stream));
                    ctx.writeAndFlush(Command.of("createStream", 4, null));
                } else {
                    fail("connect: " + name + " " + code + description(c));
                }
            } else if (tid == 4 && stage == Stage.CREATE_STREAM) {
                if (name.equals("_result") && c.arg(0) instanceof Number id) {
                    streamId = id.intValue();
                    stage = Stage.PUBLISH;
                    ctx.writeAndFlush(Command.of("publish", 5, null, stream, "live").onStream(streamId));
                } else {
                    fail("createStream: " + name + " " + ClientChannels.code(c));
                }
            } else if (tid == 5 && name.equals("_error")) {
                fail("publish: _error " + ClientChannels.code(c) + description(c));
            }
        } else if (name.equals("onStatus")) {
            String code = ClientChannels.code(c);
            String level = c.arg(0) instanceof AmfObject info ? info.getString("level") : null;
            if ("NetStream.Publish.Start".equals(code) && stage == Stage.PUBLISH) {
                startPublishing(ctx);
            } else if ("error".equals(level) || (code != null && (code.endsWith(".BadName") || code.endsWith(".Failed")))) {
                fail("publish: " + code + description(c));
            }
        }
    }

    private static String description(Command c) {
        String d = c.arg(0) instanceof AmfObject info ? info.getString("description") : null;
        return d == null || d.isEmpty() ? "" : " (" + d + ")";
    }

    private void startPublishing(ChannelHandlerContext ctx) {
        stage = Stage.PUBLISHING;
        ctx.write(DataMessage.of("@setDataFrame", streamId, 0, "onMetaData", source.metadata()));
        ByteBuf video = source.videoSequenceHeader(ctx.alloc());
        if (video != null) {
            ctx.write(new RtmpMessage(MessageType.VIDEO, 0, streamId, video));
        }
        ByteBuf audio = source.audioSequenceHeader(ctx.alloc());
        if (audio != null) {
            ctx.write(new RtmpMessage(MessageType.AUDIO, 0, streamId, audio));
        }
        ctx.flush();
        t0 = System.nanoTime();
        ready.countDown();
        tick();
    }

    /** Writes every frame that is due, flushes, and sets the timer for the next one. */
    private void tick() {
        timer = null;
        if (stage != Stage.PUBLISHING) {
            return;
        }
        try {
            long now = System.nanoTime();
            boolean wrote = false;
            while (true) {
                if (pending == null) {
                    pending = source.next(ctx.alloc());
                }
                long due = t0 + pending.dueNanos();
                if (due > now) {
                    break;
                }
                MediaSource.Frame f = pending;
                pending = null;
                send(f, due);
                wrote = true;
                now = System.nanoTime();
            }
            if (wrote) {
                ctx.flush();
            }
            timer = loop.schedule(this::tick, t0 + pending.dueNanos() - System.nanoTime(), TimeUnit.NANOSECONDS);
        } catch (IOException | RuntimeException e) {
            fail("source: " + ClientChannels.describe(e));
        }
    }

    private void send(MediaSource.Frame f, long due) {
        ByteBuf p = f.payload();
        long now = System.nanoTime();
        if (f.type() == 9 && FrameStamp.isStamped(p)) {
            FrameStamp.restamp(p, now);
            if (run.inWindow(now)) {
                framesInWindow++;
            }
        }
        if (run.inWindow(now)) {
            bytesInWindow += p.readableBytes();
        }
        long late = now - due;
        if (late > maxLateNanos) {
            maxLateNanos = late;
        }
        if (late > 20_000_000L) {
            lateOver20ms++;
        }
        if (!channel.isWritable()) {
            sentWhileUnwritable++;
        }
        framesSent++;
        if (f.type() == 9) {
            videoFramesSent++;
        }
        bytesSent += p.readableBytes();
        ctx.write(new RtmpMessage(f.type() == 9 ? MessageType.VIDEO : MessageType.AUDIO, f.timestamp(), streamId, p));
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
        if (stage != Stage.STOPPED && !run.closing) {
            fail("closed by the server during " + stage.name().toLowerCase());
        }
        super.channelInactive(ctx);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        fail(ClientChannels.describe(cause));
        ctx.close();
    }

    /** The publisher's figures, copied on the loop. */
    PublisherResult result() {
        return new PublisherResult(index, stream, stage, failure, framesSent, videoFramesSent, bytesSent, framesInWindow,
                bytesInWindow, sentWhileUnwritable, maxLateNanos, lateOver20ms);
    }

    record PublisherResult(int index, String stream, Stage stage, String failure, long framesSent, long videoFramesSent,
                           long bytesSent, long framesInWindow, long bytesInWindow, long sentWhileUnwritable, long maxLateNanos,
                           long lateOver20ms) {
    }
}
