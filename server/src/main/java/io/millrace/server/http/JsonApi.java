package io.millrace.server.http;

import io.millrace.server.monitor.Monitoring;
import io.millrace.server.monitor.ServerHistory;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The JSON API under {@code /api}: the {@link Monitoring} snapshot records serialized as they are
 * (camelCase field names, times in epoch milliseconds, rates in bytes per second, {@code *In} = client to
 * server), plus the two admin actions. Credentials are checked before this class is reached.
 *
 * <pre>
 * GET  /api/server                                  ServerStats
 * GET  /api/apps                                    [AppStats]
 * GET  /api/apps/{app}                              AppStats                 404 if unknown
 * GET  /api/apps/{app}/instances                    [InstanceStats]          404 if the app is unknown
 * GET  /api/apps/{app}/instances/{instance}         InstanceStats            404 if not active
 * POST /api/apps/{app}/reload                       {"app", "reloaded": true}: its code loaded again, every instance
 *                                                   unloaded (clients get AppShutdown); 404 if unknown, 409 if the
 *                                                   new code does not load (the running code stays)
 * GET  /api/apps/{app}/instances/{instance}/sharedobjects  [SharedObjectStats] (those in memory)
 * POST /api/apps/{app}/instances/{instance}/unload  {"app", "instance", "unloaded": true}; 404 if not loaded
 * GET  /api/clients[?app=&amp;instance=]                [ClientStats]
 * GET  /api/clients/{id}                            ClientStats              404 if unknown
 * POST /api/clients/{id}/kick                       {"clientId", "kicked": true}; 404 if unknown
 * POST /api/clients/{id}/bandwidth?out=&amp;in=          sets its limits, bytes/s (0: none, absent: unchanged);
 *                                                   {"clientId", "bandwidthLimitOut", "bandwidthLimitIn"} as given
 * GET  /api/streams[?app=&amp;instance=]                [StreamStats] (live streams)
 * GET  /api/streams/{app}/{instance}/{name}         StreamStats              404 if not live
 * POST /api/streams/{app}/{instance}/{name}/stop    {"app", "instance", "name", "stopped": true}; 404 if not live
 * GET  /api/netstreams[?app=&amp;instance=]             [NetStreamStats]
 * GET  /api/history[?after=seq]                     {"intervalMillis", "capacity", "samples": [ServerSample]}
 * </pre>
 *
 * {@code /api/history} holds the server-wide figures of the last ten minutes, one sample a second, oldest
 * first (the dashboard's charts); with {@code after}, only the samples whose {@code seq} is above it, so a
 * poller fetches each sample once.
 *
 * Path segments are percent-decoded one by one; a stream name may contain {@code /}, written either as
 * {@code %2F} or as further path segments ({@code /api/streams/live/_definst_/a/b} is stream {@code a/b}).
 * Errors are {@code {"status", "error", "message"}} with 400 (unknown or repeated query parameter: the
 * parameters are checked strictly so a typo does not silently widen a filter), 404, 405 (with Allow) or,
 * for a POST whose {@code Origin} is not this server, 403 (a browser holding Basic credentials must not
 * be led by another site into kicking clients).
 */
final class JsonApi {

    private static final Set<String> FILTERS = Set.of("app", "instance");

    private final Monitoring monitoring;

    JsonApi(Monitoring monitoring) {
        this.monitoring = monitoring;
    }

    /** Answers {@code /api/...}; {@code request.segments()} starts with "api". */
    HttpReply handle(AdminRequest request) {
        try {
            return route(request);
        } catch (ApiError e) {
            HttpReply reply = HttpReply.jsonError(e.status(), e.getMessage());
            return e.allow() == null ? reply : reply.withHeader("Allow", e.allow());
        }
    }

    /** The answer to a request whose credentials were refused (401) or while the admin API is off (403). */
    static HttpReply rejected(AdminAuth.Outcome outcome) {
        return outcome == AdminAuth.Outcome.DISABLED
                ? HttpReply.jsonError(HttpResponseStatus.FORBIDDEN,
                        "the admin API is disabled: set http.adminPassword in the configuration to enable it")
                : HttpReply.jsonError(HttpResponseStatus.UNAUTHORIZED,
                        "credentials required: HTTP Basic, or the auser and apswd parameters");
    }

    private HttpReply route(AdminRequest r) {
        List<String> s = r.segments().subList(1, r.segments().size());
        if (s.isEmpty()) {
            throw notFound(r);
        }
        switch (s.get(0)) {
            case "server" -> {
                if (s.size() == 1) {
                    get(r, Set.of());
                    return ok(monitoring.server());
                }
            }
            case "apps" -> {
                return apps(r, s);
            }
            case "clients" -> {
                return clients(r, s);
            }
            case "streams" -> {
                return streams(r, s);
            }
            case "netstreams" -> {
                if (s.size() == 1) {
                    get(r, FILTERS);
                    return ok(monitoring.netStreams(r.param("app"), r.param("instance")));
                }
            }
            case "history" -> {
                if (s.size() == 1) {
                    get(r, Set.of("after"));
                    return history(r.param("after"));
                }
            }
            default -> {
            }
        }
        throw notFound(r);
    }

    private HttpReply apps(AdminRequest r, List<String> s) {
        if (s.size() == 1) {
            get(r, Set.of());
            return ok(monitoring.applications());
        }
        String app = s.get(1);
        if (s.size() == 2) {
            get(r, Set.of());
            return ok(monitoring.application(app).orElseThrow(() -> ApiError.notFound("no application " + app)));
        }
        if (s.size() == 3 && s.get(2).equals("reload")) {
            post(r);
            if (monitoring.application(app).isEmpty()) {
                throw ApiError.notFound("no application " + app);
            }
            if (!monitoring.reloadApp(app)) {
                throw new ApiError(io.netty.handler.codec.http.HttpResponseStatus.CONFLICT, FmsAdminApi.COMMAND_FAILED,
                        "application " + app + " did not reload: its code does not load (see the log); the running code stays");
            }
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("app", app);
            body.put("reloaded", true);
            return ok(body);
        }
        if (s.get(2).equals("instances") && s.size() >= 5
                && (s.get(s.size() - 1).equals("sharedobjects") || s.get(s.size() - 1).equals("unload"))) {
            String instance = String.join("/", s.subList(3, s.size() - 1));
            if (s.get(s.size() - 1).equals("sharedobjects")) {
                get(r, Set.of());
                if (monitoring.instance(app, instance).isEmpty()) {
                    throw ApiError.notFound("no active instance " + app + "/" + instance);
                }
                return ok(monitoring.sharedObjects(app, instance));
            }
            post(r);
            if (!monitoring.unloadInstance(app, instance)) {
                throw ApiError.notFound("no loaded instance " + app + "/" + instance);
            }
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("app", app);
            body.put("instance", instance);
            body.put("unloaded", true);
            return ok(body);
        }
        if (s.get(2).equals("instances") && s.size() <= 4) {
            get(r, Set.of());
            if (s.size() == 3) {
                if (monitoring.application(app).isEmpty()) {
                    throw ApiError.notFound("no application " + app);
                }
                return ok(monitoring.instances(app));
            }
            String instance = s.get(3);
            return ok(monitoring.instance(app, instance)
                    .orElseThrow(() -> ApiError.notFound("no active instance " + app + "/" + instance)));
        }
        throw notFound(r);
    }

    private HttpReply clients(AdminRequest r, List<String> s) {
        if (s.size() == 1) {
            get(r, FILTERS);
            return ok(monitoring.clients(r.param("app"), r.param("instance")));
        }
        String id = s.get(1);
        if (s.size() == 2) {
            get(r, Set.of());
            return ok(monitoring.client(id).orElseThrow(() -> ApiError.notFound("no client " + id)));
        }
        if (s.size() == 3 && s.get(2).equals("kick")) {
            post(r);
            if (!monitoring.kick(id)) {
                throw ApiError.notFound("no client " + id);
            }
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("clientId", id);
            body.put("kicked", true);
            return ok(body);
        }
        if (s.size() == 3 && s.get(2).equals("bandwidth")) {
            post(r, Set.of("out", "in"));
            long out = limit(r, "out");
            long in = limit(r, "in");
            if (!monitoring.setBandwidthLimit(id, out, in)) {
                throw ApiError.notFound("no client " + id);
            }
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("clientId", id);
            body.put("bandwidthLimitOut", out);
            body.put("bandwidthLimitIn", in);
            return ok(body);
        }
        throw notFound(r);
    }

    private HttpReply streams(AdminRequest r, List<String> s) {
        if (s.size() == 1) {
            get(r, FILTERS);
            return ok(monitoring.liveStreams(r.param("app"), r.param("instance")));
        }
        if (s.size() < 4) {
            throw notFound(r);
        }
        String app = s.get(1);
        String instance = s.get(2);
        if (r.method().equals(HttpMethod.POST)) {
            if (s.size() < 5 || !s.get(s.size() - 1).equals("stop")) {
                throw ApiError.methodNotAllowed("POST", "GET");
            }
            post(r);
            String name = String.join("/", s.subList(3, s.size() - 1));
            if (!monitoring.stopStream(app, instance, name)) {
                throw ApiError.notFound("no live stream " + app + "/" + instance + "/" + name);
            }
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("app", app);
            body.put("instance", instance);
            body.put("name", name);
            body.put("stopped", true);
            return ok(body);
        }
        get(r, Set.of());
        String name = String.join("/", s.subList(3, s.size()));
        return ok(monitoring.liveStream(app, instance, name).orElseThrow(() ->
                s.size() >= 5 && s.get(s.size() - 1).equals("stop")
                        ? ApiError.methodNotAllowed(r.method().name(), "POST")
                        : ApiError.notFound("no live stream " + app + "/" + instance + "/" + name)));
    }

    private HttpReply history(String after) {
        long afterSeq = 0;
        if (after != null) {
            try {
                afterSeq = Long.parseLong(after);
            } catch (NumberFormatException e) {
                afterSeq = -1;
            }
            if (afterSeq < 0) {
                throw ApiError.badRequest("parameter after must be a sample's seq (a non-negative integer): " + after);
            }
        }
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("intervalMillis", ServerHistory.INTERVAL_MILLIS);
        body.put("capacity", ServerHistory.DEFAULT_CAPACITY);
        body.put("samples", monitoring.history(afterSeq));
        return ok(body);
    }

    // ---- helpers -----------------------------------------------------------------------------------

    private static HttpReply ok(Object value) {
        return HttpReply.json(HttpResponseStatus.OK, value);
    }

    private static ApiError notFound(AdminRequest r) {
        return ApiError.notFound("no such resource: " + r.path());
    }

    private static void get(AdminRequest r, Set<String> params) {
        if (!r.method().equals(HttpMethod.GET)) {
            throw ApiError.methodNotAllowed(r.method().name(), "GET");
        }
        r.onlyParams(params);
    }

    /** A bandwidth limit parameter in bytes per second: 0 removes the limit, absent (-1) keeps it. */
    private static long limit(AdminRequest r, String name) {
        String v = r.param(name);
        if (v == null) {
            return -1;
        }
        try {
            long n = Long.parseLong(v);
            if (n >= 0 && n <= 1L << 40) {
                return n;
            }
        } catch (NumberFormatException e) {
            // below
        }
        throw ApiError.badRequest("parameter " + name + " must be bytes per second, 0 for no limit: " + v);
    }

    private static void post(AdminRequest r) {
        post(r, Set.of());
    }

    private static void post(AdminRequest r, Set<String> params) {
        if (!r.method().equals(HttpMethod.POST)) {
            throw ApiError.methodNotAllowed(r.method().name(), "POST");
        }
        r.onlyParams(params);
        String origin = r.headers().get(HttpHeaderNames.ORIGIN);
        if (origin != null && !sameOrigin(origin, r.headers().get(HttpHeaderNames.HOST))) {
            throw new ApiError(HttpResponseStatus.FORBIDDEN, FmsAdminApi.COMMAND_FAILED,
                    "cross-origin request refused (Origin " + origin + ")");
        }
    }

    /** Whether a browser's Origin names the host and port the request was sent to. */
    static boolean sameOrigin(String origin, String host) {
        if (host == null) {
            return false;
        }
        try {
            URI o = new URI(origin);
            if (o.getHost() == null) {
                return false;
            }
            String authority = o.getPort() < 0 ? o.getHost() : o.getHost() + ":" + o.getPort();
            return authority.equalsIgnoreCase(host) || (o.getPort() < 0 && o.getScheme() != null
                    && host.equalsIgnoreCase(o.getHost() + ":" + ("https".equalsIgnoreCase(o.getScheme()) ? 443 : 80)));
        } catch (URISyntaxException e) {
            return false;
        }
    }
}
