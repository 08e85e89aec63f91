package io.millrace.rtmp.client;

import io.millrace.amf.AmfEncoding;
import io.millrace.amf.AmfObject;
import io.millrace.rtmp.PipelineNames;
import io.millrace.rtmp.chunk.ChunkDecoder;
import io.millrace.rtmp.chunk.ChunkEncoder;
import io.millrace.rtmp.command.Command;
import io.millrace.rtmp.command.CommandDecoder;
import io.millrace.rtmp.command.CommandEncoder;
import io.millrace.rtmp.control.ControlMessage;
import io.millrace.rtmp.control.SetBufferLength;
import io.millrace.rtmp.control.SwfVerifyRequest;
import io.millrace.rtmp.control.SwfVerifyResponse;
import io.millrace.rtmp.handshake.ClientHandshakeHandler;
import io.millrace.rtmp.handshake.HandshakeCompleteEvent;
import io.millrace.rtmp.handshake.SwfVerification;
import io.millrace.rtmp.so.SharedObjectEvent;
import io.millrace.rtmp.so.SharedObjectMessage;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * A small RTMP client on this module's own codecs: handshake (plain or Flash Player's digest form),
 * connect with objectEncoding 0 or 3, commands, an optional answer to SWF verification, and a queue of
 * everything the server sends, in order. Remote shared objects: {@link #useSharedObject} and the other
 * {@code ...SharedObject} methods send what Flash Player's {@code SharedObject.getRemote} object sends; what
 * the server answers arrives as {@link ClientEvent.SharedObject} events.
 * Media payloads are summarised as {@link ClientEvent.Media} (their buffers are released at once).
 *
 * <p>Made for tests and tools; one instance is one connection.
 */
public final class RtmpClient implements AutoCloseable {

    /**
     * How to connect.
     *
     * @param swfHash the SWF hash (32 bytes, HMAC-SHA256 of the uncompressed SWF, see {@link SwfVerification})
     *                with which a SWF verification request (user control 26) is answered, as rtmpdump's
     *                {@code --swfhash} does; null: the request is ignored, as librtmp and ffmpeg do without a SWF
     * @param swfSize the uncompressed SWF's size sent with it ({@code --swfsize})
     */
    public record Options(boolean digestHandshake, int objectEncoding, String flashVer, String swfUrl,
                          String pageUrl, Duration timeout, byte[] swfHash, long swfSize) {

        public Options {
            if (swfHash != null) {
                if (swfHash.length != SwfVerification.HASH_LENGTH) {
                    throw new IllegalArgumentException("swfHash must be 32 bytes, got " + swfHash.length);
                }
                swfHash = swfHash.clone();
            }
        }

        /** Options that do not answer SWF verification. */
        public Options(boolean digestHandshake, int objectEncoding, String flashVer, String swfUrl,
                       String pageUrl, Duration timeout) {
            this(digestHandshake, objectEncoding, flashVer, swfUrl, pageUrl, timeout, null, 0);
        }

        /** These options, answering a SWF verification request with this SWF's hash and size. */
        public Options withSwfVerification(byte[] hash, long size) {
            return new Options(digestHandshake, objectEncoding, flashVer, swfUrl, pageUrl, timeout, hash, size);
        }

        @Override
        public byte[] swfHash() {
            return swfHash == null ? null : swfHash.clone();
        }

        /** As Flash Player connects from a page: digest handshake, AMF3, swfUrl and pageUrl set. */
        public static Options flashPlayer() {
            return new Options(true, 3, "WIN 32,0,0,465", "http://player.example/player.swf",
                    "http://player.example/watch.html", Duration.ofSeconds(10));
        }

        /** As librtmp and ffmpeg connect: plain handshake, AMF0, empty swfUrl and pageUrl. */
        public static Options plain() {
            return new Options(false, 0, "LNX 9,0,124,2", "", "", Duration.ofSeconds(10));
        }
    }

    private final EventLoopGroup group;
    private final Channel channel;
    private final Options options;
    private final LinkedBlockingQueue<ClientEvent> events = new LinkedBlockingQueue<>();
    private final List<ClientEvent> history = new ArrayList<>();
    private final CompletableFuture<HandshakeCompleteEvent> handshake = new CompletableFuture<>();
    private final CommandEncoder commandEncoder = new CommandEncoder();
    private final Map<String, Function<Command, Object>> methods = new ConcurrentHashMap<>();
    private double nextTransactionId = 1;
    /** The latest version the server sent for each shared object, as Flash Player keeps it. */
    private final Map<String, Long> sharedObjectVersions = new ConcurrentHashMap<>();

    private RtmpClient(String host, int port, Options options) throws InterruptedException {
        this.options = options;
        this.group = new NioEventLoopGroup(1);
        Bootstrap b = new Bootstrap().group(group).channel(NioSocketChannel.class)
                .option(ChannelOption.TCP_NODELAY, true)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) options.timeout().toMillis())
                .handler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        ChunkDecoder decoder = new ChunkDecoder(16 << 20);
                        ch.pipeline().addLast(PipelineNames.HANDSHAKE, new ClientHandshakeHandler(options.digestHandshake()));
                        ch.pipeline().addLast(PipelineNames.CHUNK_ENCODER, new ChunkEncoder(decoder.state()));
                        ch.pipeline().addLast(PipelineNames.CHUNK_DECODER, decoder);
                        ch.pipeline().addLast(PipelineNames.COMMAND_DECODER, CommandDecoder.wireForm());
                        ch.pipeline().addLast(PipelineNames.COMMAND_ENCODER, commandEncoder);
                        ch.pipeline().addLast(PipelineNames.CLIENT, new Inbound());
                    }
                });
        try {
            this.channel = b.connect(host, port).sync().channel();
        } catch (InterruptedException | RuntimeException e) {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS);
            throw e;
        }
    }

    /** Opens a TCP connection and completes the handshake. */
    public static RtmpClient open(String host, int port, Options options) throws Exception {
        RtmpClient c = new RtmpClient(host, port, options);
        try {
            c.handshake.get(options.timeout().toMillis(), TimeUnit.MILLISECONDS);
        } catch (Exception e) {
            c.close();
            throw e;
        }
        return c;
    }

    public HandshakeCompleteEvent handshakeResult() {
        return handshake.getNow(null);
    }

    public Channel channel() {
        return channel;
    }

    /**
     * Sends connect for {@code app} (e.g. "vod" or "vod/inst"), with any extra arguments after the command object
     * as {@code NetConnection.connect(uri, a, b)} sends them; returns its transaction id.
     */
    public double sendConnect(String app, String tcUrl, Object... extraArguments) {
        AmfObject props = AmfObject.of(
                "app", app, "flashVer", options.flashVer(), "swfUrl", options.swfUrl(), "tcUrl", tcUrl, "fpad", false,
                "capabilities", 239.0, "audioCodecs", 3575.0, "videoCodecs", 252.0, "videoFunction", 1.0,
                "pageUrl", options.pageUrl(), "objectEncoding", (double) options.objectEncoding());
        // The connect command itself goes out as AMF0 (type 20) like Flash Player's; later commands use
        // the AMF3 envelope when objectEncoding is 3.
        double tid = send("connect", props, extraArguments);
        if (options.objectEncoding() == 3) {
            // Off the event loop, the write above is only queued there: switching now would encode the
            // connect itself as type 17. Queue the switch behind it instead (the loop runs tasks in order).
            if (channel.eventLoop().inEventLoop()) {
                commandEncoder.setEncoding(AmfEncoding.AMF3);
            } else {
                channel.eventLoop().execute(() -> commandEncoder.setEncoding(AmfEncoding.AMF3));
            }
        }
        return tid;
    }

    /** Sends a command on msid 0 with the next transaction id; returns that id. */
    public double send(String name, Object commandObject, Object... args) {
        return sendOnStream(0, name, commandObject, args);
    }

    /** Sends a command on a message stream with the next transaction id; returns that id. */
    public double sendOnStream(int streamId, String name, Object commandObject, Object... args) {
        double tid = nextTransactionId++;
        channel.writeAndFlush(Command.of(name, tid, commandObject, args).onStream(streamId));
        return tid;
    }

    /** Sends a command with transaction id 0 (a notification: no answer expected). */
    public void notify(int streamId, String name, Object... args) {
        channel.writeAndFlush(Command.of(name, 0, null, args).onStream(streamId));
    }

    public void setBufferLength(int streamId, long millis) {
        send(new SetBufferLength(streamId, millis));
    }

    public void send(ControlMessage control) {
        channel.writeAndFlush(control);
    }

    // ---- remote shared objects ----------------------------------------------------------------

    /**
     * Sends a shared object message with these events for the object {@code name}, carrying the version last
     * received for it (0 before any) and, when the connection asked for objectEncoding 3, as type 16 (else 19).
     */
    public void sendSharedObject(String name, boolean persistent, SharedObjectEvent... events) {
        channel.writeAndFlush(new SharedObjectMessage(name, sharedObjectVersion(name), persistent, List.of(events),
                options.objectEncoding() == 3));
    }

    /** Subscribes to (and creates) a remote shared object: Flash Player's {@code so.connect(nc)}. */
    public void useSharedObject(String name, boolean persistent) {
        sendSharedObject(name, persistent, new SharedObjectEvent.Use());
    }

    /** Unsubscribes: Flash Player's {@code so.close()}. */
    public void releaseSharedObject(String name, boolean persistent) {
        sendSharedObject(name, persistent, new SharedObjectEvent.Release());
    }

    /** Asks to set a property: Flash Player's {@code so.setProperty(property, value)}. */
    public void setSharedObjectProperty(String name, boolean persistent, String property, Object value) {
        sendSharedObject(name, persistent, new SharedObjectEvent.RequestChange(property, value));
    }

    /** Asks to remove a property: Flash Player's {@code delete so.data[property]}. */
    public void removeSharedObjectProperty(String name, boolean persistent, String property) {
        sendSharedObject(name, persistent, new SharedObjectEvent.RequestRemove(property));
    }

    /** Calls {@code handler} on every subscriber (this one too): Flash Player's {@code so.send(handler, args...)}. */
    public void sendSharedObjectMessage(String name, boolean persistent, String handler, Object... args) {
        sendSharedObject(name, persistent, new SharedObjectEvent.SendMessage(handler, java.util.Arrays.asList(args)));
    }

    /** The version the server last sent for this shared object, 0 before any. */
    public long sharedObjectVersion(String name) {
        return sharedObjectVersions.getOrDefault(name, 0L);
    }

    /**
     * Defines a method the server may call, as a Flash client's {@code NetConnection.client} object does:
     * a call to it with a transaction id is answered at once with {@code _result} and the handler's value
     * (Flash Player sends the method's return value). The call is delivered as an event as well.
     */
    public void answer(String method, Function<Command, Object> handler) {
        methods.put(method, handler);
    }

    /** The next event, waiting up to the timeout; throws TimeoutException when none came. */
    public ClientEvent next(Duration timeout) throws InterruptedException, TimeoutException {
        ClientEvent e = events.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
        if (e == null) {
            throw new TimeoutException("no message from the server within " + timeout.toMillis() + " ms");
        }
        return e;
    }

    /** Skips events until one matches; returns it. The skipped ones stay in {@link #history()}. */
    public ClientEvent await(Predicate<ClientEvent> match, Duration timeout) throws InterruptedException, TimeoutException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            long left = deadline - System.nanoTime();
            ClientEvent e = events.poll(Math.max(0, left), TimeUnit.NANOSECONDS);
            if (e == null) {
                throw new TimeoutException("no matching message from the server within " + timeout.toMillis() + " ms");
            }
            if (match.test(e)) {
                return e;
            }
        }
    }

    /** Every event received so far, in arrival order. */
    public List<ClientEvent> history() {
        synchronized (history) {
            return List.copyOf(history);
        }
    }

    public boolean isOpen() {
        return channel.isActive();
    }

    @Override
    public void close() {
        channel.close().awaitUninterruptibly(2, TimeUnit.SECONDS);
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly(3, TimeUnit.SECONDS);
    }

    private void deliver(ClientEvent e) {
        synchronized (history) {
            history.add(e);
        }
        events.add(e);
    }

    private final class Inbound extends SimpleChannelInboundHandler<Object> {
        @Override
        protected void channelRead0(ChannelHandlerContext ctx, Object msg) {
            if (msg instanceof Command c && c.transactionId() != 0 && methods.get(c.name()) != null) {
                ctx.writeAndFlush(Command.of("_result", c.transactionId(), null, methods.get(c.name()).apply(c)));
            }
            if (msg instanceof SharedObjectMessage so) {
                sharedObjectVersions.put(so.name(), so.version());
            }
            HandshakeCompleteEvent h = handshake.getNow(null);
            if (msg instanceof SwfVerifyRequest && options.swfHash() != null && h != null) {
                // As librtmp and ffmpeg: the proof is keyed with the last 32 bytes of the S1 received.
                ctx.writeAndFlush(new SwfVerifyResponse(SwfVerification.response(options.swfHash(),
                        options.swfSize(), h.swfVerificationKey())));
            }
            deliver(ClientEvent.of(msg));
        }

        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
            if (evt instanceof HandshakeCompleteEvent h) {
                handshake.complete(h);
            }
            ctx.fireUserEventTriggered(evt);
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            handshake.completeExceptionally(new IllegalStateException("connection closed during the handshake"));
            deliver(new ClientEvent.Closed());
            ctx.fireChannelInactive();
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            handshake.completeExceptionally(cause);
            deliver(new ClientEvent.Error(cause));
            ctx.close();
        }
    }
}
