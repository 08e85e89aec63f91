package io.millrace.server.net;

import io.millrace.rtmp.PipelineNames;
import io.millrace.rtmp.chunk.ChunkDecoder;
import io.millrace.rtmp.chunk.ChunkEncoder;
import io.millrace.rtmp.chunk.ChunkReader;
import io.millrace.rtmp.chunk.ChunkStreamState;
import io.millrace.rtmp.command.CommandDecoder;
import io.millrace.rtmp.command.CommandEncoder;
import io.millrace.rtmp.handshake.ServerHandshakeHandler;
import io.millrace.server.config.ServerConfig;
import io.millrace.server.monitor.ServerMonitor;
import io.millrace.server.session.Applications;
import io.millrace.server.session.RtmpSession;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslHandler;

/**
 * The server pipeline, inbound top to bottom:
 * [RTMPS: TLS, TLS handshake log (removes itself)], handshake (removes itself), handshake timeout (removes
 * itself), chunk decoder, command decoder, session;
 * outbound (session towards the socket): command encoder, then chunk encoder[, then TLS].
 */
public final class RtmpChannelInitializer extends ChannelInitializer<SocketChannel> {
    /** The longest message accepted before connect is answered (the session raises it to rtmp.maxMessageSize). */
    public static final int PRE_CONNECT_MAX_MESSAGE_SIZE = 64 * 1024;

    /** The pipeline names of the RTMPS stages. */
    public static final String TLS = "tls";
    public static final String TLS_HANDSHAKE_LOG = "tlsHandshakeLog";

    private final ServerConfig config;
    private final Applications applications;
    private final ChannelGroup channels;
    private final ServerMonitor monitor;
    private final FloodLog floodLog;
    private final SslContext tls;

    /** The plain RTMP pipeline. */
    public RtmpChannelInitializer(ServerConfig config, Applications applications, ChannelGroup channels,
                                  ServerMonitor monitor) {
        this(config, applications, channels, monitor, FloodLog.UNLIMITED, null);
    }

    /**
     * @param floodLog the rate limit of log lines about clients that fail before connect
     * @param tls      the RTMPS listener's TLS context, or null for plain RTMP
     */
    public RtmpChannelInitializer(ServerConfig config, Applications applications, ChannelGroup channels,
                                  ServerMonitor monitor, FloodLog floodLog, SslContext tls) {
        this.config = config;
        this.applications = applications;
        this.channels = channels;
        this.monitor = monitor;
        this.floodLog = floodLog;
        this.tls = tls;
    }

    @Override
    protected void initChannel(SocketChannel ch) {
        channels.add(ch);
        // Before the first read: the transport keeps the read handle it takes then (bandwidth limits cap it).
        ch.config().setRecvByteBufAllocator(new PacedRecvByteBufAllocator(ch.config().getRecvByteBufAllocator()));
        ChannelPipeline p = ch.pipeline();
        ServerConfig.Rtmp rtmp = config.rtmp();
        if (tls != null) {
            SslHandler ssl = tls.newHandler(ch.alloc());
            // One deadline for both handshakes: the handshake timeout below counts from the TCP connection.
            ssl.setHandshakeTimeoutMillis(0);
            p.addLast(TLS, ssl);
            p.addLast(TLS_HANDSHAKE_LOG, new TlsHandshakeLog(floodLog));
        }
        // The handshake must see the first bytes; it removes itself after C2 and hands on what follows.
        p.addLast(PipelineNames.HANDSHAKE, new ServerHandshakeHandler());
        // After the handshake handler: the HandshakeCompleteEvent it fires travels tailwards only, and
        // the timeout must see it to stand down; placed before, it would close every connection.
        p.addLast(PipelineNames.HANDSHAKE_TIMEOUT, new HandshakeTimeoutHandler(rtmp.handshakeTimeoutMillis(), floodLog,
                tls != null));
        // Until the client is connected its messages are small (connect is a few hundred bytes): a peer that
        // has not connected cannot make the server hold much (RtmpSession raises the bound on accept).
        ChunkDecoder decoder = new ChunkDecoder(Math.min(rtmp.maxMessageSize(), PRE_CONNECT_MAX_MESSAGE_SIZE), ChunkReader.DEFAULT_MAX_CHUNK_STREAMS,
                rtmp.maxChunkSize(), new ChunkStreamState());
        // The chunk encoder sits on the head side of the chunk decoder so that the Acknowledgements and
        // PingResponses the decoder writes from its own context are encoded too.
        p.addLast(PipelineNames.CHUNK_ENCODER, new ChunkEncoder(decoder.state()));
        p.addLast(PipelineNames.CHUNK_DECODER, decoder);
        p.addLast(PipelineNames.COMMAND_DECODER, new CommandDecoder());
        p.addLast(PipelineNames.COMMAND_ENCODER, new CommandEncoder());
        p.addLast(PipelineNames.SESSION, new RtmpSession(config, applications, monitor, floodLog));
    }
}
