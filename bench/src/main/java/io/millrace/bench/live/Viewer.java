package io.millrace.bench.live;

import io.millrace.amf.AmfObject;
import io.millrace.rtmp.command.Command;
import io.millrace.rtmp.command.DataMessage;
import io.millrace.rtmp.control.SetBufferLength;
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

import java.util.concurrent.TimeUnit;

/**
 * One viewer (or, in idle mode, one idle connection): the last stage of its connection's pipeline and
 * everything it measured. All fields are touched on its event loop only.
 *
 * <p>Sequence: TCP connect, plain handshake, {@code connect(app, tcUrl)} (transaction 1), on
 * {@code NetConnection.Connect.Success} {@code createStream} (2); an idle connection stops there. A viewer
 * then sends SetBufferLength and {@code play(stream, start)} on its stream and counts what arrives: audio and
 * video messages and their payload bytes, the time from play to the first video frame (a coded picture, not
 * the sequence header) and to the first keyframe, and for every frame that carries a {@link FrameStamp}
 * its end-to-end delay (arrival {@code nanoTime} minus the stamp) into its loop's histogram and, for the
 * frames stamped inside the window, a count that the report compares with the number the publisher sent.
 *
 * <p>A failure (TCP connect refused, {@code _error} to connect, {@code NetStream.Play.StreamNotFound} or
 * any other status of level {@code error}, a close by the server, a protocol error, no video within the
 * setup timeout) is recorded once, with its reason, and closes the connection.
 */
final class Viewer extends ChannelInboundHandlerAdapter {
    enum Stage { TCP, HANDSHAKE, CONNECT, CREATE_STREAM, PLAY, PLAYING, IDLE, FAILED }

    final int index;
    /** Index of the publisher (stream) this viewer plays. */
    final int publisher;
    final EventLoop loop;
    private final RunContext run;
    private final LoopStats stats;
    private final String stream;
    private final boolean idle;

    Channel channel;
    Stage stage = Stage.TCP;
    String failure;
    /** Where it was when it failed. */
    Stage failedAt;
    long failedNanos;
    int streamId = -1;

    long startNanos;
    long connectedNanos;
    long playSentNanos;
    long playStartStatusNanos;
    long firstVideoNanos;
    long firstKeyNanos;
    long videoFrames;
    long audioFrames;
    long dataMessages;
    long bytes;
    long stampedFrames;
    long framesInWindow;
    /** Sequence-number gaps seen over the whole play (frames the server skipped), and the last number. */
    long gaps;
    int lastSequence = -1;
    boolean pastWindow;

    Viewer(int index, int publisher, String stream, boolean idle, EventLoop loop, RunContext run, LoopStats stats) {
        this.index = index;
        this.publisher = publisher;
        this.stream = stream;
        this.idle = idle;
        this.loop = loop;
        this.run = run;
        this.stats = stats;
    }

    /** Starts the connection (call from any thread); failures come back on the loop. */
    void start(io.netty.bootstrap.Bootstrap b) {
        startNanos = System.nanoTime();
        ChannelFuture f = ClientChannels.connect(b, run.host, run.port, this);
        f.addListener(done -> {
            // Runs on the loop, as everything else that touches this viewer.
            channel = f.channel();
            if (!done.isSuccess()) {
                fail("TCP connect: " + ClientChannels.describe(done.cause()));
            } else if (stage == Stage.TCP) {
                // When the connection was up before this listener was added, it runs as a later task on the
                // loop, possibly after the handshake finished: never move the stage back.
                stage = Stage.HANDSHAKE;
            }
        });
        loop.schedule(this::checkSetup, run.setupTimeoutNanos, TimeUnit.NANOSECONDS);
    }

    private void checkSetup() {
        if (stage == Stage.FAILED || stage == Stage.PLAYING || stage == Stage.IDLE || run.closing) {
            return;
        }
        fail("setup timeout: " + switch (stage) {
            case TCP -> "no TCP connection";
            case HANDSHAKE -> "handshake not finished";
            case CONNECT -> "no answer to connect";
            case CREATE_STREAM -> "no answer to createStream";
            case PLAY -> playStartStatusNanos > 0 ? "Play.Start but no video" : "no Play.Start and no video";
            default -> stage.name();
        } + " within " + TimeUnit.NANOSECONDS.toSeconds(run.setupTimeoutNanos) + " s");
    }

    void fail(String reason) {
        if (stage == Stage.FAILED) {
            return;
        }
        failedAt = stage;
        failedNanos = System.nanoTime();
        stage = Stage.FAILED;
        failure = reason;
        run.failed.incrementAndGet();
        if (channel != null) {
            channel.close();
        }
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        channel = ctx.channel();
    }

    /** Closes the connection on purpose (the run is over); call on the loop. */
    void close() {
        if (channel != null) {
            channel.close();
        }
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
        if (evt instanceof HandshakeCompleteEvent) {
            stage = Stage.CONNECT;
            ctx.writeAndFlush(ClientChannels.connect(run.app, run.tcUrl));
        }
        super.userEventTriggered(ctx, evt);
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        try {
            if (msg instanceof RtmpMessage m) {
                media(m);
            } else if (msg instanceof Command c) {
                command(ctx, c);
            } else if (msg instanceof DataMessage) {
                dataMessages++;
            }
            // User control events (StreamBegin, StreamIsRecorded, pings the decoder has answered): nothing to do.
        } finally {
            ReferenceCountUtil.release(msg);
        }
    }

