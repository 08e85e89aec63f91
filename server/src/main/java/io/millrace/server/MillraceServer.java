package io.millrace.server;

import io.millrace.media.MediaIndexCache;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.millrace.server.app.AppHost;
import io.millrace.server.app.AppRuntime;
import io.millrace.server.config.ServerConfig;
import io.millrace.server.http.HttpAdminServer;
import io.millrace.server.monitor.AccessLog;
import io.millrace.server.monitor.Monitoring;
import io.millrace.server.monitor.ServerMonitor;
import io.millrace.server.net.ConnectionLimiter;
import io.millrace.server.net.FloodLog;
import io.millrace.server.net.RtmpChannelInitializer;
import io.millrace.server.security.AccessControl;
import io.millrace.server.security.HttpCallbacks;
import io.millrace.server.tls.TlsContexts;
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
import io.netty.util.concurrent.ScheduledFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.security.cert.X509Certificate;
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
    private Channel rtmpsListener;
    private final FloodLog floodLog = new FloodLog();
    private ConnectionLimiter limiter;
    private ScheduledFuture<?> ticker;
    private volatile boolean stopped;
    private ServerMonitor monitor;
    private PrometheusMeterRegistry registry;
    private HttpAdminServer http;
    private AccessLog accessLog;
    private HttpCallbacks callbacks;
    private SwfVerifiers swfVerifiers;
    private AppRuntime appRuntime;
    private java.util.List<AppHost> appHosts = java.util.List.of();
    private final long startedMillis = System.currentTimeMillis();
    private volatile Map<String, Application> applications = Map.of();

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
        appRuntime = new AppRuntime();
        Map<String, AppHost> hosts = new LinkedHashMap<>();
        config.applications().forEach((name, appConfig) ->
                hosts.put(name, new AppHost(appConfig, appRuntime, config.dataDir(), extensions(apps.get(name)))));
        Applications applications = new Applications(apps, access, swfVerifiers.byApplication(), hosts);
        appHosts = java.util.List.copyOf(hosts.values());
        if (config.apps().reloadCheckMillis() > 0) {
            long every = config.apps().reloadCheckMillis();
            appRuntime.timer.scheduleWithFixedDelay(() -> appHosts.forEach(AppHost::checkForReload), every, every,
                    TimeUnit.MILLISECONDS);
        }
        accessLog = config.accessLog().enabled()
                ? AccessLog.open(config.logsDir(), config.accessLog().rotateMegabytes() << 20,
                        config.accessLog().keepFiles(), Clock.systemUTC(), "Millrace " + Main.VERSION, config.rtmp().bind())
                : AccessLog.OFF;
        monitor = new ServerMonitor(apps, channels, accessLog);
        monitor.hosts(hosts);

        boolean epoll = Epoll.isAvailable();
        bossGroup = epoll ? new EpollEventLoopGroup(1) : new NioEventLoopGroup(1);
        workerGroup = epoll ? new EpollEventLoopGroup() : new NioEventLoopGroup();
        apps.values().forEach(a -> { if (a instanceof io.millrace.server.live.LiveApplication live) live.eventLoops(workerGroup); });
        this.applications = Map.copyOf(apps);
        appHosts.forEach(AppHost::start); // preloaded instances: their server-side streams need the event loops
        Class<? extends ServerSocketChannel> channelClass = epoll ? EpollServerSocketChannel.class : NioServerSocketChannel.class;

        // One limiter for both listeners: the limits count RTMP and RTMPS connections together.
        limiter = new ConnectionLimiter(config.rtmp(), floodLog);
        ServerBootstrap b = new ServerBootstrap()
                .group(bossGroup, workerGroup)
                .channel(channelClass)
                .option(ChannelOption.SO_BACKLOG, 1024)
                .handler(limiter)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childOption(ChannelOption.WRITE_BUFFER_WATER_MARK, new WriteBufferWaterMark(
                        config.rtmp().writeBufferHighWaterMark() / 2, config.rtmp().writeBufferHighWaterMark()))
                .childHandler(new RtmpChannelInitializer(config, applications, channels, monitor, floodLog, null));
        rtmpListener = b.bind(new InetSocketAddress(config.rtmp().bind(), config.rtmp().port())).sync().channel();
        ticker = bossGroup.scheduleAtFixedRate(() -> {
            limiter.tick();
            floodLog.flush();
        }, 1, 1, TimeUnit.SECONDS);
        accessLog.write(accessLog.entry("server-start", "server").set(AccessLog.Field.X_CTX, "Millrace " + Main.VERSION)
                .set(AccessLog.Field.X_STATUS, 200));
        LOG.info("Millrace listening for RTMP on {} ({} transport); media {}, data {}, applications {}",
                rtmpListener.localAddress(), epoll ? "epoll" : "nio", config.mediaDir(), config.dataDir(), apps.keySet());
        if (config.rtmps().enabled()) {
            TlsContexts.Server tls = TlsContexts.server(config.rtmps());
            rtmpsListener = b.clone()
                    .childHandler(new RtmpChannelInitializer(config, applications, channels, monitor, floodLog,
                            tls.context()))
                    .bind(new InetSocketAddress(config.rtmps().bind(), config.rtmps().port())).sync().channel();
            X509Certificate cert = tls.chain()[0];
            LOG.info("Millrace listening for RTMPS on {} (TLS 1.3 and 1.2; certificate {}, valid until {}{})",
                    rtmpsListener.localAddress(), cert.getSubjectX500Principal().getName(), cert.getNotAfter().toInstant(),
                    cert.getNotAfter().before(new java.util.Date()) ? ": EXPIRED" : "");
        }
        registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        http = new HttpAdminServer(config.http(), monitor, registry);
        http.start();
        LOG.info("Millrace listening for HTTP on {}:{} (admin API {}, /metrics)", config.http().bind(), http.port(),
                config.http().adminEnabled() ? "on" : "off: set http.adminPassword");
    }

    /** What an application's instances get from the live application: server-side streams. */
    private AppHost.Extensions extensions(Application engine) {
        if (!(engine instanceof io.millrace.server.live.LiveApplication live)) {
            return AppHost.Extensions.NONE; // a vod application has no live streams to feed
        }
        return new AppHost.Extensions() {
            @Override
            public io.millrace.api.ServerStream serverStream(io.millrace.server.app.AppInstance instance, String name) {
                return live.serverStream(instance.name(), name, instance::execute);
            }

            @Override
            public boolean hasActiveStreams(io.millrace.server.app.AppInstance instance) {
                return live.hasPlayingServerStreams(instance.name());
            }

            @Override
            public void closeInstance(io.millrace.server.app.AppInstance instance) {
                live.closeServerStreams(instance.name());
            }
        };
    }

    /** An application's host (its code and instances), or null: for tests and the admin API. */
    public AppHost appHost(String name) {
        return appHosts.stream().filter(h -> h.name().equals(name)).findFirst().orElse(null);
    }

    /** What the server reports about itself (null before {@link #start()}). */
    public Monitoring monitoring() {
        return monitor;
    }

    /** The application of this name, or null (before {@link #start()}, or no such application). */
    public Application application(String name) {
        return applications.get(name);
    }

    /** The HTTP port actually bound (admin API, metrics). */
    public int httpPort() {
        return http.port();
    }

    /** The RTMP port actually bound (useful when configured as 0). */
    public int rtmpPort() {
        return ((InetSocketAddress) rtmpListener.localAddress()).getPort();
    }

    /** The RTMPS port actually bound, or -1 when RTMPS is off. */
    public int rtmpsPort() {
        return rtmpsListener == null ? -1 : ((InetSocketAddress) rtmpsListener.localAddress()).getPort();
    }

    /** The connection limits (their counts, for monitoring and tests); null before {@link #start()}. */
    public ConnectionLimiter connectionLimiter() {
        return limiter;
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
        if (rtmpsListener != null) {
            rtmpsListener.close().syncUninterruptibly();
        }
        if (ticker != null) {
            ticker.cancel(false);
        }
        // Applications first: their clients get AppShutdown, onAppStop runs, persistent shared objects are saved.
        for (AppHost h : appHosts) {
            h.stop(5000);
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
        if (appRuntime != null) {
            appRuntime.close();
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
