package io.millrace.rtmp.client;

import io.millrace.rtmp.chunk.ChunkDecoder;
import io.millrace.rtmp.chunk.ChunkEncoder;
import io.millrace.rtmp.command.AmfMessageCodec;
import io.millrace.rtmp.command.Command;
import io.millrace.rtmp.command.CommandDecoder;
import io.millrace.rtmp.so.SharedObjectCodec;
import io.millrace.rtmp.so.SharedObjectEvent;
import io.millrace.rtmp.so.SharedObjectMessage;
import io.netty.buffer.ByteBuf;
import io.millrace.rtmp.control.SwfVerifyRequest;
import io.millrace.rtmp.control.SwfVerifyResponse;
import io.millrace.rtmp.handshake.HandshakeCompleteEvent;
import io.millrace.rtmp.handshake.ServerHandshakeHandler;
import io.millrace.rtmp.handshake.SwfVerification;
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
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
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
    private final BlockingQueue<SwfVerifyResponse> swfResponses = new LinkedBlockingQueue<>();
    private final BlockingQueue<PeerSide> peers = new LinkedBlockingQueue<>();
    private final BlockingQueue<ReceivedSo> sharedObjects = new LinkedBlockingQueue<>();

    private record ReceivedSo(int typeId, SharedObjectMessage message) {
    }

    /** The peer's end of a connection and the handshake it did. */
    private record PeerSide(Channel channel, HandshakeCompleteEvent handshake) {
    }

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

    /** With a SWF configured the client answers the peer's SWF verification request with the proof keyed by S1. */
    @Test
    void answersSwfVerificationRequestsWhenGivenASwf() throws Exception {
        byte[] swf = {'F', 'W', 'S', 10, 16, 0, 0, 0, 0, 1, 2, 3, 4, 5, 6, 7};
        byte[] hash = SwfVerification.swfHash(swf);
        try (RtmpClient client = RtmpClient.open("127.0.0.1", port(),
                RtmpClient.Options.flashPlayer().withSwfVerification(hash, swf.length))) {
            PeerSide peer = peers.poll(10, TimeUnit.SECONDS);
            assertThat(peer).isNotNull();
            assertThat(peer.handshake().digest()).isTrue();
            peer.channel().writeAndFlush(new SwfVerifyRequest());
            SwfVerifyResponse answer = swfResponses.poll(10, TimeUnit.SECONDS);
            assertThat(answer).as("the client answered").isNotNull();
            assertThat(SwfVerification.matches(answer.data(), hash, swf.length, peer.handshake().swfVerificationKey()))
                    .isTrue();
            // The request is delivered as an event too (after the answer went out).
            client.await(e -> e instanceof ClientEvent.UserControl u && u.event() instanceof SwfVerifyRequest,
                    java.time.Duration.ofSeconds(10));
        }
        // Without one it ignores the request, as librtmp and ffmpeg do.
        try (RtmpClient client = RtmpClient.open("127.0.0.1", port(), RtmpClient.Options.flashPlayer())) {
            PeerSide peer = peers.poll(10, TimeUnit.SECONDS);
            peer.channel().writeAndFlush(new SwfVerifyRequest());
            client.await(e -> e instanceof ClientEvent.UserControl, java.time.Duration.ofSeconds(10));
            assertThat(swfResponses.poll(300, TimeUnit.MILLISECONDS)).isNull();
        }
    }

    /** The shared object calls send what Flash Player sends, in the connection's encoding, with the version last seen. */
    @Test
    void sharedObjectsGoOutAndComeBack() throws Exception {
        for (RtmpClient.Options options : List.of(RtmpClient.Options.plain(), RtmpClient.Options.flashPlayer())) {
            boolean amf3 = options.objectEncoding() == 3;
            int type = amf3 ? MessageType.SHARED_OBJECT_AMF3 : MessageType.SHARED_OBJECT_AMF0;
            try (RtmpClient client = RtmpClient.open("127.0.0.1", port(), options)) {
                PeerSide peer = peers.poll(10, TimeUnit.SECONDS);
                assertThat(peer).isNotNull();
                client.sendConnect("chat", "rtmp://127.0.0.1/chat");
                client.useSharedObject("room", false);
                ReceivedSo use = sharedObjects.poll(10, TimeUnit.SECONDS);
                assertThat(use).isNotNull();
                assertThat(use.typeId()).isEqualTo(type);
                assertThat(use.message()).isEqualTo(new SharedObjectMessage("room", 0, false,
                        List.of(new SharedObjectEvent.Use()), amf3));

                // The peer answers (as AMF0, type 19): the client records the event and the version.
                SharedObjectMessage answer = new SharedObjectMessage("room", 5, false, List.of(
                        new SharedObjectEvent.UseSuccess(), new SharedObjectEvent.Change("topic", "hello")), false);
                ByteBuf body = peer.channel().alloc().buffer();
                SharedObjectCodec.encode(answer, body);
                peer.channel().writeAndFlush(new RtmpMessage(MessageType.SHARED_OBJECT_AMF0, 0, 0, body));
                ClientEvent e = client.await(ev -> ev instanceof ClientEvent.SharedObject, Duration.ofSeconds(10));
                ClientEvent.SharedObject so = (ClientEvent.SharedObject) e;
                assertThat(so.message()).isEqualTo(answer);
                assertThat(so.has(SharedObjectEvent.Change.class)).isTrue();
                assertThat(client.sharedObjectVersion("room")).isEqualTo(5);

                client.setSharedObjectProperty("room", false, "n", 1.0);
                client.removeSharedObjectProperty("room", false, "n");
                client.sendSharedObjectMessage("room", false, "say", "hi", null);
                client.releaseSharedObject("room", true);
                List<SharedObjectEvent> events = new ArrayList<>();
                for (int i = 0; i < 4; i++) {
                    ReceivedSo r = sharedObjects.poll(10, TimeUnit.SECONDS);
                    assertThat(r).isNotNull();
                    assertThat(r.typeId()).isEqualTo(type);
                    assertThat(r.message().version()).isEqualTo(5);
                    assertThat(r.message().persistent()).isEqualTo(i == 3);
                    events.addAll(r.message().events());
                }
                assertThat(events).containsExactly(new SharedObjectEvent.RequestChange("n", 1.0),
                        new SharedObjectEvent.RequestRemove("n"),
                        new SharedObjectEvent.SendMessage("say", Arrays.asList("hi", null)),
                        new SharedObjectEvent.Release());
            }
        }
    }

    private final class Recorder extends SimpleChannelInboundHandler<Object> {
        @Override
        protected void channelRead0(ChannelHandlerContext ctx, Object msg) {
            if (msg instanceof RtmpMessage m && AmfMessageCodec.isCommand(m.typeId())) {
                received.add(new Received(m.typeId(), AmfMessageCodec.decodeCommand(m)));
            } else if (msg instanceof RtmpMessage m && CommandDecoder.isSharedObject(m.typeId())) {
                sharedObjects.add(new ReceivedSo(m.typeId(), CommandDecoder.decodeSharedObject(m)));
            } else if (msg instanceof SwfVerifyResponse r) {
                swfResponses.add(r);
            }
        }

        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
            if (evt instanceof HandshakeCompleteEvent h) {
                peers.add(new PeerSide(ctx.channel(), h));
            }
            ctx.fireUserEventTriggered(evt);
        }
    }
}
