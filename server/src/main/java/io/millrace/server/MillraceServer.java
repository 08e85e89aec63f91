package io.millrace.server;

import io.millrace.media.MediaIndexCache;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.millrace.server.config.ServerConfig;
import io.millrace.server.http.HttpAdminServer;
import io.millrace.server.monitor.AccessLog;
import io.millrace.server.monitor.Monitoring;
import io.millrace.server.monitor.ServerMonitor;
import io.millrace.server.net.RtmpChannelInitializer;
import io.millrace.server.security.AccessControl;
import io.millrace.server.security.HttpCallbacks;
import io.millrace.server.session.Application;
import io.millrace.server.session.Applications;
import io.millrace.server.swf.SwfVerifiers;
import io.millrace.server.vod.VodApplication;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollEventLoopGroup;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.ServerSocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.util.concurrent.GlobalEventExecutor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** Wires the server together (plain Java, one place) and owns its listeners and event loops. */
public final class MillraceServer {
    private static final Logger LOG = LoggerFactory.getLogger(MillraceServer.class);

    private final ServerConfig config;
    private final ChannelGroup channels = new DefaultChannelGroup("millrace", GlobalEventExecutor.INSTANCE);
    private EventLoopGroup bossGroup;
    private EventLoopGroup workerGroup;
    private Channel rtmpListener;
    private volatile boolean stopped;
    private ServerMonitor monitor;
    private PrometheusMeterRegistry registry;
    private HttpAdminServer http;
    private AccessLog accessLog;
    private HttpCallbacks callbacks;
    private SwfVerifiers swfVerifiers;
    private final long startedMillis = System.currentTimeMillis();

    public MillraceServer(ServerConfig config) {
        this.config = config;
    }

    public ServerConfig config() {
        return config;
    }

    public synchronized void start() throws Exception {
        if (!Files.isDirectory(config.mediaDir())) {
            LOG.warn("media folder {} does not exist: the vod application will find no files", config.mediaDir());
        }
        Files.createDirectories(config.dataDir());
        MediaIndexCache indexCache = new MediaIndexCache(config.vod().indexCacheEntries(), config.vod().indexCacheMegabytes() << 20);
        Map<String, Application> apps = new LinkedHashMap<>();
        config.applications().forEach((name, appConfig) -> {
            switch (appConfig.type()) {
                case VOD -> apps.put(name, new VodApplication(name, config.vod(), indexCache, config.mediaDir(),
                        config.recordingsDir()));
                case LIVE -> apps.put(name, new io.millrace.server.live.LiveApplication(name, config, indexCache));
            }
        });
        callbacks = new HttpCallbacks(config.security().callbackTimeoutMillis(), config.security().callbackFailOpen());
        Map<String, AccessControl> access = new LinkedHashMap<>();
        config.applications().forEach((name, appConfig) ->
                access.put(name, new AccessControl(name, appConfig.security(), callbacks)));
        swfVerifiers = SwfVerifiers.start(config);
        Applications applications = new Applications(apps, access, swfVerifiers.byApplication());
        accessLog = config.accessLog().enabled()
                ? AccessLog.open(config.logsDir(), config.accessLog().rotateMegabytes() << 20,
                        config.accessLog().keepFiles(), Clock.systemUTC(), "Millrace " + Main.VERSION, config.rtmp().bind())
                : AccessLog.OFF;
        monitor = new ServerMonitor(apps, channels, accessLog);

        boolean epoll = Epoll.isAvailable();
        bossGroup = epoll ? new EpollEventLoopGroup(1) : new NioEventLoopGroup(1);
        workerGroup = epoll ? new EpollEventLoopGroup() : new NioEventLoopGroup();
        Class<? extends ServerSocketChannel> channelClass = epoll ? EpollServerSocketChannel.class : NioServerSocketChannel.class;

        ServerBootstrap b = new ServerBootstrap()
                .group(bossGroup, workerGroup)
                .channel(channelClass)
                .option(ChannelOption.SO_BACKLOG, 1024)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childOption(ChannelOption.WRITE_BUFFER_WATER_MARK, new WriteBufferWaterMark(
                        config.rtmp().writeBufferHighWaterMark() / 2, config.rtmp().writeBufferHighWaterMark()))
                .childHandler(new RtmpChannelInitializer(config, applications, channels, monitor));
        rtmpListener = b.bind(new InetSocketAddress(config.rtmp().bind(), config.rtmp().port())).sync().channel();
        accessLog.write(accessLog.entry("server-start", "server").set(AccessLog.Field.X_CTX, "Millrace " + Main.VERSION)
                .set(AccessLog.Field.X_STATUS, 200));
        LOG.info("Millrace listening for RTMP on {} ({} transport); media {}, data {}, applications {}",
                rtmpListener.localAddress(), epoll ? "epoll" : "nio", config.mediaDir(), config.dataDir(), apps.keySet());
        registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        http = new HttpAdminServer(config.http(), monitor, registry);
        http.start();
        LOG.info("Millrace listening for HTTP on {}:{} (admin API {}, /metrics)", config.http().bind(), http.port(),
                config.http().adminEnabled() ? "on" : "off: set http.adminPassword");
    }

    /** What the server reports about itself (null before {@link #start()}). */
    public Monitoring monitoring() {
        return monitor;
    }

    /** The HTTP port actually bound (admin API, metrics). */
    public int httpPort() {
        return http.port();
    }

    /** The RTMP port actually bound (useful when configured as 0). */
    public int rtmpPort() {
        return ((InetSocketAddress) rtmpListener.localAddress()).getPort();
    }

    /** Closes the listener, then every connection, then the event loops. Safe to call twice. */
    public synchronized void stop() {
        if (stopped) {
            return;
        }
        stopped = true;
        if (http != null) {
            http.stop();
        }
        if (rtmpListener != null) {
            rtmpListener.close().syncUninterruptibly();
        }
        channels.close().awaitUninterruptibly(5, TimeUnit.SECONDS);
        if (workerGroup != null) {
            workerGroup.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
        }
        if (bossGroup != null) {
            bossGroup.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
        }
        if (monitor != null) {
            monitor.stop();
        }
        if (swfVerifiers != null) {
            swfVerifiers.close();
        }
        if (accessLog != null) {
            accessLog.write(accessLog.entry("server-stop", "server").set(AccessLog.Field.X_STATUS, 200)
                    .set(AccessLog.Field.X_DURATION, (System.currentTimeMillis() - startedMillis) / 1000));
            accessLog.close();
        }
        if (registry != null) {
            registry.close();
        }
        if (callbacks != null) {
            callbacks.close();
        }
        LOG.info("Millrace stopped");
    }
}