    private void media(RtmpMessage m) {
        int type = m.typeId();
        if (type != MessageType.VIDEO && type != MessageType.AUDIO) {
            return;
        }
        long now = System.nanoTime();
        ByteBuf p = m.content();
        int size = p.readableBytes();
        bytes += size;
        stats.bytes += size;
        if (now >= run.windowStart && now < run.windowEnd) {
            stats.windowBytes += size;
            stats.windowMessages++;
        }
        if (type == MessageType.AUDIO) {
            audioFrames++;
            return;
        }
        if (size < 2 || p.getByte(p.readerIndex() + 1) != 1) {
            return; // AVC sequence header (0), end of sequence (2), or not AVC
        }
        videoFrames++;
        if (firstVideoNanos == 0) {
            firstVideoNanos = now;
            if (stage == Stage.PLAY) {
                stage = Stage.PLAYING;
                run.playing.incrementAndGet();
            }
        }
        if (firstKeyNanos == 0 && (p.getByte(p.readerIndex()) & 0xF0) == 0x10) {
            firstKeyNanos = now;
        }
        if (FrameStamp.isStamped(p) && FrameStamp.publisher(p) == publisher) {
            stampedFrames++;
            long stamp = FrameStamp.nanoTime(p);
            int seq = FrameStamp.sequence(p);
            if (lastSequence >= 0 && seq > lastSequence + 1) {
                gaps += seq - lastSequence - 1;
            }
            lastSequence = seq;
            if (run.inWindow(stamp)) {
                framesInWindow++;
                stats.e2e.record((now - stamp) / 1000);
            } else if (stamp >= run.windowEnd && !pastWindow) {
                pastWindow = true;
                run.pastWindow.incrementAndGet();
            }
        }
    }

    private void command(ChannelHandlerContext ctx, Command c) {
        String name = c.name();
        if (name.equals("_result") || name.equals("_error")) {
            double tid = c.transactionId();
            if (tid == 1 && stage == Stage.CONNECT) {
                String code = ClientChannels.code(c);
                if (name.equals("_result") && (code == null || code.equals("NetConnection.Connect.Success"))) {
                    connectedNanos = System.nanoTime();
                    run.connected.incrementAndGet();
                    stage = Stage.CREATE_STREAM;
                    ctx.writeAndFlush(Command.of("createStream", 2, null));
                } else {
                    fail("connect: " + name + " " + code);
                }
            } else if (tid == 2 && stage == Stage.CREATE_STREAM) {
                if (name.equals("_result") && c.arg(0) instanceof Number id) {
                    streamId = id.intValue();
                    run.streamCreated.incrementAndGet();
                    if (idle) {
                        stage = Stage.IDLE;
                    } else {
                        stage = Stage.PLAY;
                        ctx.write(new SetBufferLength(streamId, run.bufferMillis));
                        playSentNanos = System.nanoTime();
                        ctx.writeAndFlush(Command.of("play", 0, null, stream, run.playStart).onStream(streamId));
                    }
                } else {
                    fail("createStream: " + name + " " + ClientChannels.code(c));
                }
            }
        } else if (name.equals("onStatus")) {
            String code = ClientChannels.code(c);
            String level = c.arg(0) instanceof AmfObject info ? info.getString("level") : null;
            if ("NetStream.Play.Start".equals(code) && playStartStatusNanos == 0) {
                playStartStatusNanos = System.nanoTime();
            } else if ("error".equals(level) || "NetStream.Play.Failed".equals(code)
                    || "NetStream.Play.StreamNotFound".equals(code)) {
                fail("play: " + code);
            }
        } else if (name.equals("close")) {
            fail("the server sent close");
        }
        // onBWDone, _checkbw and other calls from the server need no answer here.
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
        if (!run.closing) {
            fail("closed by the server" + (stage == Stage.PLAYING ? " while playing" : " during " + stage.name().toLowerCase()));
        }
        super.channelInactive(ctx);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        fail(ClientChannels.describe(cause));
        ctx.close();
    }

    /** What the report needs, copied on the loop's thread. */
    ViewerResult result() {
        return new ViewerResult(index, publisher, stage, failedAt, failure, failedNanos, startNanos, connectedNanos, playSentNanos,
                playStartStatusNanos, firstVideoNanos, firstKeyNanos, videoFrames, audioFrames, dataMessages, bytes,
                stampedFrames, framesInWindow, gaps);
    }

    /** One viewer's figures at the end of the run (times are nanoTime values, 0 where it did not happen). */
    record ViewerResult(int index, int publisher, Stage stage, Stage failedAt, String failure, long failedNanos, long startNanos,
                        long connectedNanos, long playSentNanos, long playStartStatusNanos, long firstVideoNanos,
                        long firstKeyNanos, long videoFrames, long audioFrames, long dataMessages, long bytes,
                        long stampedFrames, long framesInWindow, long gaps) {
        boolean failed() {
            return stage == Stage.FAILED;
        }
    }
}
