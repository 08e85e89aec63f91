package io.millrace.server.http;

import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.timeout.IdleStateEvent;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.util.List;
import java.util.Map;

/**
 * Routes one aggregated HTTP request: {@code /metrics} (no credentials), {@code /admin/*} (FMS admin API),
 * {@code /api/*} (JSON API) and {@code /dashboard/*} (the web dashboard, {@link Dashboard}), the last three
 * behind {@link AdminAuth}; {@code /} and {@code /dashboard} redirect to {@code /dashboard/}; anything else
 * is a 404 with a JSON body.
 *
 * <p>Every response carries Content-Length and Content-Type. Keep-alive follows the request (HTTP/1.1
 * by default, HTTP/1.0 with {@code Connection: keep-alive}); a request that could not be parsed gets a
 * 400 and the connection is closed. Bad input is logged at DEBUG in one line with the path only (the
 * query may hold {@code apswd}); only an exception from the server's own code is logged at WARN, with
 * its stack trace, and answered with a 500. Shared by all connections: it holds no per-connection state.
 */
@ChannelHandler.Sharable
final class AdminHttpHandler extends SimpleChannelInboundHandler<FullHttpRequest> {
    private static final Logger LOG = LoggerFactory.getLogger(AdminHttpHandler.class);

    private final AdminAuth auth;
    private final FmsAdminApi admin;
    private final JsonApi api;
    private final Dashboard dashboard;
    private final MonitoringMetrics metrics;
    private final PrometheusMeterRegistry registry;

    AdminHttpHandler(AdminAuth auth, FmsAdminApi admin, JsonApi api, Dashboard dashboard, MonitoringMetrics metrics,
                     PrometheusMeterRegistry registry) {
        this.auth = auth;
        this.admin = admin;
        this.api = api;
        this.dashboard = dashboard;
        this.metrics = metrics;
        this.registry = registry;
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) {
        if (!request.decoderResult().isSuccess()) {
            LOG.debug("HTTP 400 from {}: unparsable request ({})", ctx.channel().remoteAddress(),
                    request.decoderResult().cause().toString());
            write(ctx, HttpVersion.HTTP_1_1, false,
                    HttpReply.jsonError(HttpResponseStatus.BAD_REQUEST, "malformed HTTP request"));
            return;
        }
        HttpReply reply;
        String path = request.uri();
        int q = path.indexOf('?');
        path = q < 0 ? path : path.substring(0, q);
        try {
            AdminRequest r = AdminRequest.parse(request);
            path = r.path();
            reply = route(r);
        } catch (ApiError e) {
            reply = HttpReply.jsonError(e.status(), e.getMessage());
        } catch (RuntimeException e) {
            LOG.warn("HTTP {} {} from {} failed", request.method(), path, ctx.channel().remoteAddress(), e);
            reply = HttpReply.jsonError(HttpResponseStatus.INTERNAL_SERVER_ERROR, "internal error (see the server log)");
        }
        if (reply.status().code() >= 400 && LOG.isDebugEnabled()) {
            LOG.debug("HTTP {} for {} {} from {}", reply.status().code(), request.method(), path,
                    ctx.channel().remoteAddress());
        }
        write(ctx, request.protocolVersion(), HttpUtil.isKeepAlive(request), reply);
    }

    private HttpReply route(AdminRequest r) {
        List<String> seg = r.segments();
        String first = seg.isEmpty() ? "" : seg.get(0);
        switch (first) {
            case "" -> {
                return Dashboard.redirect(r);
            }
            case "metrics" -> {
                if (seg.size() == 1) {
                    return metrics(r);
                }
            }
            case "admin" -> {
                AdminAuth.Outcome outcome = auth.check(r);
                return outcome == AdminAuth.Outcome.OK ? admin.handle(r) : challenge(admin.rejected(r, outcome), outcome);
            }
            case "api" -> {
                AdminAuth.Outcome outcome = auth.check(r);
                return outcome == AdminAuth.Outcome.OK ? api.handle(r) : challenge(JsonApi.rejected(outcome), outcome);
            }
            case "dashboard" -> {
                if (r.path().equals("/dashboard")) {
                    // Without the slash, the page's relative links would miss the folder.
                    return Dashboard.redirect(r);
                }
                AdminAuth.Outcome outcome = auth.check(r);
                return outcome == AdminAuth.Outcome.OK ? dashboard.handle(r) : challenge(Dashboard.rejected(outcome), outcome);
            }
            default -> {
            }
        }
        return HttpReply.jsonError(HttpResponseStatus.NOT_FOUND,
                "no such resource: " + r.path() + " (try /dashboard/, /admin/ping, /api/server or /metrics)");
    }

    private static HttpReply challenge(HttpReply reply, AdminAuth.Outcome outcome) {
        return outcome == AdminAuth.Outcome.DENIED
                ? reply.withHeader(HttpHeaderNames.WWW_AUTHENTICATE.toString(), "Basic realm=\"Millrace\", charset=\"UTF-8\"")
                : reply;
    }

    private HttpReply metrics(AdminRequest r) {
        if (!r.method().equals(HttpMethod.GET)) {
            return HttpReply.jsonError(HttpResponseStatus.METHOD_NOT_ALLOWED, "only GET is allowed on /metrics")
                    .withHeader("Allow", "GET");
        }
        metrics.refresh();
        return HttpReply.text(HttpResponseStatus.OK, HttpReply.PROMETHEUS_TEXT, registry.scrape(HttpReply.PROMETHEUS_TEXT));
    }

    private static void write(ChannelHandlerContext ctx, HttpVersion version, boolean keepAlive, HttpReply reply) {
        FullHttpResponse response = new DefaultFullHttpResponse(version, reply.status(), Unpooled.wrappedBuffer(reply.body()));
        response.headers()
                .set(HttpHeaderNames.CONTENT_TYPE, reply.contentType())
                .setInt(HttpHeaderNames.CONTENT_LENGTH, reply.body().length)
                .set(HttpHeaderNames.CACHE_CONTROL, HttpHeaderValues.NO_STORE)
                .set("X-Content-Type-Options", "nosniff");
        for (Map.Entry<String, String> h : reply.headers().entrySet()) {
            response.headers().set(h.getKey(), h.getValue());
        }
        HttpUtil.setKeepAlive(response, keepAlive);
        ChannelFuture f = ctx.writeAndFlush(response);
        if (!keepAlive) {
            f.addListener(ChannelFutureListener.CLOSE);
        }
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
        if (evt instanceof IdleStateEvent) {
            ctx.close();
        } else {
            super.userEventTriggered(ctx, evt);
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (cause instanceof IOException) {
            LOG.debug("HTTP connection {} failed: {}", ctx.channel().remoteAddress(), cause.toString());
        } else {
            LOG.warn("HTTP connection {} failed", ctx.channel().remoteAddress(), cause);
        }
        ctx.close();
    }
}
