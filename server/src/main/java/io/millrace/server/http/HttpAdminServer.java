package io.millrace.server.http;

import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.millrace.server.config.ServerConfig;
import io.millrace.server.monitor.Monitoring;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollEventLoopGroup;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.ServerSocketChannel;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.timeout.IdleStateHandler;
import io.netty.util.concurrent.DefaultThreadFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Clock;
import java.util.concurrent.TimeUnit;

/**
 * The HTTP listener for monitoring and administration, on {@code http.bind:http.port}:
 * <ul>
 *   <li>{@code GET /admin/<command>}: the FMS Administration API ({@link FmsAdminApi}: commands, parameters,
 *       result shape, field mapping), JSON or, with {@code format=xml}, FMS's XML;</li>
 *   <li>{@code /api/...}: a JSON API over the {@link Monitoring} records, with kick and stop
 *       ({@link JsonApi});</li>
 *   <li>{@code GET /metrics}: Prometheus text format 0.0.4 from the given registry, to which this server
 *       binds {@link MonitoringMetrics} (Millrace's meters and the JVM/process binders);</li>
 *   <li>{@code GET /dashboard/}: the web dashboard ({@link Dashboard}), a page that polls {@code /api} in
 *       the browser; {@code GET /} redirects to it.</li>
 * </ul>
 *
 * <p>Credentials: {@code /admin}, {@code /api} and {@code /dashboard} take HTTP Basic with {@code http.adminUser} /
 * {@code http.adminPassword}, or FMS's {@code auser} / {@code apswd} query parameters. Without a
 * configured password they answer 403 (the message says to set {@code http.adminPassword}); wrong or
 * missing credentials get 401 with {@code WWW-Authenticate: Basic realm="Millrace"}. {@code /metrics}
 * takes no credentials, like most Prometheus endpoints: it is safe on the default loopback bind; if
 * {@code http.bind} is a public address, restrict it with a firewall or a proxy. The credentials travel
 * in clear text (no TLS here): put a TLS proxy in front for anything beyond loopback.
 *
 * <p>Threads: its own event loop group of one thread (epoll when available, else NIO), so admin work
 * never runs on RTMP event loops; {@link Monitoring} is read from that thread. Requests are limited to
 * 64 KB; connections idle for 60 s are closed.
 *
 * <p>Use: {@code new HttpAdminServer(config.http(), monitoring, registry)}, {@link #start()} after the
 * RTMP side, {@link #stop()} before it. The registry should be a fresh {@code PrometheusMeterRegistry}
 * that no one else binds the JVM binders to (this server does).
 */
public final class HttpAdminServer {
    private static final Logger LOG = LoggerFactory.getLogger(HttpAdminServer.class);

    static final int MAX_REQUEST_BYTES = 64 * 1024;
    static final int IDLE_SECONDS = 60;

    private final ServerConfig.Http config;
    private final PrometheusMeterRegistry registry;
    private final MonitoringMetrics metrics;
    private final AdminHttpHandler handler;

    private EventLoopGroup group;
    private Channel listener;
    private boolean started;
    private boolean stopped;

    public HttpAdminServer(ServerConfig.Http config, Monitoring monitoring, PrometheusMeterRegistry registry) {
        this(config, monitoring, registry, Clock.systemDefaultZone());
    }

    HttpAdminServer(ServerConfig.Http config, Monitoring monitoring, PrometheusMeterRegistry registry, Clock clock) {
        this.config = config;
        this.registry = registry;
        this.metrics = new MonitoringMetrics(monitoring);
        this.handler = new AdminHttpHandler(new AdminAuth(config), new FmsAdminApi(monitoring, clock),
                new JsonApi(monitoring), new Dashboard(), metrics, registry);
    }

    /** Binds the listener; port 0 picks a free port ({@link #port()}). Throws if the bind fails. */
    public synchronized void start() throws Exception {
        if (started || stopped) {
            throw new IllegalStateException(stopped ? "stopped" : "already started");
        }
        started = true;
        metrics.bindTo(registry);
        boolean epoll = Epoll.isAvailable();
        DefaultThreadFactory threads = new DefaultThreadFactory("millrace-http", true);
        group = epoll ? new EpollEventLoopGroup(1, threads) : new NioEventLoopGroup(1, threads);
        Class<? extends ServerSocketChannel> channelClass = epoll ? EpollServerSocketChannel.class : NioServerSocketChannel.class;
        ServerBootstrap b = new ServerBootstrap()
                .group(group)
                .channel(channelClass)
                .option(ChannelOption.SO_BACKLOG, 128)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        ch.pipeline()
                                .addLast("idle", new IdleStateHandler(0, 0, IDLE_SECONDS, TimeUnit.SECONDS))
                                .addLast("http", new HttpServerCodec())
                                .addLast("aggregator", new HttpObjectAggregator(MAX_REQUEST_BYTES))
                                .addLast("admin", handler);
                    }
                });
        try {
            listener = b.bind(new InetSocketAddress(config.bind(), config.port())).sync().channel();
        } catch (Exception e) {
            stop();
            throw e;
        }
        InetSocketAddress local = (InetSocketAddress) listener.localAddress();
        LOG.info("Millrace HTTP on {} ({}): /metrics{}", local, epoll ? "epoll" : "nio",
                config.adminEnabled() ? ", /dashboard/, /admin and /api for user " + config.adminUser()
                        : "; /dashboard/, /admin and /api are off until http.adminPassword is set");
        InetAddress address = local.getAddress();
        if (!address.isLoopbackAddress()) {
            LOG.warn("HTTP listener {} is not on loopback: /metrics needs no credentials and admin credentials "
                    + "travel unencrypted; restrict access or put a TLS proxy in front", local);
        }
    }

    /** The port actually bound (useful when configured as 0). */
    public synchronized int port() {
        if (listener == null) {
            throw new IllegalStateException("not started");
        }
        return ((InetSocketAddress) listener.localAddress()).getPort();
    }

    /** Closes the listener, every connection and the event loop, and unhooks the GC meters. Safe to call twice. */
    public synchronized void stop() {
        if (stopped) {
            return;
        }
        stopped = true;
        if (listener != null) {
            listener.close().syncUninterruptibly();
        }
        if (group != null) {
            // Shutting the group down closes the connections still open on it.
            group.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
        }
        metrics.close();
    }
}
