package io.millrace.rtmp.client;

import io.millrace.rtmp.chunk.ChunkDecoder;
import io.millrace.rtmp.chunk.ChunkEncoder;
import io.millrace.rtmp.command.AmfMessageCodec;
import io.millrace.rtmp.command.Command;
import io.millrace.rtmp.handshake.ServerHandshakeHandler;
import io.millrace.rtmp.message.MessageType;
import io.millrace.rtmp.message.RtmpMessage;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.net.InetSocketAddress;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@link RtmpClient} against a loopback peer that only does the handshake and the chunk stream, and
 * records the command messages it receives (type id and decoded command).
 */
class RtmpClientTest {

    private record Received(int typeId, Command command) {
    }

    private EventLoopGroup group;
    private Channel server;
    private final BlockingQueue<Received> received = new LinkedBlockingQueue<>();

    @BeforeEach
    void startPeer() throws InterruptedException {
        group = new NioEventLoopGroup(1);
        server = new ServerBootstrap().group(group).channel(NioServerSocketChannel.class)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        ChunkDecoder decoder = new ChunkDecoder(1 << 20);
                        ch.pipeline().addLast(new ServerHandshakeHandler(), new ChunkEncoder(decoder.state()), decoder,
                                new Recorder());
                    }
                })
                .bind("127.0.0.1", 0).sync().channel();
    }

    @AfterEach
    void stopPeer() throws InterruptedException {
        server.close().sync();
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
    }

    private int port() {
        return ((InetSocketAddress) server.localAddress()).getPort();
    }

    private Received next() throws InterruptedException {
        Received r = received.poll(10, TimeUnit.SECONDS);
        assertThat(r).as("a command reached the peer").isNotNull();
        return r;
    }

    /** Flash Player sends connect as AMF0 (type 20) and only later commands in the AMF3 envelope (17). */
    @Test
    void objectEncoding3SendsConnectAsAmf0ThenSwitchesToAmf3() throws Exception {
        for (int i = 0; i < 5; i++) { // the switch used to race the queued connect write
            try (RtmpClient client = RtmpClient.open("127.0.0.1", port(), RtmpClient.Options.flashPlayer())) {
                client.sendConnect("vod", "rtmp://127.0.0.1/vod");
                client.send("createStream", null);

                Received connect = next();
                assertThat(connect.command().name()).isEqualTo("connect");
                assertThat(connect.typeId()).isEqualTo(MessageType.COMMAND_AMF0);
                Received createStream = next();
                assertThat(createStream.command().name()).isEqualTo("createStream");
                assertThat(createStream.typeId()).isEqualTo(MessageType.COMMAND_AMF3);
            }
        }
    }

    @Test
    void objectEncoding0StaysAmf0() throws Exception {
        try (RtmpClient client = RtmpClient.open("127.0.0.1", port(), RtmpClient.Options.plain())) {
            client.sendConnect("vod", "rtmp://127.0.0.1/vod");
            client.send("createStream", null);
            assertThat(next().typeId()).isEqualTo(MessageType.COMMAND_AMF0);
            assertThat(next().typeId()).isEqualTo(MessageType.COMMAND_AMF0);
        }
    }

    private final class Recorder extends SimpleChannelInboundHandler<Object> {
        @Override
        protected void channelRead0(ChannelHandlerContext ctx, Object msg) {
            if (msg instanceof RtmpMessage m && AmfMessageCodec.isCommand(m.typeId())) {
                received.add(new Received(m.typeId(), AmfMessageCodec.decodeCommand(m)));
            }
        }
    }
}
