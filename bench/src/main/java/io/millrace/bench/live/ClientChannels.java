package io.millrace.bench.live;

import io.millrace.amf.AmfObject;
import io.millrace.rtmp.PipelineNames;
import io.millrace.rtmp.chunk.ChunkDecoder;
import io.millrace.rtmp.chunk.ChunkEncoder;
import io.millrace.rtmp.chunk.ChunkReader;
import io.millrace.rtmp.chunk.ChunkStreamState;
import io.millrace.rtmp.command.Command;
import io.millrace.rtmp.command.CommandDecoder;
import io.millrace.rtmp.command.CommandEncoder;
import io.millrace.rtmp.handshake.ClientHandshakeHandler;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollEventLoopGroup;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.nio.NioSocketChannel;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The client side of an RTMP connection as the load generator builds it: event loops (epoll when Netty's
 * native transport loads, else NIO) and one pipeline per connection made of the rtmp module's own stages:
 * plain handshake ({@link ClientHandshakeHandler}), {@link ChunkEncoder} and {@link ChunkDecoder} sharing a
 * {@link ChunkStreamState} (the decoder acknowledges the server's window and answers its pings by
 * itself), {@link CommandDecoder#wireForm()} and {@link CommandEncoder}, then the viewer's or publisher's
 * own handler, which sees {@link Command}s, data messages, user control events and raw audio/video
 * {@link io.millrace.rtmp.message.RtmpMessage}s.
 */
final class ClientChannels {
    /** Largest message accepted from the server (a keyframe of a high-bitrate file fits easily). */
    static final int MAX_MESSAGE_SIZE = 16 << 20;

    private ClientChannels() {
    }

    static boolean epoll() {
        return Epoll.isAvailable();
    }

    /** Event loops of {@code threads} threads named {@code name-N}; their threads are added to {@code threads} as they start. */
    static EventLoopGroup group(int n, String name, List<Thread> threads) {
        AtomicInteger no = new AtomicInteger();
        ThreadFactory tf = r -> {
            Thread t = new Thread(r, name + "-" + no.incrementAndGet());
            t.setDaemon(true);
            threads.add(t);
            return t;
        };
        return epoll() ? new EpollEventLoopGroup(n, tf) : new NioEventLoopGroup(n, tf);
    }

    static List<Thread> threadList() {
        return new CopyOnWriteArrayList<>();
    }

    /** A bootstrap whose channels all run on {@code loop}; give each connection its handler with {@link #connect}. */
    static Bootstrap bootstrap(EventLoop loop, int connectTimeoutMillis) {
        return new Bootstrap().group(loop).channel(epoll() ? EpollSocketChannel.class : NioSocketChannel.class)
                .option(ChannelOption.TCP_NODELAY, true)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, connectTimeoutMillis);
    }

    /** Opens one connection on {@code base}'s loop whose pipeline ends with {@code last}. */
    static ChannelFuture connect(Bootstrap base, String host, int port, ChannelHandler last) {
        return base.clone().handler(new ChannelInitializer<Channel>() {
            @Override
            protected void initChannel(Channel ch) {
                ChunkStreamState state = new ChunkStreamState();
                ch.pipeline()
                        .addLast(PipelineNames.HANDSHAKE, new ClientHandshakeHandler(false))
                        .addLast(PipelineNames.CHUNK_ENCODER, new ChunkEncoder(state))
                        .addLast(PipelineNames.CHUNK_DECODER,
                                new ChunkDecoder(MAX_MESSAGE_SIZE, ChunkReader.DEFAULT_MAX_CHUNK_STREAMS, state))
                        .addLast(PipelineNames.COMMAND_DECODER, CommandDecoder.wireForm())
                        .addLast(PipelineNames.COMMAND_ENCODER, new CommandEncoder())
                        .addLast(PipelineNames.CLIENT, last);
            }
        }).connect(host, port);
    }

    /** connect as librtmp and ffmpeg send it (AMF0, empty swfUrl and pageUrl), transaction id 1. */
    static Command connect(String app, String tcUrl) {
        AmfObject props = AmfObject.of(
                "app", app, "type", "nonprivate", "flashVer", "LNX 9,0,124,2", "swfUrl", "", "tcUrl", tcUrl,
                "fpad", false, "capabilities", 15.0, "audioCodecs", 4071.0, "videoCodecs", 252.0,
                "videoFunction", 1.0, "pageUrl", "", "objectEncoding", 0.0);
        return Command.of("connect", 1, props);
    }

    /** The {@code code} of a status or result info object (the first argument), or null. */
    static String code(Command c) {
        return c.arg(0) instanceof AmfObject info ? info.getString("code") : null;
    }

    /** A one-line reason for a failure, without the stack. */
    static String describe(Throwable t) {
        Throwable c = t;
        while (c.getCause() != null && c.getCause() != c && (c.getMessage() == null || c instanceof io.netty.handler.codec.DecoderException)) {
            c = c.getCause();
        }
        String m = c.getMessage();
        return c.getClass().getSimpleName() + (m == null ? "" : ": " + m);
    }
}
